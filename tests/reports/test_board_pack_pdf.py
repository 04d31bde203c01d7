"""A board pack's PDF (issue 22: big documents never in the request): asked for on the pack
page, built by a Celery task (eager here), its progress shown by htmx polling, then downloaded;
read here through pdftotext."""

import pytest
from django.urls import reverse

from reports.models import BoardPackPdf, VersionStatus
from tests.governance.factories import build_logs_world
from tests.governance.test_boards import _pack_content
from tests.reports.test_reports import media, pdf_text  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

PACK = "/boards/delivery-board/pack/"
PAGE = reverse("reports:board_pack_pdf_list", kwargs={"slug": "delivery-board"})
GENERATE = reverse("reports:board_pack_pdf_generate", kwargs={"slug": "delivery-board"})
STATUS = reverse("reports:board_pack_pdf_status", kwargs={"slug": "delivery-board"})


@pytest.fixture
def logs_world(make_user):
    return build_logs_world(make_user)


def _download(number: int) -> str:
    return reverse(
        "reports:board_pack_pdf_download", kwargs={"slug": "delivery-board", "number": number}
    )


def test_the_pack_page_generates_the_pdf_in_the_background_and_offers_it(
    logs_world, client_as, django_capture_on_commit_callbacks
):
    _pack_content(logs_world)
    client = client_as(logs_world["people"]["pmo"])
    pack = client.get(PACK).content.decode()
    assert "Generate the PDF" in pack
    assert f'action="{GENERATE}"' in pack
    assert "format=pdf" not in pack  # the PDF is no longer printed inside a request
    assert f'hx-get="{STATUS}" hx-trigger="load"' in pack  # the newest PDF's state, loaded
    none_yet = "No PDF of this board's pack has been generated yet."
    assert none_yet in client.get(PAGE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(GENERATE, follow=True)
    assert "Board pack PDF 1 is being generated." in response.content.decode()
    row = BoardPackPdf.objects.get(board=logs_world["boards"]["delivery"])
    assert (row.status, row.progress) == (VersionStatus.GENERATED, 100), row.error
    assert row.requested_by == logs_world["people"]["pmo"]
    page = client.get(PAGE).content.decode()
    assert "Download PDF 1" in page
    assert "Download PDF 1" in client.get(STATUS, HTTP_HX_REQUEST="true").content.decode()
    assert row.pdf_sha256 in page
    download = client.get(_download(1))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "delivery-board-pack-1.pdf" in download["Content-Disposition"]
    text = pdf_text(b"".join(download.streaming_content))
    assert "Delivery Board" in " ".join(text.split())
    assert {"Postponement", "Insolvency", "Late"} <= set(text.split())


def test_progress_is_polled_and_a_second_click_joins_the_running_build(logs_world, client_as):
    client = client_as(logs_world["people"]["viewer"])  # whoever reads the pack
    client.post(GENERATE)  # not committed in the test: the build does not run
    row = BoardPackPdf.objects.get()
    BoardPackPdf.objects.filter(pk=row.pk).update(status="generating", progress=40)
    response = client.post(GENERATE, follow=True)
    assert "PDF 1 is already being generated" in response.content.decode()
    assert BoardPackPdf.objects.count() == 1
    status = client.get(STATUS, HTTP_HX_REQUEST="true").content.decode()
    assert "Generating: 40% done" in status
    assert 'hx-trigger="every 2s"' in status
    assert "<html" not in status  # the fragment only
    assert client.get(STATUS).status_code == 302  # not htmx: the whole page
    assert "Generate the PDF" not in client.get(PAGE).content.decode()  # one build at a time
    assert client.get(_download(1)).status_code == 404  # nothing to download yet


def test_a_failed_build_says_why_and_a_new_one_may_be_asked_for(
    logs_world, client_as, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import boardpacks

    def broken(html):
        raise RuntimeError("WeasyPrint is not installed")

    monkeypatch.setattr(boardpacks, "print_pdf", broken)
    client = client_as(logs_world["people"]["pmo"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(GENERATE)
    text = client.get(PAGE).content.decode()
    assert "PDF 1 could not be generated" in text
    assert "WeasyPrint is not installed" in text
    assert "Generate the PDF" in text
    assert BoardPackPdf.objects.get().status == VersionStatus.FAILED
    assert client.get(_download(1)).status_code == 404


def test_the_broker_down_fails_the_row_with_a_reason_not_a_500(
    logs_world, client_as, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import services

    def down(pk):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(services.board_pack_pdf_build, "delay", down)
    client = client_as(logs_world["people"]["pmo"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(GENERATE).status_code == 302
    assert "could not be queued (ConnectionError)" in client.get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("pmo", True), ("manager", True), ("board", True), ("viewer", True), ("scrutiny", False)],
)
def test_those_who_read_the_pack_generate_and_download_its_pdf(
    logs_world, client_as, django_capture_on_commit_callbacks, role, allowed
):
    client = client_as(logs_world["people"][role])
    assert (client.get(PACK).status_code == 200) is allowed  # the pack page itself
    with django_capture_on_commit_callbacks(execute=True):
        generate = client.post(GENERATE)
    assert generate.status_code == (302 if allowed else 403)
    assert BoardPackPdf.objects.exists() is allowed
    if not allowed:
        BoardPackPdf.objects.create(
            board=logs_world["boards"]["delivery"], number=1, status="generated",
            requested_by=logs_world["people"]["pmo"],
        )  # fmt: skip
    assert client.get(PAGE).status_code == (200 if allowed else 403)
    download = client.get(_download(1))
    assert download.status_code == (200 if allowed else 403)

"""The quarterly scrutiny report: generated in the background, published, downloaded."""

import hashlib
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from portfolio.periods import Quarter
from reports import build, services
from reports.models import QuarterlyReport, ReportVersion, VersionStatus

Q3 = Quarter.parse("Q3 2019/20")  # the seed's review: published in the demo
SLUG = Q3.slug
Q4 = Quarter.parse("Q4 2019/20")  # the demo's draft, for the PMO to write and publish


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """A media directory of the test's own, holding what the demo stored (its published Q3)."""
    if Path(settings.MEDIA_ROOT).is_dir():
        shutil.copytree(settings.MEDIA_ROOT, tmp_path / "media")
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def users(demo):
    return {u.username: u for u in User.objects.filter(username__in=[
        "pmo", "manager", "sro", "board", "scrutiny", "viewer"])}  # fmt: skip


def url(name: str, quarter: Quarter = Q4, **kwargs) -> str:
    return reverse(f"reports:{name}", kwargs={"quarter": quarter.slug, **kwargs})


def generate(client, capture, quarter: Quarter = Q4) -> ReportVersion:
    with capture(execute=True):
        response = client.post(url("report_generate", quarter))
    assert response.status_code == 302
    return ReportVersion.objects.filter(report__quarter_number=quarter.number).latest("number")


def pdf_text(content: bytes) -> str:
    result = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode()


@pytest.fixture
def published(users):
    """The demo's Q3 2019/20 version, generated and published by the PMO as the demo loads."""
    return ReportVersion.objects.get(report__quarter_number=3, status=VersionStatus.PUBLISHED)


def download(client, user, number: int, fmt: str, quarter: Quarter = Q3):
    client.force_login(user)
    return client.get(url("report_download", quarter, number=number, fmt=fmt))


def test_pmo_generates_and_publishes_the_q4_draft(
    users, client, django_capture_on_commit_callbacks
):
    client.force_login(users["pmo"])
    version = generate(client, django_capture_on_commit_callbacks)
    assert version.status == VersionStatus.GENERATED, version.error
    response = client.post(url("report_publish", number=version.number))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED


def test_demo_loads_the_q3_2019_20_report_with_the_seed_narrative(users):
    report = QuarterlyReport.objects.get(financial_year=2019, quarter_number=3)
    assert report.recommendations == (
        "The Sub-Committee is RECOMMENDED to note and comment on the report"
    )
    assert "fourth quarterly report" in report.executive_summary
    assert report.sections.get().title == "Corporate social responsibility contribution"
    paragraphs = {p.programme.name: p.paragraph for p in report.progress.all()}
    assert "£0.18m" in paragraphs["Finance"]
    others = ["Strategic Capability", "Provision Cycle", "Support Services", "ICT Strategy"]
    for name in [*others, "Front Office Transformation", "Customer Service Centre"]:
        assert paragraphs[name]
    assert report.versions.get().status == VersionStatus.PUBLISHED


def test_scrutiny_downloads_the_published_pdf_with_the_seed_figures(published, client, users):
    response = download(client, users["scrutiny"], published.number, "pdf")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == published.pdf_sha256
    text = " ".join(pdf_text(content).split())
    assert "Quarterly Review of the Transformation Programme" in text
    assert "October to December 2019" in text
    assert "Transformation Sub-Committee" in text
    assert "RECOMMENDED to note and comment" in text
    assert "£17.9m" in text
    assert "£7.9m" in text
    for workstream in ("Finance", "Strategic Capability", "Support Services", "Provision Cycle"):
        assert workstream in text
    assert "£0.18m" in text  # Finance 2019/20
    assert "£0.16m" in text  # Strategic Capability 2019/20
    assert "£0.03m" in text  # Support Services 2019/20
    assert "£0.37m" in text  # Provision Cycle, 2021/22 onwards
    assert "Page 2 of" in text
    for heading in ("EXECUTIVE SUMMARY", "RESOURCING THE PROGRAMME".title(), "Annex 1", "Annex 2"):
        assert heading.lower() in text.lower()
    assert "Corporate social responsibility contribution" in text
    data = published.data
    assert data["risks"], "the Annex 2 register is in the frozen data"
    for risk in data["risks"][:3]:
        assert risk["title"].split()[0] in text
        if risk["controls"]:
            assert risk["controls"].split()[0] in text


def test_the_workbook_has_one_sheet_per_table_with_pound_numbers(published, client, users):
    response = download(client, users["scrutiny"], published.number, "xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == [
        "Progress", "Resourcing", "Savings vs MTFP", "Savings by programme", "Roadmap",
        "Risks and issues", "Compare with previous quarter", "Ratings to challenge",
    ]  # fmt: skip
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
    by_programme = workbook["Savings by programme"]
    header = [c.value for c in by_programme[1]]
    finance = next(r for r in by_programme.iter_rows(min_row=2) if r[0].value == "Finance")
    cell = finance[header.index("2019/20 (£)")]
    assert cell.value == 180000
    assert "£" in cell.number_format
    resourcing = workbook["Resourcing"]
    wide = next(r for r in resourcing.iter_rows(min_row=2) if "programme-wide" in r[0].value)
    assert wide[1].value == Decimal("17900000") or wide[1].value == 17900000
    assert wide[2].value == 7900000


def test_published_report_is_immutable_and_a_correction_supersedes_it(
    published, client, users, django_capture_on_commit_callbacks
):
    client.force_login(users["pmo"])
    report = published.report
    before = report.executive_summary
    response = client.post(url("report_edit", Q3), {"executive_summary": "Changed", "version": 0})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.executive_summary == before
    assert client.post(url("report_generate", Q3)).status_code == 302
    assert report.versions.count() == 1
    client.post(url("report_publish", Q3, number=published.number))
    published.refresh_from_db()
    assert published.status == VersionStatus.PUBLISHED
    with pytest.raises(services.ReportLocked):
        services.report_update(report=report, actor=users["pmo"], executive_summary="x")

    client.post(url("report_correct", Q3))
    report.refresh_from_db()
    response = client.post(
        url("report_edit", Q3),
        {
            "committee": report.committee, "author": report.author,
            "recommendations": report.recommendations, "version": report.version,
            "executive_summary": "Corrected summary.", "headline_progress": "", "new_phase": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    correction = generate(client, django_capture_on_commit_callbacks, Q3)
    client.post(url("report_publish", Q3, number=correction.number))
    published.refresh_from_db()
    correction.refresh_from_db()
    assert published.status == VersionStatus.SUPERSEDED
    assert correction.status == VersionStatus.PUBLISHED
    assert correction.supersedes == published
    assert download(client, users["pmo"], published.number, "pdf").status_code == 200
    assert download(client, users["pmo"], correction.number, "pdf").status_code == 200
    client.force_login(users["scrutiny"])
    page = client.get(reverse("reports:report_list")).content.decode()
    assert f"version {correction.number}" in page


def test_a_second_generate_while_one_runs_joins_it(users, client):
    client.force_login(users["pmo"])
    client.post(url("report_generate"))  # on_commit never runs inside the test transaction
    response = client.post(url("report_generate"), follow=True)
    assert ReportVersion.objects.filter(report__quarter_number=4).count() == 1
    assert "already being generated" in response.content.decode()
    page = client.get(url("report_detail")).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "<progress" in page


def test_publishing_an_unfinished_or_failed_version_is_refused(users, client, monkeypatch):
    client.force_login(users["pmo"])
    client.post(url("report_generate"))
    version = ReportVersion.objects.get(report__quarter_number=4)
    response = client.post(url("report_publish", number=version.number), follow=True)
    assert "only a generated version can be published" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.QUEUED

    def broken(data):
        raise RuntimeError("the fonts are missing")

    monkeypatch.setattr("reports.quarterly.render_pdf", broken)
    build.report_build(version_pk=version.pk)
    version.refresh_from_db()
    assert version.status == VersionStatus.FAILED
    assert not version.pdf
    assert not version.pdf_sha256
    client.post(url("report_publish", number=version.number))
    version.refresh_from_db()
    assert version.status == VersionStatus.FAILED


def test_a_failure_shows_its_reason_and_can_be_retried(
    users, client, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(users["pmo"])

    def broken(data):
        raise RuntimeError("the fonts are missing")

    monkeypatch.setattr("reports.quarterly.render_pdf", broken)
    failed = generate(client, django_capture_on_commit_callbacks)
    assert failed.status == VersionStatus.FAILED
    page = client.get(url("report_detail")).content.decode()
    assert "the fonts are missing" in page
    assert "Try again" in page
    monkeypatch.undo()
    retry = generate(client, django_capture_on_commit_callbacks)
    assert retry.number == failed.number + 1
    assert retry.status == VersionStatus.GENERATED


@pytest.mark.parametrize("quarter", ["Q1 1990/91", "2019-20-q9", "last quarter"])
def test_a_quarter_outside_any_data_is_refused_with_a_message(users, client, quarter):
    client.force_login(users["pmo"])
    count = QuarterlyReport.objects.count()
    response = client.post(reverse("reports:report_list"), {"quarter": quarter})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert QuarterlyReport.objects.count() == count


@pytest.mark.parametrize("slug", ["1990-91-q1", "not-a-quarter", "2019-20-q5"])
def test_unknown_or_malformed_quarter_pages_are_404(users, client, slug):
    client.force_login(users["pmo"])
    response = client.get(reverse("reports:report_detail", kwargs={"quarter": slug}))
    assert response.status_code == 404


def test_pmo_opens_a_new_quarter_with_progress_prefilled_from_highlight_reports(users, client):
    client.force_login(users["pmo"])
    response = client.post(reverse("reports:report_list"), {"quarter": "Q2 2019/20"})
    assert response.status_code == 302
    report = QuarterlyReport.objects.get(financial_year=2019, quarter_number=2)
    finance = report.progress.get(programme__slug="finance")
    assert "Finance: work this month went to plan" in finance.paragraph


@pytest.mark.parametrize(
    ("username", "draft", "published"),
    [
        ("pmo", 200, 200),
        ("manager", 403, 200),
        ("sro", 403, 200),
        ("board", 403, 200),
        ("viewer", 403, 200),
        ("scrutiny", 403, 200),
    ],
)
def test_who_may_download_what(
    users, client, django_capture_on_commit_callbacks, username, draft, published
):
    client.force_login(users["pmo"])
    first = generate(client, django_capture_on_commit_callbacks)
    client.post(url("report_publish", number=first.number))
    client.post(url("report_correct"))
    second = generate(client, django_capture_on_commit_callbacks)
    assert second.status == VersionStatus.GENERATED
    client.logout()
    for fmt in ("pdf", "xlsx"):
        assert download(client, users[username], first.number, fmt, Q4).status_code == published
        assert download(client, users[username], second.number, fmt, Q4).status_code == draft


def test_unpublished_report_pages_are_hidden_from_readers(users, client):
    client.force_login(users["scrutiny"])
    assert client.get(url("report_detail")).status_code == 404
    page = client.get(reverse("reports:report_list")).content.decode()
    assert Q3.long_label in page
    assert Q4.label not in page
    assert client.post(reverse("reports:report_list"), {"quarter": "Q3 2019/20"}).status_code == 403
    assert client.post(reverse("reports:report_list"), {"quarter": "Q4 2019/20"}).status_code == 403


@pytest.mark.django_db
def test_readers_are_told_when_nothing_is_published(client_as, make_user):
    from accounts.roles import Role

    client = client_as(make_user(Role.SCRUTINY_MEMBER))
    page = client.get(reverse("reports:report_list")).content.decode()
    assert "No quarterly report has been published yet" in page


def test_scrutiny_home_is_the_published_reports(published, users, client):
    client.force_login(users["scrutiny"])
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Q3 2019/20 — October to December 2019" in page
    assert reverse("reports:report_download", kwargs={
        "quarter": SLUG, "number": published.number, "fmt": "pdf"}) in page  # fmt: skip
    assert ">Reports<" in page


def test_report_list_query_count_is_constant(users, client, django_capture_on_commit_callbacks):
    client.force_login(users["pmo"])
    generated = generate(client, django_capture_on_commit_callbacks)
    page = reverse("reports:report_list")
    reset_queries()  # a full query log (it keeps 9,000) would cut the capture short
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    for text in ("Q2 2019/20", "Q1 2019/20", "Q4 2019/20"):
        client.post(page, {"quarter": text})
    assert QuarterlyReport.objects.count() == 4
    reset_queries()
    with CaptureQueriesContext(connection) as four:
        client.get(page)
    assert len(four.captured_queries) == len(one.captured_queries)
    # A reader's list: the demo's published Q3 2019/20, then Q4 2019/20 published beside it.
    client.force_login(users["scrutiny"])
    reset_queries()
    with CaptureQueriesContext(connection) as scrutiny:
        assert client.get(page).status_code == 200
    client.force_login(users["pmo"])
    client.post(url("report_publish", number=generated.number))
    client.force_login(users["scrutiny"])
    reset_queries()
    with CaptureQueriesContext(connection) as scrutiny_two:
        assert Q4.label in client.get(page).content.decode()
    assert len(scrutiny_two.captured_queries) == len(scrutiny.captured_queries)

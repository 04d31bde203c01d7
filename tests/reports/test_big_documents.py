"""Big documents stay bounded (issue 22): beyond BIG_DOCUMENT_PDF_ROWS a per-programme table
prints only its first rows in the PDF, and says so; the workbook appendix holds every row. Read
back here through pdftotext and openpyxl, on a generated portfolio with risk history."""

import hashlib
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from devdata import synthetic
from governance.models import Action, Board, GateReview, Risk
from portfolio.models import Programme
from portfolio.periods import Quarter
from reports import quarterly
from reports.boardpacks import board_pack_pdf_build
from reports.models import BoardPackPdf, VersionStatus
from tests.reports.test_reports import media, pdf_text, url  # noqa: F401

pytestmark = pytest.mark.django_db
RATING = re.compile(r"\d ?× ?\d ?= ?\d+")


def _words(content: bytes) -> str:
    return " ".join(pdf_text(content).split())


@pytest.fixture
def generated():
    synthetic.portfolio_generate(programmes=3, seed=7)
    return Quarter.from_date(synthetic.ANCHOR)


def test_beyond_the_limit_the_pdf_prints_the_first_rows_and_the_workbook_all(generated, settings):
    settings.BIG_DOCUMENT_PDF_ROWS = 2
    data = quarterly.report_data(generated)
    risks = data["risks"]
    assert len(risks) > 2
    text = _words(quarterly.render_pdf(data))
    assert "A table of more than 2 rows prints its first 2 here" in text
    assert (
        f"The first 2 of {len(risks)} risks (highest residual rating first) are printed here; "
        f"all {len(risks)} are in the workbook appendix, sheet “Risks and issues”."
    ) in text
    assert "The first 2 of 3 programmes are printed here" in text  # the roadmap
    annex = text[text.index("Annex 2: Risks and issues") :]
    assert len(RATING.findall(annex)) == 2  # each printed risk's residual rating, "L × I = S"
    assert RATING.findall(annex)[0].replace(" ", "") == risks[0]["residual"].replace(" ", "")
    sheets = load_workbook(io.BytesIO(quarterly.render_xlsx(data)), read_only=True)
    rows = list(sheets["Risks and issues"].iter_rows(values_only=True))
    assert len(rows) == 1 + len(risks)
    assert [r[0] for r in rows[1:]] == [r["title"] for r in risks]
    assert len(list(sheets["Roadmap"].iter_rows(values_only=True))) == 1 + 3


def test_within_the_limit_every_row_is_printed_and_nothing_is_said(generated, settings):
    data = quarterly.report_data(generated)
    settings.BIG_DOCUMENT_PDF_ROWS = len(data["risks"])
    text = _words(quarterly.render_pdf(data))
    assert "workbook appendix" not in text
    annex = text[text.index("Annex 2: Risks and issues") :]
    assert len(RATING.findall(annex)) == len(data["risks"])


def test_the_pmo_sees_the_limit_on_the_report_page(demo, client_as, settings):
    settings.BIG_DOCUMENT_PDF_ROWS = 40
    page = client_as(User.objects.get(username="pmo")).get(url("report_detail")).content.decode()
    assert "Per-programme tables of more than 40 rows" in page
    assert "every row is in the workbook appendix (Excel)" in page


def _stb_pack_pdf():
    """STB's pack built as its task builds it, with every programme's latest review awaiting
    STB (the generator leaves about one in five open reviews there)."""
    for programme_id in Programme.objects.values_list("pk", flat=True):
        reviews = GateReview.objects.filter(programme_id=programme_id)
        if not reviews.filter(status="open").exists():
            latest = reviews.latest("submitted_at")
            reviews.filter(pk=latest.pk).update(status="open", closed_at=None)
    GateReview.objects.filter(status="open").update(current_step=1, current_sign_off="stb")
    board = Board.objects.get(slug="strategic-transformation-board")
    row = BoardPackPdf.objects.create(
        board=board, number=1, requested_by=User.objects.get(username="pmo")
    )
    return board, board_pack_pdf_build(pdf_pk=row.pk)


@pytest.mark.usefixtures("media")
def test_a_board_pack_beyond_the_limit_prints_the_first_rows_and_its_workbook_has_all(
    generated, settings
):
    settings.BIG_DOCUMENT_PDF_ROWS = 1
    board, built = _stb_pack_pdf()
    assert built.status == VersionStatus.GENERATED, built.error
    overdue = Action.objects.overdue().count()
    reviews = GateReview.objects.awaiting_board(board).count()
    assert (overdue > 1, reviews) == (True, 3)
    text = _words(built.pdf.read())
    assert "Each list prints its first 1 rows" in text
    assert f"The first 1 of {overdue} overdue actions are printed here." in text
    assert "Every row is in the pack's workbook, sheet “Overdue actions”" in text
    assert f"The first 1 of {reviews} gate reviews are printed here." in text
    sheets = load_workbook(io.BytesIO(built.xlsx.read()), read_only=True)
    assert len(list(sheets["Overdue actions"].iter_rows(values_only=True))) == 1 + overdue
    assert len(list(sheets["Gate reviews"].iter_rows(values_only=True))) == 1 + reviews
    assert built.xlsx_sha256 == hashlib.sha256(built.xlsx.open("rb").read()).hexdigest()


def test_the_board_pack_page_shows_the_first_rows_and_links_to_the_whole_lists(
    generated, settings, client_as
):
    settings.BIG_DOCUMENT_PDF_ROWS = 2
    board = Board.objects.get(slug="strategic-transformation-board")
    page = client_as(User.objects.get(username="pmo")).get(
        reverse("governance:board_pack", kwargs={"slug": board.slug})
    )
    html = page.content.decode()
    overdue = Action.objects.overdue().count()
    assert f"The first 2 of {overdue} overdue actions are shown here." in html
    assert "Each list shows its first 2 rows" in html
    escalated = Risk.objects.open().escalated().count()
    if escalated > 2:
        assert '<a class="govuk-link" href="/raid/?status=open&amp;escalated=yes">' in html
    assert html.count('class="govuk-table__row"') <= 5 * (2 + 1)  # header and two rows a list


def test_the_workbook_of_a_pack_downloads_for_those_who_read_the_pack(generated, client_as):
    board, built = _stb_pack_pdf()
    url = reverse(
        "reports:board_pack_workbook_download", kwargs={"slug": board.slug, "number": built.number}
    )
    response = client_as(User.objects.get(username="pmo")).get(url)
    assert response.status_code == 200
    assert response["X-Content-SHA256"] == built.xlsx_sha256
    assert "strategic-transformation-board-pack-1.xlsx" in response["Content-Disposition"]
    page = client_as(User.objects.get(username="pmo")).get(
        reverse("reports:board_pack_pdf_list", kwargs={"slug": board.slug})
    )
    assert "Download the workbook 1 (Excel)" in page.content.decode()

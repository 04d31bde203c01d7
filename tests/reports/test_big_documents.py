"""Big documents stay bounded (issue 22): beyond BIG_DOCUMENT_PDF_ROWS a per-programme table
prints only its first rows in the PDF, and says so; the workbook appendix holds every row. Read
back here through pdftotext and openpyxl, on a generated portfolio with risk history."""

import io
import re

import pytest
from openpyxl import load_workbook

from accounts.models import User
from devdata import synthetic
from portfolio.periods import Quarter
from reports import quarterly
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

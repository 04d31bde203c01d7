"""The board pack as a PDF: the pack page's markup with each gate review's one-slide summary,
printed by WeasyPrint with the print stylesheet, and its workbook appendix. Reports builds both
in the background (``reports.boardpacks``); no request renders them (issue 22: big documents
never in the request).

The PDF is bounded: each list prints its first ``BIG_DOCUMENT_PDF_ROWS`` rows (and as many
summary slides) and says how many more the workbook holds; the workbook has every row."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from core.exports import xlsx_bytes

from . import queries, slides
from .models import Board


def print_pdf(html: str) -> bytes:
    """Markup as an A4 PDF, styled by the board pack's print stylesheet; nothing is fetched."""
    from weasyprint import CSS, HTML

    with open(finders.find("css/board_pack_print.css"), encoding="utf-8") as handle:
        stylesheet = CSS(string=handle.read())
    return HTML(string=html).write_pdf(stylesheets=[stylesheet])


def board_pack_html(board: Board) -> str:
    """The printable pack of ``board`` as it stands now: each list's first
    ``BIG_DOCUMENT_PDF_ROWS`` rows, and the summary slides of the gate reviews it prints."""
    context = queries.board_pack(board, limit=settings.BIG_DOCUMENT_PDF_ROWS)
    context["pdf"] = True
    context["summaries"] = [slides.programme_summary(r) for r in context["gate_reviews"]]
    return render_to_string("governance/board_pack_pdf.html", context)


def board_pack_workbook(board: Board) -> bytes:
    """Every row of the pack's lists, one sheet each (the PDF's appendix)."""
    return xlsx_bytes(queries.board_pack_tables(board))

"""The board pack as a PDF: the pack page's markup with each gate review's one-slide summary,
printed by WeasyPrint with the print stylesheet. Reports builds it in the background
(``reports.boardpacks``); no request renders it (issue 22: big documents never in the request)."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from . import queries, slides
from .models import Board


def print_pdf(html: str) -> bytes:
    """Markup as an A4 PDF, styled by the board pack's print stylesheet; nothing is fetched."""
    from weasyprint import CSS, HTML

    with open(finders.find("css/board_pack_print.css"), encoding="utf-8") as handle:
        stylesheet = CSS(string=handle.read())
    return HTML(string=html).write_pdf(stylesheets=[stylesheet])


def board_pack_html(board: Board) -> str:
    """The printable pack of ``board`` as it stands now."""
    context = queries.board_pack(board)
    context["pdf"] = True
    context["summaries"] = [slides.programme_summary(r) for r in context["gate_reviews"]]
    return render_to_string("governance/board_pack_pdf.html", context)

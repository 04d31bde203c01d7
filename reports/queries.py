"""Reads for the deep-dive pack page and the board pack PDF page."""

from __future__ import annotations

from typing import Any

from governance.models import Board
from portfolio.models import Programme

from .models import BoardPackPdf, DeepDivePack

PACKS_SHOWN = 10


def deep_dive_page(programme: Programme) -> dict[str, Any]:
    """The programme's newest packs (bounded), the one running if any, and the newest built."""
    packs = list(
        DeepDivePack.objects.filter(programme=programme)
        .select_related("requested_by")
        .order_by("-number")[:PACKS_SHOWN]
    )
    return {
        "programme": programme,
        "packs": packs,
        "running": next((p for p in packs if p.is_running), None),
        "latest": packs[0] if packs else None,
        "newest_built": next((p for p in packs if p.has_file), None),
    }


def board_pack_pdf_page(board: Board) -> dict[str, Any]:
    """The board's newest pack PDFs (bounded), the one running if any, and the newest built."""
    pdfs = list(
        BoardPackPdf.objects.filter(board=board)
        .select_related("requested_by")
        .order_by("-number")[:PACKS_SHOWN]
    )
    return {
        "board": board,
        "pdfs": pdfs,
        "running": next((p for p in pdfs if p.is_running), None),
        "latest": pdfs[0] if pdfs else None,
        "newest_built": next((p for p in pdfs if p.has_file), None),
    }

"""A board pack's PDF, built in the background (issue 22: big documents never in the
request). ``board_pack_pdf_build(pdf_pk=…)`` renders governance's printable pack
(``governance.packs``) through the one background build (background.py) that the deep-dive
pack uses too; the Celery task in tasks.py wraps it."""

from __future__ import annotations

from typing import Any

from governance.packs import board_pack_html, print_pdf

from .background import Progress, background_pdf_build
from .models import BoardPackPdf


def board_pack_pdf_build(*, pdf_pk: int) -> BoardPackPdf:
    """Render the pack and print it, through the one background build (background.py)."""

    def make(row: BoardPackPdf, progress: Progress) -> tuple[bytes, dict[str, Any]]:
        html = board_pack_html(row.board)
        progress(40)
        return print_pdf(html), {}

    return background_pdf_build(
        BoardPackPdf, pdf_pk, folder="board-packs", related=("board",), make=make
    )

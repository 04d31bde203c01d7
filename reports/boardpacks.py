"""A board pack's PDF, built in the background (issue 22: big documents never in the
request). ``board_pack_pdf_build(pdf_pk=…)`` renders governance's printable pack
(``governance.packs``: each list's first BIG_DOCUMENT_PDF_ROWS rows) and its workbook appendix
(every row) through the one background build (background.py) that the deep-dive pack uses too;
the Celery task in tasks.py wraps it."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile

from governance.packs import board_pack_html, board_pack_workbook, print_pdf

from .background import Progress, background_pdf_build
from .models import BoardPackPdf


def board_pack_pdf_build(*, pdf_pk: int, task_id: str = "") -> BoardPackPdf:
    """Render the pack and print it, through the one background build (background.py)."""

    def make(row: BoardPackPdf, progress: Progress) -> tuple[bytes, dict[str, Any]]:
        html = board_pack_html(row.board)
        progress(30)
        pdf = print_pdf(html)
        del html
        progress(70)
        xlsx = board_pack_workbook(row.board)
        name = row.xlsx.storage.save(f"board-packs/{row.filename('xlsx')}", ContentFile(xlsx))
        return pdf, {"xlsx": name, "xlsx_sha256": hashlib.sha256(xlsx).hexdigest()}

    return background_pdf_build(
        BoardPackPdf, pdf_pk, folder="board-packs", related=("board",), make=make, task_id=task_id
    )

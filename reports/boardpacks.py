"""A board pack's PDF, built in the background (issue 22: big documents never in the
request). ``board_pack_pdf_build(pdf_pk=…)`` renders governance's printable pack
(``governance.packs``), stores the file and records the progress on the row, as
``deepdive.deep_dive_build`` does for a deep-dive pack; the Celery task in tasks.py wraps it."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from governance.packs import board_pack_html, print_pdf

from .models import RUNNING, BoardPackPdf, VersionStatus

logger = logging.getLogger(__name__)


def _set_progress(pdf_pk: int, progress: int, **fields: Any) -> None:
    BoardPackPdf.objects.filter(pk=pdf_pk, status__in=RUNNING).update(progress=progress, **fields)


def board_pack_pdf_build(*, pdf_pk: int) -> BoardPackPdf:
    """Render the pack, print it, store it, then mark the row generated in one transaction; a
    failure marks it failed with the reason and nothing generated."""
    row = BoardPackPdf.objects.select_related("board").get(pk=pdf_pk)
    if row.status not in RUNNING:
        return row
    _set_progress(pdf_pk, 10, status=VersionStatus.GENERATING)
    try:
        html = board_pack_html(row.board)
        _set_progress(pdf_pk, 40)
        pdf = print_pdf(html)
        _set_progress(pdf_pk, 90)
        name = row.pdf.storage.save(f"board-packs/{row.filename()}", ContentFile(pdf))
    except Exception as error:
        logger.exception("Board pack PDF %s failed.", pdf_pk)
        BoardPackPdf.objects.filter(pk=pdf_pk, status__in=RUNNING).update(
            status=VersionStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        row.refresh_from_db()
        return row
    with transaction.atomic():
        row = BoardPackPdf.objects.select_for_update().get(pk=pdf_pk)
        if row.status not in RUNNING:
            return row
        row.pdf.name = name
        row.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        row.status = VersionStatus.GENERATED
        row.progress = 100
        row.generated_at = timezone.now()
        row.error = ""
        row.save()
    return row

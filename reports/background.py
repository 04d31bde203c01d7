"""One way to build a ``BackgroundPdf`` (a deep-dive pack, a board pack PDF) in a worker: mark it
generating, make the PDF, store the file, then mark it generated in one transaction; a failure
marks it failed with the reason and nothing generated. A row no longer queued or generating (a
second delivery of the task, a build already finished) is left as it is."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import RUNNING, BackgroundPdf, VersionStatus

logger = logging.getLogger(__name__)

Row = TypeVar("Row", bound=BackgroundPdf)
Progress = Callable[[int], None]
# Makes the PDF for the row, reporting progress (0–90) on the way: its bytes, and any other fields
# the generated row keeps (the deep-dive pack keeps its data).
Make = Callable[[Any, Progress], tuple[bytes, dict[str, Any]]]


def background_pdf_build(
    model: type[Row], pk: int, *, folder: str, related: tuple[str, ...], make: Make
) -> Row:
    def progress(value: int, **fields: Any) -> None:
        model.objects.filter(pk=pk, status__in=RUNNING).update(progress=value, **fields)

    row = model.objects.select_related(*related).get(pk=pk)
    if row.status not in RUNNING:
        return row
    progress(10, status=VersionStatus.GENERATING)
    try:
        pdf, fields = make(row, progress)
        progress(90)
        name = row.pdf.storage.save(f"{folder}/{row.filename()}", ContentFile(pdf))
    except Exception as error:
        logger.exception("%s %s failed.", model._meta.verbose_name, pk)
        model.objects.filter(pk=pk, status__in=RUNNING).update(
            status=VersionStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        row.refresh_from_db()
        return row
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=pk)
        if row.status not in RUNNING:
            return row
        for name_, value in fields.items():
            setattr(row, name_, value)
        row.pdf.name = name
        row.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        row.status = VersionStatus.GENERATED
        row.progress = 100
        row.generated_at = timezone.now()
        row.error = ""
        row.save()
    return row

"""Onboarding writes: keep an upload for its preview (its check queued), confirm it (its import
queued), or discard it. The check and the import run in a worker (``run.py``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from core.audit import audited
from core.errors import ServiceError
from core.queueing import queue_after_commit

from . import tasks
from .models import OnboardingUpload, UploadStatus
from .reading import MAX_UPLOAD_BYTES, TOO_LARGE


class OnboardingError(ServiceError):
    pass


def _queue(task: Any, upload_pk: int, status: str) -> None:
    queue_after_commit(
        task, upload_pk, what="onboarding upload",
        waiting=OnboardingUpload.objects.filter(pk=upload_pk, status=status),
        failed=lambda error: {
            "status": UploadStatus.FAILED,
            "failure": f"The work could not be queued ({error}): nothing was imported. Try "
            "again in a few minutes.",
        },
    )  # fmt: skip


@transaction.atomic
@audited
def onboarding_upload(*, file: Any, actor: User) -> OnboardingUpload:
    """Keep ``file`` (an .xlsx workbook or a .csv of one sheet) and queue its check."""
    if getattr(file, "size", 0) > MAX_UPLOAD_BYTES:
        raise OnboardingError(TOO_LARGE)
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise OnboardingError(TOO_LARGE)
    if not data:
        raise OnboardingError("The file is empty: choose the onboarding workbook (.xlsx) or a CSV.")
    name = str(getattr(file, "name", "") or "upload.xlsx")[-200:]
    upload = OnboardingUpload.objects.create(
        filename=name, data=data, size=len(data), uploaded_by=actor
    )
    _queue(tasks.upload_check, upload.pk, UploadStatus.QUEUED)
    return upload


@transaction.atomic
@audited
def onboarding_confirm(*, upload: OnboardingUpload, actor: User) -> OnboardingUpload:
    """Queue the import of a previewed upload. The row is locked: of two confirmations at once
    the second is refused, so nothing is imported twice."""
    upload = OnboardingUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status in (UploadStatus.CONFIRMING, UploadStatus.CONFIRMED):
        raise OnboardingError("This upload is already imported, or being imported.")
    if upload.status != UploadStatus.PREVIEWED:
        raise OnboardingError(
            "Only a checked upload without problems can be imported: fix the file and upload "
            "it again."
        )
    upload.status = UploadStatus.CONFIRMING
    upload.confirmed_by = actor
    upload.progress = 10
    upload.save(update_fields=["status", "confirmed_by", "progress"])
    _queue(tasks.upload_confirm, upload.pk, UploadStatus.CONFIRMING)
    return upload


@transaction.atomic
@audited
def onboarding_discard(*, upload: OnboardingUpload, actor: User) -> OnboardingUpload:
    """Drop an upload that will not be imported (its file is deleted; its summary stays)."""
    upload = OnboardingUpload.objects.select_for_update().get(pk=upload.pk)
    if not upload.can_discard:
        raise OnboardingError(
            f"This upload cannot be discarded: it is {upload.get_status_display().lower()}."
        )
    upload.status = UploadStatus.DISCARDED
    upload.discarded_by = actor
    upload.data = b""
    upload.save(update_fields=["status", "discarded_by", "data"])
    return upload

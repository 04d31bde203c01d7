"""Build one quarterly report version: freeze its data, render the PDF and the workbook, store
both and mark the version generated. The Celery task (tasks.py) runs it; services.report_generate
queues that task, so this module imports neither."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import quarterly as reports
from .background import build_claim
from .models import RUNNING, ReportVersion, VersionStatus

logger = logging.getLogger(__name__)


def _set_progress(version_pk: int, progress: int, **fields: Any) -> None:
    ReportVersion.objects.filter(pk=version_pk, status__in=RUNNING).update(
        progress=progress, **fields
    )


def report_build(*, version_pk: int, task_id: str = "") -> ReportVersion:
    """Freeze the data, render both files, then mark the version generated in one transaction.

    The files are saved under new names before that transaction; if anything fails the version
    is marked failed with the reason, and nothing is marked generated. A second delivery of the
    task builds nothing while the first build may still run (background.build_claim).
    """
    if not build_claim(ReportVersion, version_pk, task_id):
        return ReportVersion.objects.get(pk=version_pk)  # built, failed, or another's build
    version = ReportVersion.objects.select_related("report").get(pk=version_pk)
    try:
        data = reports.report_data(version.report.quarter, version.report)
        _set_progress(version_pk, 40)
        pdf = reports.render_pdf(data)
        _set_progress(version_pk, 70)
        xlsx = reports.render_xlsx(data)
        _set_progress(version_pk, 90)
        pdf_name = version.pdf.storage.save(f"reports/{version.filename('pdf')}", ContentFile(pdf))
        xlsx_name = version.xlsx.storage.save(
            f"reports/{version.filename('xlsx')}", ContentFile(xlsx)
        )
    except Exception as error:
        logger.exception("Report version %s failed.", version_pk)
        ReportVersion.objects.filter(pk=version_pk, status__in=RUNNING).update(
            status=VersionStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        version.refresh_from_db()
        return version
    with transaction.atomic():
        version = ReportVersion.objects.select_for_update().get(pk=version_pk)
        if version.status not in RUNNING:
            return version
        version.data = data
        version.pdf.name = pdf_name
        version.xlsx.name = xlsx_name
        version.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        version.xlsx_sha256 = hashlib.sha256(xlsx).hexdigest()
        version.status = VersionStatus.GENERATED
        version.progress = 100
        version.generated_at = timezone.now()
        version.error = ""
        version.save()
    return version

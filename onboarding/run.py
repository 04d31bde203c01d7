"""The work the onboarding tasks do, below both the services that queue it and the tasks that
run it: check an upload (progress as it goes), and import a confirmed one in one transaction
(checked again first: all of it or nothing)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from benefits.models import Benefit, BenefitProfile
from benefits.services import rollup_mark
from core.audit import BULK_BATCH, acting_as, bulk_create_audited, bulk_update_audited
from governance.models import RaciActivity, RaciAssignment
from portfolio.models import DocumentKind, Programme, StageDocument

from .models import OnboardingUpload, UploadStatus
from .plan import Plan, check
from .reading import read_upload

logger = logging.getLogger(__name__)

# What the roll-up and the benefits realisation totals read: an import writing any of them asks
# for a full run (in its transaction, as every service that moves them marks its programme).
ROLLED_UP = (Programme, Benefit, BenefitProfile)


def _store(row: OnboardingUpload, plan: Plan) -> None:
    row.summary = plan.summary()
    row.problems = [problem.as_dict() for problem in plan.problems]
    row.problem_count = plan.problem_count


def upload_check(*, upload_pk: int) -> OnboardingUpload:
    """Check a queued upload; it ends previewed (nothing wrong), invalid (its problems listed)
    or failed (the reason). An upload no longer waiting for its check is left as it is."""
    queued = OnboardingUpload.objects.filter(
        pk=upload_pk, status__in=(UploadStatus.QUEUED, UploadStatus.CHECKING)
    )
    if not queued.update(status=UploadStatus.CHECKING, progress=5):
        return OnboardingUpload.objects.get(pk=upload_pk)
    row = OnboardingUpload.objects.select_related("uploaded_by").get(pk=upload_pk)

    def progress(value: int) -> None:
        queued.filter(status=UploadStatus.CHECKING).update(progress=value)

    try:
        upload = read_upload(bytes(row.data), filename=row.filename)
        progress(10)
        plan = check(upload, actor=row.uploaded_by, progress=progress)
    except Exception as error:
        logger.exception("Onboarding upload %s could not be checked.", upload_pk)
        queued.update(status=UploadStatus.FAILED, failure=f"{type(error).__name__}: {error}"[:2000])
        row.refresh_from_db()
        return row
    _store(row, plan)
    row.status = UploadStatus.PREVIEWED if plan.ok else UploadStatus.INVALID
    row.progress = 100
    row.checked_at = timezone.now()
    row.save()
    return row


def _create(model: type[models.Model], objs: list[Any]) -> None:
    if hasattr(model, "history"):
        bulk_create_audited(model, objs)
    else:  # a decision keeps no history rows: it is itself the record
        model._default_manager.bulk_create(objs, batch_size=BULK_BATCH)


def _update(model: type[models.Model], objs: list[Any], fields: list[str]) -> None:
    if hasattr(model, "history"):
        bulk_update_audited(model, objs, fields)
    else:
        model._default_manager.bulk_update(objs, fields, batch_size=BULK_BATCH)


def plan_apply(plan: Plan) -> None:
    """Write what ``plan`` found, sheet by sheet in the workbook's order (a programme before
    its rows): bulk inserts and updates, each with its history rows; the roll-up marked for a
    full run when programmes, benefits or their profiles were written."""
    for sheet_plan in plan.sheets:
        model = sheet_plan.sheet.model
        if model is RaciAssignment and plan.new_activities:
            bulk_create_audited(RaciActivity, plan.new_activities)
        if sheet_plan.create:
            _create(model, sheet_plan.create)
            if model is Programme:  # a new programme starts in Identify, writing its SOC
                documents = [
                    StageDocument(programme=p, kind=DocumentKind.SOC) for p in sheet_plan.create
                ]
                bulk_create_audited(StageDocument, documents)
        if sheet_plan.update:
            _update(model, sheet_plan.update, sorted(sheet_plan.update_fields))
    if any(s.sheet.model in ROLLED_UP and (s.create or s.update) for s in plan.sheets):
        rollup_mark(everything=True)


def upload_confirm(*, upload_pk: int) -> OnboardingUpload:
    """Import a confirmed upload: the row locked, the file checked again and, if nothing is wrong,
    every row written in the same transaction; else nothing is written and the problems are
    shown. A second delivery of the task finds the row no longer confirming and leaves it."""
    try:
        with transaction.atomic():
            row = OnboardingUpload.objects.select_for_update().get(pk=upload_pk)
            if row.status != UploadStatus.CONFIRMING:
                return row
            actor = row.confirmed_by
            upload = read_upload(bytes(row.data), filename=row.filename)
            plan = check(upload, actor=actor)
            _store(row, plan)
            row.progress = 100
            if not plan.ok:
                row.status = UploadStatus.INVALID
                row.save()
                return row
            with acting_as(actor):
                plan_apply(plan)
            row.status = UploadStatus.CONFIRMED
            row.confirmed_at = timezone.now()
            row.data = b""
            row.save()
            return row
    except Exception as error:
        logger.exception("Onboarding upload %s could not be imported.", upload_pk)
        OnboardingUpload.objects.filter(pk=upload_pk, status=UploadStatus.CONFIRMING).update(
            status=UploadStatus.FAILED,
            failure=f"Nothing was imported. {type(error).__name__}: {error}"[:2000],
        )
        return OnboardingUpload.objects.get(pk=upload_pk)

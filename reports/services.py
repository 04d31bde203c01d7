"""Writes for the quarterly scrutiny report: start, edit, generate, build, publish, correct.

Published versions are immutable: every write here refuses to touch them, and a correction is a
new version that supersedes the published one when it is published (both are kept).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.audit import audited, bulk_create_audited
from core.errors import ServiceError, full_clean
from core.queueing import queue_after_commit
from governance.models import Board, Lesson, LessonStatus
from portfolio.models import HighlightReport, Programme
from portfolio.periods import Quarter

from . import quarterly as reports
from .models import (
    RUNNING,
    BoardPackPdf,
    DeepDivePack,
    ProgrammeProgress,
    QuarterlyReport,
    ReportSection,
    ReportVersion,
    VersionStatus,
)
from .notifications import report_published
from .tasks import board_pack_pdf_build, deep_dive_build, report_build

NARRATIVE_FIELDS = (
    "committee", "meeting_date", "author", "recommendations", "executive_summary",
    "headline_progress", "new_phase",
)  # fmt: skip


class ReportLocked(ServiceError):
    """The report is published: change it only through a correction."""


def _refuse_if_locked(report: QuarterlyReport) -> None:
    if report_is_locked(report):
        raise ReportLocked(
            "This report is published and cannot be changed. Start a correction to prepare a "
            "new version that supersedes it."
        )


def report_is_locked(report: QuarterlyReport) -> bool:
    published = report.versions.filter(status=VersionStatus.PUBLISHED).exists()
    return published and not report.correction_open


def report_prefill(*, report: QuarterlyReport) -> None:
    """Add a progress paragraph for each of the quarter's programmes without one, from its
    highlight reports in the quarter."""
    quarter = report.quarter
    programmes = reports.quarter_programmes(quarter)
    existing = set(report.progress.values_list("programme_id", flat=True))
    highlights: dict[int, list[str]] = {}
    for programme_id, progress in (
        HighlightReport.objects.between(quarter.start, quarter.end)
        .filter(programme_id__in=[p.id for p in programmes])
        .order_by("programme_id", "month")
        .values_list("programme_id", "progress")
    ):
        if progress.strip() and progress.strip() not in highlights.get(programme_id, []):
            highlights.setdefault(programme_id, []).append(progress.strip())
    bulk_create_audited(
        ProgrammeProgress,
        (
            ProgrammeProgress(
                report=report, programme_id=p.id, paragraph=" ".join(highlights.get(p.id, []))
            )
            for p in programmes
            if p.id not in existing
        ),
    )


@transaction.atomic
@audited
def report_start(*, quarter: Quarter, actor: Any) -> QuarterlyReport:
    """The quarter's report, created with its progress paragraphs prefilled if new.

    Refuses a quarter that has not started or that no programme's data reaches.
    """
    if quarter.start > timezone.localdate():
        raise ServiceError(f"{quarter.long_label} has not started yet.")
    if not reports.quarter_has_data(quarter):
        raise ServiceError(
            f"There is no programme data for {quarter.long_label}: no report can be written."
        )
    report, created = QuarterlyReport.objects.get_or_create(
        financial_year=quarter.financial_year.start_year, quarter_number=quarter.number
    )
    if created:
        report_prefill(report=report)
    return report


def _locked_report(report: QuarterlyReport, version: int | None = None) -> QuarterlyReport:
    locked = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
    if version is not None and locked.version != version:
        raise ServiceError(
            "Someone else changed this report while you were editing it. Check their changes "
            "and make yours again."
        )
    return locked


@transaction.atomic
@audited
def report_update(
    *, report: QuarterlyReport, actor: Any, version: int | None = None, **fields: Any
) -> QuarterlyReport:
    locked = _locked_report(report, version)
    _refuse_if_locked(locked)
    unknown = set(fields) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ValueError(f"Not narrative fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    full_clean(locked)
    locked.save()
    return locked


@transaction.atomic
@audited
def report_progress_update(
    *, progress: ProgrammeProgress, paragraph: str, actor: Any
) -> ProgrammeProgress:
    _refuse_if_locked(_locked_report(progress.report))
    progress.paragraph = paragraph
    progress.save(update_fields=["paragraph"])
    return progress


@transaction.atomic
@audited
def report_section_save(
    *, report: QuarterlyReport, actor: Any, section: ReportSection | None = None, **fields: Any
) -> ReportSection:
    _refuse_if_locked(_locked_report(report))
    if section is None:
        last = report.sections.order_by("-position").values_list("position", flat=True).first()
        section = ReportSection(report=report, position=(last or 0) + 1)
    for name in ("title", "body", "annex"):
        if name in fields:
            setattr(section, name, fields[name])
    full_clean(section)
    section.save()
    return section


@transaction.atomic
@audited
def report_lessons_choose(
    *, report: QuarterlyReport, lessons: Iterable[Lesson], actor: Any
) -> QuarterlyReport:
    """The lessons the PMO chooses for the report's lessons annex (none: no annex)."""
    locked = _locked_report(report)
    _refuse_if_locked(locked)
    chosen = list(Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons]))
    merged = [lesson for lesson in chosen if lesson.status == LessonStatus.MERGED]
    if merged:
        raise ServiceError(
            {"lessons": f"Lesson {merged[0].reference} was merged into another: choose that one."}
        )
    locked.lessons.set(chosen)
    locked.save()  # a history row: who changed the annex, and when
    return locked


@transaction.atomic
@audited
def report_generate(*, report: QuarterlyReport, actor: Any) -> tuple[ReportVersion, bool]:
    """Queue a new version; returns (version, created). A version already queued or generating
    for this report is returned instead (the second request joins the first)."""
    locked = _locked_report(report)
    _refuse_if_locked(locked)
    running = locked.versions.filter(status__in=RUNNING).first()
    if running:
        return running, False
    last = locked.versions.order_by("-number").values_list("number", flat=True).first()
    version = ReportVersion.objects.create(
        report=locked,
        number=(last or 0) + 1,
        requested_by=actor,
        as_of=reports.quarter_end(locked.quarter),
    )
    queue_after_commit(
        report_build, version.pk, what="report version",
        waiting=ReportVersion.objects.filter(pk=version.pk, status=VersionStatus.QUEUED),
        failed=lambda error: {"status": VersionStatus.FAILED,
                              "error": f"The report could not be queued ({error}). Try again."},
    )  # fmt: skip
    return version, True


@transaction.atomic
@audited
def report_publish(*, version: ReportVersion, actor: Any) -> ReportVersion:
    """Publish a generated version; a published one before it becomes superseded (kept)."""
    report = _locked_report(version.report)
    version = ReportVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.GENERATED:
        raise ServiceError(
            f"Version {version.number} is {version.get_status_display().lower()}: only a "
            "generated version can be published."
        )
    _refuse_if_locked(report)
    current = report.versions.select_for_update().filter(status=VersionStatus.PUBLISHED).first()
    if current:
        current.status = VersionStatus.SUPERSEDED
        current.save(update_fields=["status"])
        version.supersedes = current
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save()
    report.correction_open = False
    report.save(update_fields=["correction_open"])
    report_published(version)
    return version


@transaction.atomic
@audited
def report_correct(*, report: QuarterlyReport, actor: Any) -> QuarterlyReport:
    """Open a correction: the narrative can be edited and a new version generated; publishing
    it supersedes the published version."""
    locked = _locked_report(report)
    if not locked.versions.filter(status=VersionStatus.PUBLISHED).exists():
        raise ServiceError("Only a published report needs a correction: edit it instead.")
    locked.correction_open = True
    locked.save(update_fields=["correction_open"])
    return locked


# --- Deep-dive packs ---------------------------------------------------------------------------


@transaction.atomic
@audited
def deep_dive_request(*, programme: Programme, actor: Any) -> tuple[DeepDivePack, bool]:
    """Queue a new deep-dive pack of ``programme``; returns (pack, created). A pack already
    queued or generating is returned instead (the second request joins the first)."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    running = programme.deep_dive_packs.filter(status__in=RUNNING).first()
    if running:
        return running, False
    last = programme.deep_dive_packs.order_by("-number").values_list("number", flat=True).first()
    pack = DeepDivePack.objects.create(
        programme=programme, number=(last or 0) + 1, requested_by=actor
    )
    queue_after_commit(
        deep_dive_build, pack.pk, what="deep-dive pack",
        waiting=DeepDivePack.objects.filter(pk=pack.pk, status=VersionStatus.QUEUED),
        failed=lambda error: {"status": VersionStatus.FAILED,
                              "error": f"The pack could not be queued ({error}). Try again."},
    )  # fmt: skip
    return pack, True


@transaction.atomic
@audited
def board_pack_pdf_request(*, board: Board, actor: Any) -> tuple[BoardPackPdf, bool]:
    """Queue a new PDF of ``board``'s pack; returns (row, created). One already queued or
    generating is returned instead (the second request joins the first)."""
    board = Board.objects.select_for_update().get(pk=board.pk)
    running = board.pack_pdfs.filter(status__in=RUNNING).first()
    if running:
        return running, False
    last = board.pack_pdfs.order_by("-number").values_list("number", flat=True).first()
    row = BoardPackPdf.objects.create(board=board, number=(last or 0) + 1, requested_by=actor)
    queue_after_commit(
        board_pack_pdf_build, row.pk, what="board pack PDF",
        waiting=BoardPackPdf.objects.filter(pk=row.pk, status=VersionStatus.QUEUED),
        failed=lambda error: {"status": VersionStatus.FAILED,
                              "error": f"The PDF could not be queued ({error}). Try again."},
    )  # fmt: skip
    return row, True

"""Writes to programmes, their stage documents and highlight reports.

The stage never moves here: only the gate service (governance) calls the transitions.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from accounts.services import duty_check
from core.audit import audited, bulk_update_audited
from core.errors import ServiceError, full_clean

from .models import (
    AssuranceRating,
    DeliveryConfidence,
    Directorate,
    DocumentKind,
    DocumentSection,
    DocumentVersion,
    HighlightReport,
    Milestone,
    MilestoneStatus,
    Programme,
    SectionTemplate,
    Stage,
    StageDocument,
)
from .periods import add_months
from .project_xml import PlanComparison, PlanRow, compare_plan
from .sections import DEFAULT_SECTIONS


class DocumentError(ServiceError):
    """A document write that cannot happen; the message is for the user."""


class DocumentLocked(DocumentError):
    pass


class SectionConflict(DocumentError):
    """Someone saved the section since this editor loaded it: both texts, to merge."""

    def __init__(self, *, section: DocumentSection, theirs: str, yours: str) -> None:
        self.section, self.theirs, self.yours = section, theirs, yours
        who = section.updated_by or "someone"
        super().__init__(
            f"{who} saved this section while you were editing it. Merge the two texts and save."
        )


class DocumentIncomplete(DocumentError):
    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__("Complete the required sections before submitting: " + ", ".join(missing))


def section_templates_install() -> int:
    """Install the default document sections that are missing; returns how many were added."""
    added = 0
    for position, (document, key, title, guidance, required) in enumerate(DEFAULT_SECTIONS):
        _, created = SectionTemplate.objects.get_or_create(
            document=document,
            key=key,
            defaults={"title": title, "guidance": guidance, "required": required,
                      "position": position},
        )  # fmt: skip
        added += created
    return added


def _routes(patterns: list[Any], prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, route)
        else:
            routes.append(route)
    return routes


def reserved_programme_slugs() -> frozenset[str]:
    """Every fixed path segment directly under /programmes/ ("new", ...): a programme given one
    of these as its slug could never be reached at /programmes/<slug>/."""
    reserved = set()
    for route in _routes(get_resolver().url_patterns):
        if route.startswith("programmes/"):
            segment = route.removeprefix("programmes/").split("/", 1)[0]
            if segment and "<" not in segment and not segment.startswith("^"):
                reserved.add(segment)
    return frozenset(reserved)


@transaction.atomic
@audited
def programme_create(
    *,
    name: str,
    actor: User,
    description: str = "",
    manager: User | None = None,
    sro: User | None = None,
    directorate: Directorate | None = None,
    light_touch: bool = False,
) -> Programme:
    """A new idea in Identify; its manager then writes the SOC."""
    base = slugify(name)[:150] or "programme"
    reserved = reserved_programme_slugs()
    slug, n = base, 1
    while slug in reserved or Programme.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    duty_check(person=manager, duty="programme_manager", field="manager")
    duty_check(person=sro, duty="sro", field="sro")
    programme = Programme(
        name=name, slug=slug, description=description, manager=manager, sro=sro,
        directorate=directorate, light_touch=light_touch,
    )  # fmt: skip
    programme.save()
    StageDocument.objects.create(programme=programme, kind=DocumentKind.SOC)
    return programme


def _document_for_update(programme: Programme, kind: str) -> StageDocument:
    document, _ = StageDocument.objects.get_or_create(programme=programme, kind=kind)
    return StageDocument.objects.select_for_update().get(pk=document.pk)


def document_is_editable(programme: Programme, kind: str) -> bool:
    return programme.is_open and kind in programme.document_kinds


@transaction.atomic
@audited
def section_save(
    *, programme: Programme, kind: str, key: str, text: str, base_version: int, actor: User
) -> DocumentSection:
    """Save one section's draft if nobody saved it since ``base_version``; else SectionConflict."""
    if not document_is_editable(programme, kind):
        raise DocumentLocked(
            f"The {DocumentKind(kind).label} cannot be edited while the programme is "
            f"in {programme.stage_label}."
        )
    if not SectionTemplate.objects.filter(document=kind, key=key).exists():
        raise DocumentError("That section is not part of this document.")
    document = _document_for_update(programme, kind)
    if document.locked:
        raise DocumentLocked(
            "This document has been submitted to a gate review and is locked until the review "
            "is decided or withdrawn."
        )
    section, _ = DocumentSection.objects.get_or_create(document=document, key=key)
    text = text.replace("\r\n", "\n")
    if section.version != base_version:
        if section.text == text:
            return section  # the same words saved twice (a retried autosave): nothing to merge
        raise SectionConflict(section=section, theirs=section.text, yours=text)
    if section.text == text and section.version:
        return section
    section.text = text
    section.version += 1
    section.carried_over_from = ""
    section.updated_by = actor
    section.save()
    return section


def document_missing_sections(document: StageDocument) -> list[str]:
    filled = {s.key for s in document.sections.all() if s.text.strip()}
    return [
        t.title
        for t in SectionTemplate.objects.filter(document=document.kind, required=True)
        if t.key not in filled
    ]


def canonical_hash(content: list[dict[str, str]]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
@audited
def document_freeze(*, programme: Programme, kind: str, actor: User) -> DocumentVersion:
    """Check completeness, freeze the next numbered version and lock the draft."""
    document = _document_for_update(programme, kind)
    if document.locked:
        raise DocumentLocked("This document is already submitted and awaiting a decision.")
    missing = document_missing_sections(document)
    if missing:
        raise DocumentIncomplete(missing)
    texts = {s.key: s.text for s in document.sections.all()}
    content = [
        {"key": t.key, "title": t.title, "text": texts.get(t.key, "")}
        for t in SectionTemplate.objects.filter(document=kind)
    ]
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion.objects.create(
        document=document, number=number, content=content,
        content_hash=canonical_hash(content), submitted_by=actor,
    )  # fmt: skip
    document.locked = True
    document.returned_reasons = ""
    document.save()
    return version


# Each stage document starts from the last approved version of the one before it.
CARRIES_OVER_FROM: dict[str, str] = {DocumentKind.FULL_BRIEF: DocumentKind.INITIAL_BRIEF}


@transaction.atomic
@audited
def document_carry_over(*, programme: Programme, kind: str, actor: User) -> int:
    """Start ``kind`` from the last approved version of the document before it, where their
    sections correspond (the same key): each carried section is marked with where it came from.
    Sections already written are left alone. Returns how many were carried over."""
    source_kind = CARRIES_OVER_FROM.get(kind)
    if source_kind is None:
        return 0
    # "Approved" is a gate review's status (governance), read through the reverse relation.
    source = (
        DocumentVersion.objects.filter(
            document__programme=programme,
            document__kind=source_kind,
            gate_reviews__status="approved",
        )
        .order_by("-number")
        .first()
    )
    if source is None:
        return 0
    keys = set(SectionTemplate.objects.filter(document=kind).values_list("key", flat=True))
    document = _document_for_update(programme, kind)
    carried = 0
    for section in source.content:
        if section["key"] not in keys or not section.get("text", "").strip():
            continue
        row, _ = DocumentSection.objects.get_or_create(document=document, key=section["key"])
        if row.text.strip():
            continue
        row.text = section["text"]
        row.version += 1
        row.carried_over_from = str(source)
        row.updated_by = actor
        row.save()
        carried += 1
    return carried


@transaction.atomic
@audited
def document_unlock(*, document: StageDocument, actor: User, reasons: str = "") -> StageDocument:
    """Return a submitted document to draft (deferred, withdrawn or decided)."""
    document = StageDocument.objects.select_for_update().get(pk=document.pk)
    document.locked = False
    document.returned_reasons = reasons
    document.save()
    return document


def follow_up_review_date(confidence: str, *, from_day: date | None = None) -> date | None:
    """When an Amber/Red or Red rating is reviewed again (``CONFIDENCE_FOLLOW_UP_MONTHS``
    after ``from_day``, today by default); None for any better rating."""
    if not DeliveryConfidence(confidence).needs_follow_up:
        return None
    return add_months(from_day or timezone.localdate(), settings.CONFIDENCE_FOLLOW_UP_MONTHS)


def _check_confidence(report: HighlightReport) -> None:
    """A rating below Green needs its rationale; one two or more steps better than the
    programme's previous report needs the reason for the improvement."""
    confidence = DeliveryConfidence(report.delivery_confidence)
    report.confidence_rationale = report.confidence_rationale.strip()
    report.improvement_reason = report.improvement_reason.strip()
    errors: dict[str, str] = {}
    if confidence != DeliveryConfidence.GREEN and not report.confidence_rationale:
        errors["confidence_rationale"] = (
            f"Give the rationale for a delivery confidence of {confidence.label}"
        )
    previous = (
        HighlightReport.objects.filter(programme=report.programme, month__lt=report.month)
        .order_by("-month")
        .first()
    )
    if previous is not None:
        before = DeliveryConfidence(previous.delivery_confidence)
        if confidence.score - before.score >= 2 and not report.improvement_reason:
            errors["improvement_reason"] = (
                f"Give the reason for the improvement from {before.label} "
                f"({previous.month:%B %Y}) to {confidence.label}"
            )
    if errors:
        raise DocumentError(errors)


@transaction.atomic
@audited
def highlight_report_save(
    *, programme: Programme, month: date, actor: User, **fields: object
) -> HighlightReport:
    """Write (or rewrite) the Programme Workbook's highlight report for ``month``.

    Its delivery confidence needs a rationale below Green and a reason for a jump of two or
    more steps; Amber/Red and Red schedule a follow-up review (kept when rewritten)."""
    if programme.stage != Stage.DELIVER:
        raise DocumentLocked("Highlight reports are written while the programme is in Deliver.")
    month = month.replace(day=1)
    report = (
        HighlightReport.objects.select_for_update().filter(programme=programme, month=month).first()
    )
    if report is None:
        report = HighlightReport(programme=programme, month=month, created_by=actor)
    for name, value in fields.items():
        setattr(report, name, value)
    _check_confidence(report)
    if not DeliveryConfidence(report.delivery_confidence).needs_follow_up:
        report.follow_up_review_on = None
    elif report.follow_up_review_on is None:
        report.follow_up_review_on = follow_up_review_date(report.delivery_confidence)
    report.save()
    Programme.objects.filter(pk=programme.pk).latest_reports_refresh()
    return report


@transaction.atomic
@audited
def assurance_rating_record(
    *,
    programme: Programme,
    delivery_confidence: str,
    rationale: str,
    actor: User,
    assessed_on: date | None = None,
) -> AssuranceRating:
    """The PMO's independent assurance rating, recorded beside the manager's self-assessment.
    Every rating is kept (a new row each time); Amber/Red and Red schedule a follow-up review."""
    if not programme.is_open and programme.stage != Stage.PAUSED:
        raise ServiceError(
            f"{programme} is {programme.stage_label}: "
            "its delivery confidence is no longer assessed."
        )
    if not rationale.strip():
        raise ServiceError({"rationale": "Give the rationale for the assurance rating"})
    day = assessed_on or timezone.localdate()
    if day > timezone.localdate():
        raise ServiceError({"assessed_on": "The assessment date must be today or in the past"})
    return AssuranceRating.objects.create(
        programme=programme,
        assessed_on=day,
        delivery_confidence=DeliveryConfidence(delivery_confidence),
        rationale=rationale.strip(),
        follow_up_review_on=follow_up_review_date(delivery_confidence, from_day=day),
        assessed_by=actor,
    )


# --- The plan: milestones ------------------------------------------------------------------


class PlanError(ServiceError):
    """A change to a programme's plan that cannot happen; the message is for the user."""


def _dependency_check(milestone: Milestone, depends_on: Milestone | None) -> None:
    if depends_on is None:
        return
    if depends_on.programme_id == milestone.programme_id:
        raise PlanError({"depends_on": "Choose a milestone of another programme."})
    seen: set[int | None] = {milestone.pk}
    step: Milestone | None = depends_on
    while step is not None:
        if step.pk in seen:
            raise PlanError(
                {"depends_on": f"“{depends_on}” already waits on this milestone: choose another."}
            )
        seen.add(step.pk)
        step = step.depends_on


def _status_check(status: str, completed_on: date | None) -> None:
    if status == MilestoneStatus.COMPLETE and completed_on is None:
        raise PlanError({"completed_on": "Enter the actual date the milestone was completed."})
    if status != MilestoneStatus.COMPLETE and completed_on is not None:
        raise PlanError({"status": "A milestone with an actual date is complete: choose Complete."})
    if completed_on is not None and completed_on > timezone.localdate():
        raise PlanError({"completed_on": "The actual date cannot be in the future."})


@transaction.atomic
@audited
def milestone_save(
    *,
    programme: Programme,
    actor: User,
    title: str,
    due_date: date,
    milestone: Milestone | None = None,
    baseline_date: date | None = None,
    completed_on: date | None = None,
    status: str = MilestoneStatus.NOT_STARTED,
    owner: User | None = None,
    stage: str = "",
    depends_on: Milestone | None = None,
    reference: str = "",
) -> Milestone:
    """Add a milestone to the end of the plan, or change one. A new milestone's baseline is the
    date given (or its forecast); once the programme's baselines are locked (Deliver) an
    existing baseline moves only through an approved change request."""
    if milestone is None:
        milestone = Milestone(programme=programme)
        last = programme.milestones.aggregate(last=Max("position"))["last"] or 0
        milestone.position = last + 1
        milestone.baseline_date = baseline_date or due_date
    else:
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.programme_id != programme.pk:
            raise PlanError("That milestone belongs to another programme.")
        if baseline_date is not None and baseline_date != milestone.baseline_date:
            if programme.baselines_locked:
                raise PlanError({
                    "baseline_date": "The baseline is agreed: it moves only through an approved "
                    "change request. Raise one from the Change requests page."
                })  # fmt: skip
            milestone.baseline_date = baseline_date
    _status_check(status, completed_on)
    _dependency_check(milestone, depends_on)
    duty_check(person=owner, duty="owner", field="owner", was_id=milestone.owner_id)
    reference = reference.strip()
    if (
        reference
        and Milestone.objects.filter(programme=programme, reference=reference)
        .exclude(pk=milestone.pk)
        .exists()
    ):
        raise PlanError({"reference": f"Another milestone of this plan is {reference}."})
    milestone.title, milestone.due_date, milestone.completed_on = title, due_date, completed_on
    milestone.status, milestone.owner, milestone.stage = status, owner, stage
    milestone.depends_on, milestone.reference = depends_on, reference
    full_clean(milestone)
    milestone.save()
    return milestone


@transaction.atomic
@audited
def milestone_complete(*, milestone: Milestone, completed_on: date, actor: User) -> Milestone:
    """Record the actual date a milestone was met."""
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.is_complete:
        done = f"{milestone.completed_on:%-d %B %Y}" if milestone.completed_on else "a past date"
        raise PlanError(f"“{milestone}” was already completed on {done}.")
    _status_check(MilestoneStatus.COMPLETE, completed_on)
    milestone.status, milestone.completed_on = MilestoneStatus.COMPLETE, completed_on
    milestone.save(update_fields=["status", "completed_on"])
    return milestone


@transaction.atomic
@audited
def milestone_move(*, milestone: Milestone, up: bool, actor: User) -> Milestone:
    """Move a milestone one place up or down the plan (the plan is renumbered 1, 2, 3…)."""
    plan = list(
        Milestone.objects.select_for_update()
        .filter(programme_id=milestone.programme_id)
        .in_plan_order()
    )
    index = next(i for i, m in enumerate(plan) if m.pk == milestone.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(plan):
        raise PlanError(f"“{milestone}” is already {'first' if up else 'last'} in the plan.")
    plan[index], plan[other] = plan[other], plan[index]
    changed = []
    for position, item in enumerate(plan, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    bulk_update_audited(Milestone, changed, ["position"])
    return plan[other]


@transaction.atomic
@audited
def plan_import(*, programme: Programme, rows: list[PlanRow], actor: User) -> PlanComparison:
    """Bring a plan's milestones in (a Microsoft Project file's, read by ``project_xml``): new
    references are added to the end of the plan, known ones updated. All or nothing: the rows
    are compared again here, and any error refuses the whole import."""
    Programme.objects.select_for_update().get(pk=programme.pk)  # one import at a time
    incomplete = [r.where or r.reference for r in rows if not r.due_date or not r.title]
    if incomplete:
        raise PlanError(f"{incomplete[0]}: every milestone needs a name and a forecast date.")
    result = compare_plan(programme, rows)
    if result.errors:
        raise PlanError(result.errors)
    last = programme.milestones.aggregate(last=Max("position"))["last"] or 0
    for position, change in enumerate(result.create, start=last + 1):
        milestone = Milestone(
            programme=programme, reference=change.row.reference, position=position,
            **change.values,
        )  # fmt: skip
        full_clean(milestone)
        milestone.save()
    for change in result.update:
        updated = change.milestone
        if updated is None:  # pragma: no cover - an update always has its milestone
            continue
        for name, value in change.values.items():
            setattr(updated, name, value)
        full_clean(updated)
        updated.save()
    return result

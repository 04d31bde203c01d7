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
from core.audit import audited
from core.errors import ServiceError

from .models import (
    AssuranceRating,
    DeliveryConfidence,
    Directorate,
    DocumentKind,
    DocumentSection,
    DocumentVersion,
    HighlightReport,
    Programme,
    SectionTemplate,
    Stage,
    StageDocument,
)
from .periods import add_months
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

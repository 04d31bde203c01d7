"""Writes to programmes, their stage documents and highlight reports.

The stage never moves here: only the gate service (governance) calls the transitions.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from accounts.models import User
from core.audit import audited
from core.errors import ServiceError

from .models import (
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
    slug, n = base, 1
    while Programme.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
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


@transaction.atomic
@audited
def document_unlock(*, document: StageDocument, actor: User, reasons: str = "") -> StageDocument:
    """Return a submitted document to draft (deferred, withdrawn or decided)."""
    document = StageDocument.objects.select_for_update().get(pk=document.pk)
    document.locked = False
    document.returned_reasons = reasons
    document.save()
    return document


@transaction.atomic
@audited
def highlight_report_save(
    *, programme: Programme, month: date, actor: User, **fields: object
) -> HighlightReport:
    """Write (or rewrite) the Programme Workbook's highlight report for ``month``."""
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
    report.save()
    return report

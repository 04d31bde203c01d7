"""Reads for the portfolio pages.

The programme page gathers the registers other apps keep about a programme through the
reverse relations they declare (risks, benefits, one-off costs), so portfolio imports none of
them: imports flow accounts ← portfolio ← governance, benefits ← dashboard.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

from core.charts import Timeline, timeline_chart

from .models import (
    AssuranceRating,
    DocumentKind,
    DocumentSection,
    HighlightReport,
    Milestone,
    MilestoneStatus,
    Portfolio,
    Programme,
    SectionTemplate,
    Stage,
    StageDocument,
)
from .periods import Quarter
from .services import document_is_editable


def stage_table(programmes: list[Programme]) -> dict[str, Any]:
    """The "Where are we?" table: programmes by stage, grouped by portfolio."""
    portfolios: dict[Portfolio | None, dict[str, list[Programme]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for programme in programmes:
        portfolios[programme.portfolio][programme.stage].append(programme)
    ordered = sorted(portfolios, key=lambda p: (p is None, p.position if p else 0, str(p)))
    return {
        "stages": Stage.pipeline(),
        "rows": [
            {"portfolio": p, "cells": [portfolios[p].get(s, []) for s in Stage.pipeline()]}
            for p in ordered
        ],
        "elsewhere": [p for p in programmes if p.stage not in Stage.pipeline()],
    }


def programme_page(programme: Programme) -> dict[str, Any]:
    """Everything the programme page shows, in a fixed number of queries."""
    milestones = list(programme.milestones.all())
    risks = list(programme.risks.all())
    benefits = list(
        programme.benefits.select_related("owner", "mtfp_line").prefetch_related("profile")
    )
    # Gate reviews are governance's; the page reads them through the reverse relation.
    reviews = list(
        programme.gate_reviews.select_related("version__document")
        .prefetch_related("sign_offs")
        .order_by("submitted_at")
    )
    return {
        "programme": programme,
        "milestones": milestones,
        "risks": risks,
        "benefits": benefits,
        "gate_reviews": reviews,
        "identified_at": min(
            [programme.created_at, programme.stage_entered_at, *(r.submitted_at for r in reviews)]
        ),
        "open_review": next((r for r in reviews if r.is_open), None),
        "documents": programme_documents(programme),
        "latest_report": programme.highlight_reports.order_by("-month").first(),
        "latest_assurance": programme.assurance_ratings.order_by("-assessed_on", "-pk").first(),
        # Its Programme Board, if one is established (governance's, by the reverse relation).
        "programme_board": getattr(programme, "board", None),
        # What the boards agreed at the gates (governance's, by the reverse relations).
        "guardrail_versions": list(programme.guardrail_versions.select_related("set_by")),
        "agreed": programme.agreed_investments.first(),
        "escalations": list(programme.escalations.select_related("board")[:10]),
        # The lessons recorded on it (governance's library, by the reverse relation).
        "lesson_count": programme.lessons.exclude(status="merged").count(),
    }


class SectionRow(TypedDict):
    """One section of a document's edit page: its template and the current draft, if any."""

    template: SectionTemplate
    text: str
    version: int
    section: DocumentSection | None


def document_page(programme: Programme, kind: str) -> dict[str, Any]:
    """A stage document's sections (with their drafts), completeness and frozen versions."""
    document = StageDocument.objects.filter(programme=programme, kind=kind).first()
    sections = {s.key: s for s in document.sections.all()} if document else {}
    rows: list[SectionRow] = []
    for template in SectionTemplate.objects.filter(document=kind):
        section = sections.get(template.key)
        rows.append({
            "template": template,
            "text": section.text if section else "",
            "version": section.version if section else 0,
            "section": section,
        })  # fmt: skip
    missing = [
        r["template"].title for r in rows if r["template"].required and not r["text"].strip()
    ]
    required = sum(1 for r in rows if r["template"].required)
    versions = (
        list(document.versions.select_related("submitted_by").prefetch_related("gate_reviews"))
        if document
        else []
    )
    return {
        "programme": programme,
        "kind": DocumentKind(kind),
        "document": document,
        "rows": rows,
        "missing": missing,
        "required_count": required,
        "complete_count": required - len(missing),
        "versions": versions,
        "locked": bool(document and document.locked),
        "editable": document_is_editable(programme, kind) and not (document and document.locked),
    }


def programme_documents(programme: Programme) -> list[dict[str, Any]]:
    """The current stage's documents with how complete each is (programme page)."""
    rows = []
    documents = {d.kind: d for d in programme.documents.prefetch_related("sections")}
    templates = list(SectionTemplate.objects.filter(required=True))
    for kind in programme.document_kinds:
        if kind == DocumentKind.WORKBOOK:
            rows.append({"kind": kind, "workbook": True})
            continue
        document = documents.get(kind)
        filled = {s.key for s in document.sections.all() if s.text.strip()} if document else set()
        required = [t for t in templates if t.document == kind]
        rows.append({
            "kind": kind,
            "document": document,
            "required_count": len(required),
            "complete_count": sum(1 for t in required if t.key in filled),
        })  # fmt: skip
    return rows


@dataclass
class ConfidenceMonth:
    """One month of a programme's delivery confidence: the manager's self-assessment (its
    highlight report) beside the PMO's independent assurance ratings of that month."""

    month: date
    report: HighlightReport | None = None
    assurance: list[AssuranceRating] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        """The PMO rated the month differently from the manager."""
        return self.report is not None and any(
            a.delivery_confidence != self.report.delivery_confidence for a in self.assurance
        )


def confidence_history(programme: Programme, limit: int | None = None) -> list[ConfidenceMonth]:
    """Both ratings month by month, newest first (two queries); ``limit`` months at most."""
    reports = HighlightReport.objects.for_programme(programme).order_by("-month")
    ratings = AssuranceRating.objects.filter(programme=programme).select_related("assessed_by")
    months: dict[date, ConfidenceMonth] = {}
    for report in reports:
        months[report.month] = ConfidenceMonth(report.month, report=report)
    for rating in ratings.order_by("-assessed_on", "-pk"):
        month = rating.assessed_on.replace(day=1)
        months.setdefault(month, ConfidenceMonth(month)).assurance.append(rating)
    ordered = sorted(months.values(), key=lambda m: m.month, reverse=True)
    return ordered[:limit] if limit is not None else ordered


# --- The plan ------------------------------------------------------------------------------
TIMELINE_ROWS = 30  # milestones drawn on a timeline; the table beside it lists every one
TIMELINE_QUARTERS = 12
TIMELINE_LABEL = 30  # characters of a milestone's title beside its row


def plan_milestones(programme: Programme) -> list[Milestone]:
    """The programme's milestones in the plan's order, with their owners and dependencies."""
    return list(programme.milestones.in_plan_order().with_context())


def milestone_state(milestone: Milestone) -> str:
    if milestone.is_complete:
        return "done"
    return "late" if milestone.is_late else "on-track"


def plan_timeline(milestones: list[Milestone]) -> Timeline | None:
    """The plan by quarter (the first ``TIMELINE_ROWS`` milestones, over at most
    ``TIMELINE_QUARTERS`` quarters from the earliest date shown); None for an empty plan."""
    shown = milestones[:TIMELINE_ROWS]
    if not shown:
        return None
    drawn = [(m, m.completed_on if m.is_complete and m.completed_on else m.due_date) for m in shown]
    dates = [d for _, d in drawn] + [m.baseline_date for m in shown if m.baseline_date]
    quarter, last = Quarter.from_date(min(dates)), Quarter.from_date(max(dates))
    quarters = [quarter]
    while quarters[-1] != last and len(quarters) < TIMELINE_QUARTERS:
        quarters.append(quarters[-1].next())
    periods = [(f"Q{q.number} {q.financial_year.label}", q.start, q.end) for q in quarters]
    rows = [(_cut(m.title), day, m.baseline_date, milestone_state(m)) for m, day in drawn]
    return timeline_chart(periods, rows)


def _cut(text: str) -> str:
    return text if len(text) <= TIMELINE_LABEL else text[: TIMELINE_LABEL - 1] + "…"


def plan_page(programme: Programme) -> dict[str, Any]:
    """The Plan page: the milestones in order, how many are late, and the timeline."""
    milestones = plan_milestones(programme)
    return {
        "programme": programme,
        "milestones": milestones,
        "late_count": sum(1 for m in milestones if m.is_late and not m.is_complete),
        "timeline": plan_timeline(milestones),
        "timeline_rows": TIMELINE_ROWS,
    }


MOVES = (
    ("baseline_date", "Baseline"),
    ("due_date", "Forecast"),
    ("completed_on", "Actual"),
    ("status", "Status"),
)


def milestone_moves(milestone: Milestone) -> list[dict[str, Any]]:
    """Each change to the milestone's dates or status, oldest first: when, who, and for each
    changed field its words, the value before (None when it was first recorded) and after."""
    records = list(
        milestone.history.select_related("history_user").order_by("history_date", "history_id")
    )
    moves = []
    previous = None
    for record in records:
        changes = []
        for name, label in MOVES:
            before: Any = getattr(previous, name) if previous else None
            after: Any = getattr(record, name)
            if previous is not None and before == after:
                continue
            if previous is None and after in (None, ""):
                continue
            if name == "status":
                before = MilestoneStatus(before).label if before else None
                after = MilestoneStatus(after).label
            changes.append({"label": label, "before": before, "after": after})
        if changes:
            moves.append({"when": record.history_date, "who": record.history_user,
                          "changes": changes})  # fmt: skip
        previous = record
    return moves

"""Reads for the gate pages and the programme history page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from portfolio.diffs import text_diff
from portfolio.models import (
    Directorate,
    DocumentSection,
    HighlightReport,
    Portfolio,
    Programme,
    SectionTemplate,
)

from .models import Decision, Gate, GateReview, Outcome, ReviewStatus, SignOff
from .services import board_for_step, may_decide_step


def gates_page(user: User) -> dict[str, Any]:
    reviews = GateReview.objects.with_context().oldest_first()
    is_pmo = user.groups.filter(name=Role.PMO.group_name).exists()
    awaiting = list(reviews.awaiting_user(user))
    open_reviews = list(reviews.open()) if is_pmo or user.has_perm("governance.view_gates") else []
    own = list(reviews.for_team_member(user).order_by("-submitted_at")[:50])
    return {
        "awaiting": awaiting,
        "open_reviews": open_reviews,
        "own_reviews": own,
        "is_pmo": is_pmo,
    }


def review_page(review: GateReview, user: User) -> dict[str, Any]:
    programme = review.programme
    benefits = list(
        programme.benefits.select_related("owner").annotate(
            planned_total=Sum("profile__planned"), forecast_total=Sum("profile__forecast")
        )
    )
    costs = programme.one_off_costs.aggregate(budget=Sum("budget"), actual=Sum("actual"))
    board = board_for_step(review.current_sign_off, programme) if review.is_open else None
    can_decide = review.is_open and may_decide_step(user, review, board)
    decisions = list(Decision.objects.for_programme(programme).with_context())
    previous = (
        review.version.document.versions.filter(number__lt=review.version.number)
        .order_by("-number")
        .first()
    )
    return {
        "review": review,
        "programme": programme,
        "version": review.version,
        "previous_version": previous,
        "sign_offs": list(review.sign_offs.select_related("board", "decided_by", "decision")),
        "benefits": benefits,
        "benefits_planned": sum((b.planned_total or Decimal("0") for b in benefits), Decimal("0")),
        "one_off_budget": costs["budget"] or Decimal("0"),
        "one_off_actual": costs["actual"] or Decimal("0"),
        "risks": list(programme.risks.all()),
        "decisions": decisions,
        "board": board,
        "can_decide": can_decide,
        "sets_terms": review.gate == "gate_1" and review.current_sign_off == SignOff.STB,
        "can_withdraw": review.is_open
        and not review.sign_offs.exists()
        and user.has_perm("governance.withdraw_gate_review", programme),
        "outcomes": Outcome,
    }


def _who(record) -> str:  # type: ignore[no-untyped-def]
    return str(record.history_user) if record.history_user else "The system"


def _readable(model, name: str, value, names: dict) -> str:  # type: ignore[no-untyped-def]
    field = model._meta.get_field(name)
    if value in (None, ""):
        return "—"
    if field.is_relation:
        return names.get((field.related_model, value), str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _field_changes(
    record, previous, fields: list[str], names: dict | None = None
) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def,type-arg]
    model = record.instance_type
    changes = []
    for name in fields:
        old = getattr(previous, name, "") if previous else ""
        new = getattr(record, name, "")
        if old != new and (previous or new not in ("", None, False)):
            label = model._meta.get_field(name).verbose_name
            changes.append({
                "field": str(label).capitalize(),
                "old": _readable(model, name, old, names or {}) if previous else "",
                "new": _readable(model, name, new, names or {}),
            })  # fmt: skip
    return changes


def _history_pairs(records) -> list[tuple[Any, Any]]:  # type: ignore[no-untyped-def]
    """(record, previous record of the same object) for history rows oldest first."""
    last: dict[int, Any] = {}
    pairs = []
    for record in records:
        pairs.append((record, last.get(record.id)))
        last[record.id] = record
    return pairs


def programme_history(programme: Programme, limit: int = 300) -> list[dict[str, Any]]:
    """Every recorded change to the programme, its documents, highlight reports and gate
    reviews, newest first, with readable diffs of text."""
    entries: list[dict[str, Any]] = []
    titles = {(t.document, t.key): t.title for t in SectionTemplate.objects.all()}

    programme_records = Programme.history.filter(id=programme.pk).select_related("history_user")
    fields = ["name", "description", "portfolio", "category", "light_touch", "guardrails",
              "stage", "manager", "sro", "directorate"]  # fmt: skip
    records = list(programme_records.order_by("history_date", "history_id"))
    people = {r.manager_id for r in records} | {r.sro_id for r in records}
    names = {(User, u.pk): str(u) for u in User.objects.filter(pk__in=people)}
    names |= {(Portfolio, p.pk): str(p) for p in Portfolio.objects.all()}
    names |= {(Directorate, d.pk): str(d) for d in Directorate.objects.all()}
    for record, previous in _history_pairs(records):
        changes = (
            _field_changes(
                record,
                previous,
                [
                    f"{f}_id" if f in ("portfolio", "manager", "sro", "directorate") else f
                    for f in fields
                ],
                names,
            )
            if previous
            else []
        )
        if previous is not None and not changes:
            continue
        entries.append({
            "when": record.history_date, "who": _who(record),
            "what": "Programme recorded" if previous is None else "Programme changed",
            "changes": changes,
        })  # fmt: skip

    sections = (
        DocumentSection.history.filter(document__programme=programme)
        .select_related("history_user", "document")
        .order_by("history_date", "history_id")
    )
    for record, previous in _history_pairs(sections):
        old = previous.text if previous else ""
        if old == record.text:
            continue  # the empty row a first save creates, or a save that changed nothing
        document = record.document
        title = titles.get((document.kind, record.key), record.key)
        entries.append({
            "when": record.history_date, "who": _who(record),
            "what": f"{document.get_kind_display()}: {title}",
            "url": document.get_absolute_url(),
            "chunks": text_diff(old, record.text),
        })  # fmt: skip

    reports = HighlightReport.history.filter(programme=programme).select_related("history_user")
    report_fields = ["delivery_confidence", "schedule_rag", "budget_rag", "benefits_rag",
                     "risk_rag", "progress", "next_period", "escalations"]  # fmt: skip
    for record, previous in _history_pairs(reports.order_by("history_date", "history_id")):
        entries.append({
            "when": record.history_date, "who": _who(record),
            "what": f"Highlight report, {record.month:%B %Y}",
            "changes": _field_changes(record, previous, report_fields),
        })  # fmt: skip

    reviews = (
        GateReview.history.filter(programme=programme)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for record, previous in _history_pairs(reviews):
        gate = Gate(record.gate).label
        status = ReviewStatus(record.status).label
        if previous is None:
            what = f"{gate}: submitted"
        elif previous.status != record.status:
            what = f"{gate}: {status.lower()}"
        elif previous.current_sign_off != record.current_sign_off:
            what = f"{gate}: signed off, now with the {SignOff(record.current_sign_off).label}"
        else:
            continue
        entries.append({
            "when": record.history_date, "who": _who(record), "what": what,
            "url": reverse("governance:review_detail", kwargs={"pk": record.id}),
        })  # fmt: skip

    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries[:limit]

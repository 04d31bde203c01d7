"""Writes to the governance logs. Every function is atomic and takes the acting user."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from benefits.baselines import benefit_planned_set, one_off_budget_set
from portfolio.models import Milestone, Programme
from portfolio.templatetags.money import gbp

from .models import (
    Action,
    BaselineKind,
    Board,
    BoardKind,
    ChangeRequest,
    ChangeStatus,
    ChangeThresholds,
    Decision,
    Issue,
    IssuePriority,
    RaciActivity,
    RaciAssignment,
    Risk,
    RiskStatus,
    TermsOfReference,
)


@transaction.atomic
def decision_record(
    *,
    programme: Programme | None,
    board: Board | None,
    summary: str,
    decision: str,
    rationale: str = "",
    decided_on: date | None = None,
    actor: User,
    **links: object,
) -> Decision:
    """Write a decision-log entry. ``links`` names what made it (e.g. ``gate_review=review``)."""
    fields = {"decided_on": decided_on} if decided_on else {}
    return Decision.objects.create(
        programme=programme, board=board, summary=summary, decision=decision,
        rationale=rationale, recorded_by=actor, **fields, **links,
    )  # fmt: skip


@transaction.atomic
def action_create(
    *,
    programme: Programme | None,
    title: str,
    owner: User,
    due_date: date,
    actor: User,
    description: str = "",
    decision: Decision | None = None,
) -> Action:
    return Action.objects.create(
        programme=programme, title=title, owner=owner, due_date=due_date, description=description,
        decision=decision, created_by=actor,
    )  # fmt: skip


class AlreadyDecided(ValidationError):
    """A change request that has been decided cannot be decided again."""


@transaction.atomic
def log_entry_save(
    *, instance: models.Model, programme: Programme | None, actor: User
) -> models.Model:
    """Save an entry of a programme's log (risk, assumption, issue, dependency, action)."""
    if instance.pk is None:
        instance.programme = programme  # type: ignore[attr-defined]
        if isinstance(instance, Action):
            instance.created_by = actor
    instance.full_clean()
    instance._history_user = actor  # type: ignore[attr-defined]
    instance.save()
    return instance


@transaction.atomic
def risk_to_issue(*, risk: Risk, actor: User) -> Issue:
    """The risk has happened: open an issue that keeps the link, and mark the risk occurred."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    existing = Issue.objects.filter(risk=risk).first()
    if existing:
        return existing
    if risk.programme_id is None:
        raise ValidationError("Only a programme's risk can become an issue on its log.")
    issue = Issue(
        programme_id=risk.programme_id,
        title=risk.title,
        description="\n\n".join(p for p in (risk.event, risk.effect) if p),
        priority=IssuePriority.HIGH if risk.residual_score >= 15 else IssuePriority.MEDIUM,
        owner=risk.owner,
        risk=risk,
    )
    issue._history_user = actor  # type: ignore[attr-defined]
    issue.save()
    risk.status = RiskStatus.OCCURRED
    risk._history_user = actor  # type: ignore[attr-defined]
    risk.save(update_fields=["status"])
    return issue


def change_thresholds() -> ChangeThresholds:
    """The PMO's thresholds (one row, created with the defaults the first time it is read)."""
    thresholds, _ = ChangeThresholds.objects.get_or_create(pk=1)
    return thresholds


@transaction.atomic
def change_thresholds_set(
    *, delivery_board_cost: Decimal, delivery_board_days: int, stb_cost: Decimal, stb_days: int,
    actor: User,
) -> ChangeThresholds:  # fmt: skip
    if stb_cost < delivery_board_cost or stb_days < delivery_board_days:
        raise ValidationError("STB's thresholds must be at least the Delivery Board's.")
    thresholds = change_thresholds()
    thresholds = ChangeThresholds.objects.select_for_update().get(pk=thresholds.pk)
    thresholds.delivery_board_cost = delivery_board_cost
    thresholds.delivery_board_days = delivery_board_days
    thresholds.stb_cost = stb_cost
    thresholds.stb_days = stb_days
    thresholds._history_user = actor  # type: ignore[attr-defined]
    thresholds.save()
    return thresholds


def change_request_route(
    *, programme: Programme, cost_impact: Decimal, time_impact_days: int
) -> Board | None:
    """The board that decides a change: STB or the Delivery Board above the PMO's thresholds,
    otherwise the programme's own Programme Board, or its Portfolio Board."""
    limits = change_thresholds()
    cost, days = abs(cost_impact), abs(time_impact_days)
    if cost > limits.stb_cost or days > limits.stb_days:
        return Board.objects.filter(kind=BoardKind.STB).first()
    if cost > limits.delivery_board_cost or days > limits.delivery_board_days:
        return Board.objects.filter(kind=BoardKind.DELIVERY).first()
    own = Board.objects.filter(kind=BoardKind.PROGRAMME, programme=programme).first()
    if own:
        return own
    if programme.portfolio_id:
        portfolio_board = Board.objects.filter(
            kind=BoardKind.PORTFOLIO, portfolio_id=programme.portfolio_id
        ).first()
        if portfolio_board:
            return portfolio_board
    return Board.objects.filter(kind=BoardKind.DELIVERY).first()


@transaction.atomic
def change_request_raise(*, change_request: ChangeRequest, actor: User) -> ChangeRequest:
    """Log a new change request (built by the form) and route it to the board that decides it."""
    change_request.raised_by = actor
    change_request.routed_to = change_request_route(
        programme=change_request.programme,
        cost_impact=change_request.cost_impact,
        time_impact_days=change_request.time_impact_days,
    )
    change_request._history_user = actor  # type: ignore[attr-defined]
    change_request.save()
    return change_request


def _apply_baseline(change_request: ChangeRequest, actor: User) -> tuple[str, str]:
    kind = change_request.baseline
    if kind == BaselineKind.MILESTONE:
        milestone = Milestone.objects.select_for_update().get(pk=change_request.milestone_id)
        before = milestone.due_date
        if milestone.baseline_date is None:
            milestone.baseline_date = before
        milestone.due_date = change_request.new_due_date
        milestone._history_user = actor  # type: ignore[attr-defined]
        milestone.save(update_fields=["due_date", "baseline_date"])
        return before.strftime("%-d %B %Y"), milestone.due_date.strftime("%-d %B %Y")
    if kind == BaselineKind.BUDGET:
        before, after = one_off_budget_set(
            programme=change_request.programme,
            financial_year=change_request.financial_year,
            budget=change_request.new_amount,
            actor=actor,
        )
        return gbp(before), gbp(after)
    if kind == BaselineKind.BENEFIT:
        before, after = benefit_planned_set(
            benefit=change_request.benefit,
            financial_year=change_request.financial_year,
            planned=change_request.new_amount,
            actor=actor,
        )
        return gbp(before), gbp(after)
    return "", ""


@transaction.atomic
def change_request_decide(
    *, change_request: ChangeRequest, approve: bool, reasons: str, actor: User
) -> ChangeRequest:
    """Approve or reject a change request once; an approval moves the baseline it names."""
    change_request = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if change_request.is_decided:
        raise AlreadyDecided(
            f"{change_request.reference} was already {change_request.get_status_display().lower()}"
            f" on {change_request.decided_on:%-d %B %Y}: nothing has changed."
        )
    if not reasons.strip():
        raise ValidationError("Give the reasons for the decision.")
    change_request.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change_request.reasons = reasons
    change_request.decided_by = actor
    change_request.decided_on = timezone.localdate()
    if approve:
        change_request.baseline_before, change_request.baseline_after = _apply_baseline(
            change_request, actor
        )
    change_request._history_user = actor  # type: ignore[attr-defined]
    change_request.save()
    outcome = "approved" if approve else "rejected"
    after = (
        f" Baseline moved from {change_request.baseline_before} to {change_request.baseline_after}."
        if change_request.baseline_after
        else ""
    )
    decision_record(
        programme=change_request.programme,
        board=change_request.routed_to,
        summary=f"{change_request.reference} {outcome}: {change_request.title}"[:200],
        decision=f"Change request {outcome}.{after}",
        rationale=reasons,
        actor=actor,
        change_request=change_request,
    )
    return change_request


@transaction.atomic
def raci_save(
    *, programme: Programme, cells: dict[int, dict[int, str]], new_activity: str, actor: User
) -> None:
    """Save the whole RACI grid: ``cells[activity_id][person_id]`` is R, A, C, I or "".

    Every activity must end with exactly one A; otherwise nothing is saved.
    """
    activities = list(
        RaciActivity.objects.select_for_update().filter(programme=programme).order_by("position")
    )
    errors = []
    for activity in activities:
        accountable = [p for p, role in cells.get(activity.pk, {}).items() if role == "A"]
        if len(accountable) != 1:
            errors.append(
                f"{activity.name}: choose exactly one person who is Accountable (A); "
                f"{len(accountable)} chosen."
            )
    if errors:
        raise ValidationError(errors)
    for activity in activities:
        RaciAssignment.objects.filter(activity=activity).delete()
        RaciAssignment.objects.bulk_create(
            RaciAssignment(activity=activity, person_id=person, role=role)
            for person, role in cells.get(activity.pk, {}).items()
            if role
        )
    if new_activity.strip():
        RaciActivity.objects.get_or_create(
            programme=programme,
            name=new_activity.strip(),
            defaults={"position": len(activities) + 1},
        )


@transaction.atomic
def terms_of_reference_save(*, board: Board, text: str, actor: User) -> TermsOfReference:
    """Save a new version of a board's terms of reference; earlier versions are kept."""
    board = Board.objects.select_for_update().get(pk=board.pk)
    latest = board.terms_of_reference.order_by("-version").first()
    if latest and latest.text == text:
        return latest
    return TermsOfReference.objects.create(
        board=board, version=(latest.version + 1 if latest else 1), text=text, saved_by=actor
    )

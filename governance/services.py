"""Writes to the governance logs. Every function is atomic and takes the acting user."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.rules import is_programme_team, may_decide_review_step, may_record_board_decision
from accounts.services import duty_check
from benefits.baselines import benefit_baselines_lock, benefit_planned_set, one_off_budget_set
from benefits.services import rollup_mark
from core.audit import audited, bulk_create_audited, bulk_update_audited
from core.errors import ServiceError, full_clean
from core.queueing import queue_after_commit
from portfolio.models import Category, Milestone, Portfolio, Programme, Stage
from portfolio.services import (
    DocumentError,
    document_carry_over,
    document_freeze,
    document_unlock,
)
from portfolio.templatetags.money import gbp

from . import notifications as notices
from .closure import (
    Resolution,
    closure_checklist_record,
    closure_handover_summary,
    closure_unsettled,
)
from .lessons import lessons_from_closure
from .models import (
    Action,
    AgreedInvestment,
    BaselineKind,
    Board,
    BoardKind,
    ChangeRequest,
    ChangeStatus,
    ChangeThresholds,
    Decision,
    Gate,
    GatePolicy,
    GateReview,
    GateSignOff,
    Guardrails,
    ImportStatus,
    Issue,
    IssuePriority,
    Outcome,
    RaciActivity,
    RaciAssignment,
    RaidImport,
    ReportingCalendar,
    ReviewStatus,
    Risk,
    RiskStatus,
    SignOff,
    TermsOfReference,
)
from .tasks import raid_import_task


@transaction.atomic
@audited
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
    entry = Decision.objects.create(
        programme=programme, board=board, summary=summary, decision=decision,
        rationale=rationale, recorded_by=actor, **fields, **links,
    )  # fmt: skip
    if not links.get("gate_review"):  # a gate review's decision is told by review_decided
        notices.decision_recorded(entry, actor)
    return entry


@transaction.atomic
@audited
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
    duty_check(person=owner, duty="owner", field="owner")
    action = Action.objects.create(
        programme=programme, title=title, owner=owner, due_date=due_date, description=description,
        decision=decision, created_by=actor,
    )  # fmt: skip
    notices.action_assigned(action, actor)
    return action


# --- Lifecycle and gates ------------------------------------------------------------------------


class GateError(ServiceError):
    """A gate review action that cannot happen; the message is for the user."""


class Condition(TypedDict):
    """A condition of an approval: it becomes an action on the programme's log."""

    title: str
    owner: User
    due_date: date


# gate, category ("" = any), light touch -> ordered sign-offs (seeds, "Governance Flow")
def _stb_for(category: str) -> list[str]:
    return [SignOff.STB] if category == Category.A else []


DEFAULT_GATE_POLICY: list[tuple[str, str, bool, Sequence[str]]] = [
    *[(Gate.GATE_1, "", lt, [SignOff.STB]) for lt in (False, True)],
    *[
        (gate, category, lt, [SignOff.SRO, SignOff.DELIVERY, *_stb_for(category)])
        for gate in (Gate.GATE_2, Gate.GATE_3)
        for category in Category.values
        for lt in (False, True)
    ],
    *[
        (Gate.CLOSURE, category, lt, [SignOff.DELIVERY, *_stb_for(category)])
        for category in Category.values
        for lt in (False, True)
    ],
]  # fmt: skip


def gate_policy_install_defaults() -> int:
    """Install the seeds' default gate policy rows that are missing; returns how many."""
    added = 0
    for gate, category, light_touch, sign_offs in DEFAULT_GATE_POLICY:
        _, created = GatePolicy.objects.get_or_create(
            gate=gate, category=category, light_touch=light_touch,
            defaults={"sign_offs": [str(s) for s in sign_offs]},
        )  # fmt: skip
        added += created
    return added


@transaction.atomic
@audited
def gate_policy_update(*, policy: GatePolicy, sign_offs: list[str], actor: User) -> GatePolicy:
    if not sign_offs:
        raise GateError("A gate needs at least one sign-off.")
    if len(set(sign_offs)) != len(sign_offs):
        raise GateError("Each sign-off can appear once in a route.")
    policy = GatePolicy.objects.select_for_update().get(pk=policy.pk)
    policy.sign_offs = [str(SignOff(s)) for s in sign_offs]
    policy.save()
    return policy


@transaction.atomic
@audited
def gate_review_submit(*, programme: Programme, actor: User) -> GateReview:
    """Submit the stage document: check it, freeze a version, lock it, open a routed review."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    gate = Gate.for_stage(programme.stage)
    if gate is None:
        raise GateError(f"A programme in {programme.stage_label} has no gate to submit to.")
    if programme.gate_reviews.open().exists():
        raise GateError("This programme already has a gate review awaiting decision.")
    if gate == Gate.CLOSURE and (unsettled := closure_unsettled(programme)):
        raise GateError(
            f"Complete the closure checklist first: {len(unsettled)} open item"
            f"{'s are' if len(unsettled) != 1 else ' is'} not yet closed, transferred or carried "
            "into benefits tracking."
        )
    route = GatePolicy.objects.route_for(gate, programme)
    if not route:
        raise GateError(f"No gate policy covers {Gate(gate).short} for this programme.")
    try:
        version = document_freeze(programme=programme, kind=Gate(gate).document, actor=actor)
    except DocumentError as error:
        raise GateError(error.messages) from error
    review = GateReview.objects.create(
        programme=programme, gate=gate, version=version, route=route, current_step=0,
        current_sign_off=route[0], submitted_by=actor,
    )  # fmt: skip
    notices.review_reached(review)
    return review


@transaction.atomic
@audited
def closure_submit(
    *, programme: Programme, resolutions: list[Resolution], actor: User
) -> GateReview:
    """The closure checklist and the closure report's submission, together or not at all."""
    closure_checklist_record(programme=programme, resolutions=resolutions, actor=actor)
    return gate_review_submit(programme=programme, actor=actor)


def _locked_review(review: GateReview) -> GateReview:
    return GateReview.objects.select_for_update().select_related("programme").get(pk=review.pk)


@transaction.atomic
@audited
def gate_review_withdraw(*, review: GateReview, actor: User) -> GateReview:
    """The team takes a submission back, until the first sign-off."""
    review = _locked_review(review)
    if not review.is_open:
        raise GateError(f"This review is already {review.get_status_display().lower()}.")
    if review.sign_offs.exists():
        raise GateError("This review cannot be withdrawn: a sign-off has already been recorded.")
    review.status = ReviewStatus.WITHDRAWN
    review.current_sign_off = ""
    review.closed_at = timezone.now()
    review.save()
    document_unlock(document=review.version.document, actor=actor)
    return review


GATE_TRANSITIONS = {
    Gate.GATE_1: "pass_gate_1",
    Gate.GATE_2: "pass_gate_2",
    Gate.GATE_3: "pass_gate_3",
    Gate.CLOSURE: "close",
}


def _move_stage(programme: Programme, transition_name: str, actor: User) -> None:
    getattr(programme, transition_name)()
    programme.stage_entered_at = timezone.now()
    programme.save()
    # Stage counts are part of the roll-up (and Gate 1 may have set the portfolio and
    # category, keys of the programme's rows).
    rollup_mark(programmes=[programme.pk])


@transaction.atomic
@audited
def gate_review_decide(
    *,
    review: GateReview,
    step: int,
    outcome: str,
    reasons: str,
    actor: User,
    conditions: list[Condition] | None = None,
    portfolio: Portfolio | None = None,
    category: str = "",
    guardrails: str = "",
    investment: Decimal | None = None,
    expected_return: Decimal | None = None,
    return_period_years: int | None = None,
) -> GateReview:
    """Record the current step's outcome, write the decision log, and move the programme.

    ``step`` is the step the decider saw: a second click, or a click on a page that is out of
    date, finds the review moved on and changes nothing.
    """
    review = _locked_review(review)
    programme = review.programme
    if review.status == ReviewStatus.WITHDRAWN:
        raise GateError("This review was withdrawn: there is nothing to decide.")
    if not review.is_open:
        raise GateError(f"This review has already been decided ({review.get_status_display()}).")
    if step != review.current_step:
        raise GateError("This step has already been decided; the review has moved on.")
    if Gate.for_stage(programme.stage) != review.gate:
        raise GateError(f"The programme is {programme.stage_label}: this gate cannot be decided.")
    outcome = Outcome(outcome)
    board = review.deciding_board
    if not review.awaits_sro and board is None:
        raise GateError(f"There is no {review.current_sign_off_label} to decide this step.")
    if not may_decide_review_step(actor, review):
        raise GateError(f"This step is for the {review.current_sign_off_label} to decide.")
    if not reasons.strip():
        raise GateError("Give the reasons for the decision.")
    conditions = conditions or []
    if outcome == Outcome.APPROVE_WITH_CONDITIONS and not conditions:
        raise GateError("Add at least one condition, with its owner and due date.")
    sets_terms = review.gate == Gate.GATE_1 and review.current_sign_off == SignOff.STB
    if sets_terms and outcome.approves and not (portfolio and category):
        raise GateError("At Gate 1 STB assigns the portfolio and the category.")
    agrees_investment = review.agrees_investment
    if agrees_investment and outcome.approves:
        if investment is None or expected_return is None or not return_period_years:
            raise GateError(
                f"At {Gate(review.gate).short} the board agrees the investment and the expected "
                "return on investment, and over how many years."
            )
        if investment < 0 or expected_return < 0:
            raise GateError("The investment and the expected return cannot be negative.")

    gate = Gate(review.gate)
    version = review.version
    forum = board.name if board else f"SRO ({actor})"
    summary = f"{gate.short} ({version}): {outcome.past} by {forum}"[:200]
    text = [f"{outcome.past.capitalize()}. {review.current_sign_off_label} on {version}."]
    if sets_terms and outcome.approves:
        programme.portfolio, programme.category = portfolio, category
        programme.guardrails = guardrails
        text.append(
            f"Assigned to {portfolio}, category {category}."
            + (f" Guardrails: {guardrails}" if guardrails else "")
        )
    if agrees_investment and outcome.approves:
        text.append(
            "STB agrees the investment and the expected return on investment: an investment of "
            f"{gbp(investment)} and an expected return of {gbp(expected_return)} over "
            f"{return_period_years} years."
            + (f" Guardrails: {guardrails}" if guardrails.strip() else "")
        )
    if gate == Gate.CLOSURE:
        text.append(closure_handover_summary(programme))
    decision = decision_record(
        programme=programme, board=board, summary=summary, decision=" ".join(text),
        rationale=reasons, actor=actor, gate_review=review,
    )  # fmt: skip
    GateSignOff.objects.create(
        review=review, step=review.current_step, sign_off=review.current_sign_off, board=board,
        outcome=outcome, reasons=reasons, decided_by=actor, decision=decision,
    )  # fmt: skip
    if outcome.approves and (sets_terms or agrees_investment):
        _gate_agreements_record(
            programme=programme, review=review, decision=decision, actor=actor,
            guardrails=guardrails, investment=investment if agrees_investment else None,
            expected_return=expected_return, return_period_years=return_period_years,
        )  # fmt: skip
    for condition in conditions:
        action_create(
            programme=programme, title=condition["title"][:200], owner=condition["owner"],
            due_date=condition["due_date"], actor=actor, decision=decision,
            description=f"Condition of {gate.short} ({version}).",
        )  # fmt: skip

    if outcome.approves and not review.is_last_step:
        review.current_step += 1
        review.current_sign_off = review.route[review.current_step]
        review.save()
        if sets_terms or agrees_investment:
            programme.save()
        notices.review_reached(review)
        return review

    review.current_sign_off = ""
    review.closed_at = timezone.now()
    if outcome.approves:
        review.status = ReviewStatus.APPROVED
        transition = GATE_TRANSITIONS[gate]
        if gate == Gate.GATE_1 and programme.light_touch:
            transition = "pass_gate_1_light_touch"
        _move_stage(programme, transition, actor)
        if gate == Gate.GATE_3:  # the Full Brief's benefits profile becomes the baseline
            benefit_baselines_lock(programme=programme, actor=actor)
        document_unlock(document=version.document, actor=actor)
    elif outcome == Outcome.DEFER:
        review.status = ReviewStatus.DEFERRED
        document_unlock(document=version.document, actor=actor, reasons=reasons)
    else:
        review.status = ReviewStatus.REJECTED
        programme.stage_before_pause = ""
        _move_stage(programme, "stop", actor)
    review.save()
    if review.status == ReviewStatus.APPROVED and gate == Gate.CLOSURE:
        # The closure report's lessons section becomes lesson records (the library's).
        lessons_from_closure(review=review, actor=actor)
    if review.status == ReviewStatus.APPROVED:
        for kind in programme.document_kinds:  # the next stage starts from this approval
            document_carry_over(programme=programme, kind=kind, actor=actor)
    notices.review_decided(review)
    return review


def _gate_agreements_record(
    *,
    programme: Programme,
    review: GateReview,
    decision: Decision,
    actor: User,
    guardrails: str,
    investment: Decimal | None,
    expected_return: Decimal | None,
    return_period_years: int | None,
) -> None:
    """A new version of the guardrails (when given), and at Gate 2 the agreed investment and
    expected return: the baseline the programme's one-off costs and benefits are compared to."""
    if guardrails.strip():
        latest = programme.guardrail_versions.order_by("-version").first()
        if latest is None or latest.text != guardrails.strip():
            Guardrails.objects.create(
                programme=programme, version=(latest.version + 1 if latest else 1),
                text=guardrails.strip(), gate=review.gate, review=review, decision=decision,
                set_by=actor,
            )  # fmt: skip
        programme.guardrails = guardrails.strip()
    if investment is not None:
        if expected_return is None or return_period_years is None:
            raise ServiceError(
                "Record the expected return and the years it is over with the investment."
            )
        AgreedInvestment.objects.create(
            programme=programme, review=review, decision=decision, investment=investment,
            expected_return=expected_return, return_period_years=return_period_years,
            agreed_by=actor,
        )  # fmt: skip


class ProgrammeMove(models.TextChoices):
    PAUSE = "pause", "Pause"
    RESUME = "resume", "Resume"
    STOP = "stop", "Stop (tie off)"


@transaction.atomic
@audited
def programme_status_decide(
    *, programme: Programme, move: str, board: Board, reasons: str, actor: User
) -> Programme:
    """A board pauses, resumes or stops a programme; the decision goes in the decision log."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    move = ProgrammeMove(move)
    if board.kind not in (BoardKind.STB, BoardKind.DELIVERY):
        raise ServiceError("Only STB or the Delivery Board can pause, resume or stop a programme.")
    if is_programme_team(actor, programme):
        raise ServiceError("The programme's own SRO and manager cannot record a board's decision.")
    if not may_record_board_decision(actor, board):
        raise ServiceError(f"Only members of the {board} can record its decisions.")
    if not reasons.strip():
        raise ServiceError("Give the reasons for the decision.")
    allowed = {
        ProgrammeMove.PAUSE: programme.is_open,
        ProgrammeMove.RESUME: programme.stage == Stage.PAUSED,
        ProgrammeMove.STOP: programme.is_open or programme.stage == Stage.PAUSED,
    }
    if not allowed[move]:
        raise ServiceError(
            f"A programme in {programme.stage_label} cannot be {move.label.lower()}d."
        )
    was = programme.stage_label
    if move == ProgrammeMove.PAUSE:
        programme.stage_before_pause = programme.stage
    _move_stage(programme, str(move), actor)
    if move == ProgrammeMove.RESUME:
        programme.stage_before_pause = ""
        programme.save()
    for review in programme.gate_reviews.open().select_for_update():
        if move == ProgrammeMove.STOP:
            review.status = ReviewStatus.WITHDRAWN
            review.current_sign_off = ""
            review.closed_at = timezone.now()
            review.save()
            document_unlock(document=review.version.document, actor=actor)
    decision_record(
        programme=programme, board=board,
        summary=f"{move.label}: {programme} ({was} → {programme.stage_label})"[:200],
        decision=f"{board} decided to {move.label.lower()} the programme.",
        rationale=reasons, actor=actor,
    )  # fmt: skip
    return programme


class AlreadyDecided(ServiceError):
    """A change request that has been decided cannot be decided again."""


@transaction.atomic
@audited
def log_entry_save(
    *, instance: models.Model, programme: Programme | None, actor: User
) -> models.Model:
    """Save an entry of a programme's log (risk, assumption, issue, dependency, action)."""
    owner_was = None
    if hasattr(instance, "owner_id"):
        was = (
            type(instance)
            ._default_manager.filter(pk=instance.pk)
            .values_list("owner_id", flat=True)
        )
        duty_check(
            person=instance.owner,  # type: ignore[attr-defined]
            duty="owner",
            field="owner",
            was_id=was.first() if instance.pk else None,
        )
        owner_was = was.first() if instance.pk else None
    if instance.pk is None:
        instance.programme = programme  # type: ignore[attr-defined]
        if isinstance(instance, Action):
            instance.created_by = actor
    full_clean(instance)
    instance.save()
    if isinstance(instance, Action) and instance.owner_id != owner_was:
        notices.action_assigned(instance, actor)
    return instance


@transaction.atomic
@audited
def risk_to_issue(*, risk: Risk, actor: User) -> Issue:
    """The risk has happened: open an issue that keeps the link, and mark the risk occurred."""
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    existing = Issue.objects.filter(risk=risk).first()
    if existing:
        return existing
    if risk.programme_id is None:
        raise ServiceError("Only a programme's risk can become an issue on its log.")
    issue = Issue(
        programme_id=risk.programme_id,
        title=risk.title,
        description="\n\n".join(p for p in (risk.event, risk.effect) if p),
        priority=IssuePriority.HIGH if risk.residual_score >= 15 else IssuePriority.MEDIUM,
        owner=risk.owner,
        risk=risk,
    )
    issue.save()
    risk.status = RiskStatus.OCCURRED
    risk.save(update_fields=["status"])
    return issue


def change_thresholds() -> ChangeThresholds:
    """The PMO's thresholds (one row, created with the defaults the first time it is read)."""
    thresholds, _ = ChangeThresholds.objects.get_or_create(pk=1)
    return thresholds


@transaction.atomic
@audited
def change_thresholds_set(
    *, delivery_board_cost: Decimal, delivery_board_days: int, stb_cost: Decimal, stb_days: int,
    actor: User,
) -> ChangeThresholds:  # fmt: skip
    if stb_cost < delivery_board_cost or stb_days < delivery_board_days:
        raise ServiceError("STB's thresholds must be at least the Delivery Board's.")
    thresholds = change_thresholds()
    thresholds = ChangeThresholds.objects.select_for_update().get(pk=thresholds.pk)
    thresholds.delivery_board_cost = delivery_board_cost
    thresholds.delivery_board_days = delivery_board_days
    thresholds.stb_cost = stb_cost
    thresholds.stb_days = stb_days
    thresholds.save()
    return thresholds


def reporting_calendar() -> ReportingCalendar:
    """The PMO's reporting calendar (one row, created with the defaults the first time)."""
    calendar, _ = ReportingCalendar.objects.get_or_create(pk=1)
    return calendar


@transaction.atomic
@audited
def reporting_calendar_set(*, highlight_report_due_day: int, actor: User) -> ReportingCalendar:
    if not 1 <= highlight_report_due_day <= 31:
        raise ServiceError("Enter a day of the month from 1 to 31.")
    calendar = reporting_calendar()
    calendar = ReportingCalendar.objects.select_for_update().get(pk=calendar.pk)
    calendar.highlight_report_due_day = highlight_report_due_day
    calendar.save()
    return calendar


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
@audited
def change_request_raise(*, change_request: ChangeRequest, actor: User) -> ChangeRequest:
    """Log a new change request (built by the form) and route it to the board that decides it."""
    change_request.raised_by = actor
    change_request.routed_to = change_request_route(
        programme=change_request.programme,
        cost_impact=change_request.cost_impact,
        time_impact_days=change_request.time_impact_days,
    )
    change_request.save()
    notices.change_request_awaits(change_request)
    return change_request


def _apply_baseline(change_request: ChangeRequest, actor: User) -> tuple[str, str]:
    """Move the baseline an approved change names; (before, after) as the log shows them.

    The change request's ``clean`` requires the fields its baseline needs; one that lacks them
    (saved around the form) is refused here rather than half applied."""
    kind = change_request.baseline
    if kind == BaselineKind.MILESTONE:
        if change_request.milestone_id is None or change_request.new_due_date is None:
            raise ServiceError(
                f"{change_request.reference} names no milestone or new due date to move to."
            )
        # The approved change re-plans the milestone: its baseline (history keeps each move)
        # and, unless it is already complete, its forecast move to the new date.
        milestone = Milestone.objects.select_for_update().get(pk=change_request.milestone_id)
        baseline_before = milestone.baseline_date or milestone.due_date
        milestone.baseline_date = change_request.new_due_date
        if not milestone.is_complete:
            milestone.due_date = change_request.new_due_date
        milestone.save(update_fields=["due_date", "baseline_date"])
        return baseline_before.strftime("%-d %B %Y"), milestone.baseline_date.strftime("%-d %B %Y")
    if kind not in (BaselineKind.BUDGET, BaselineKind.BENEFIT):
        return "", ""
    year, amount = change_request.financial_year, change_request.new_amount
    if year is None or amount is None:
        raise ServiceError(f"{change_request.reference} names no financial year or new amount.")
    if kind == BaselineKind.BUDGET:
        before, after = one_off_budget_set(
            programme=change_request.programme, financial_year=year, budget=amount, actor=actor
        )
        return gbp(before), gbp(after)
    if change_request.benefit is None:
        raise ServiceError(f"{change_request.reference} names no benefit to change.")
    before, after = benefit_planned_set(
        benefit=change_request.benefit, financial_year=year, planned=amount, actor=actor
    )
    return gbp(before), gbp(after)


@transaction.atomic
@audited
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
        raise ServiceError("Give the reasons for the decision.")
    change_request.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change_request.reasons = reasons
    change_request.decided_by = actor
    change_request.decided_on = timezone.localdate()
    if approve:
        change_request.baseline_before, change_request.baseline_after = _apply_baseline(
            change_request, actor
        )
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
@audited
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
        raise ServiceError(errors)
    wanted = {
        (activity.pk, person): role
        for activity in activities
        for person, role in cells.get(activity.pk, {}).items()
        if role
    }
    existing = {
        (cell.activity_id, cell.person_id): cell
        for cell in RaciAssignment.objects.filter(activity__in=activities)
    }
    gone = [cell.pk for key, cell in existing.items() if key not in wanted]
    RaciAssignment.objects.filter(pk__in=gone).delete()  # one history row per deleted cell
    changed = []
    for key, cell in existing.items():
        if key in wanted and cell.role != wanted[key]:
            cell.role = wanted[key]
            changed.append(cell)
    # Cells that stop being A change first, so an activity never holds two As on the way.
    bulk_update_audited(RaciAssignment, [c for c in changed if c.role != "A"], ["role"])
    bulk_update_audited(RaciAssignment, [c for c in changed if c.role == "A"], ["role"])
    bulk_create_audited(
        RaciAssignment,
        (
            RaciAssignment(activity_id=activity, person_id=person, role=role)
            for (activity, person), role in wanted.items()
            if (activity, person) not in existing
        ),
    )
    if new_activity.strip():
        RaciActivity.objects.get_or_create(
            programme=programme,
            name=new_activity.strip(),
            defaults={"position": len(activities) + 1},
        )


@transaction.atomic
@audited
def board_save(*, board: Board, members: Iterable[User], actor: User) -> Board:
    """Save a board's chair, members, purpose and meeting date. Only people whose role may sit on
    a board can be made its chair or added as members (those already on it may stay)."""
    current = Board.objects.select_for_update().get(pk=board.pk)
    duty_check(person=board.chair, duty="board_chair", field="chair", was_id=current.chair_id)
    sitting = set(current.members.values_list("pk", flat=True))
    for member in members:
        duty_check(
            person=member,
            duty="board_member",
            field="members",
            was_id=member.pk if member.pk in sitting else None,
        )
    board.save()
    board.members.set(members)
    return board


@transaction.atomic
@audited
def terms_of_reference_save(*, board: Board, text: str, actor: User) -> TermsOfReference:
    """Save a new version of a board's terms of reference; earlier versions are kept."""
    board = Board.objects.select_for_update().get(pk=board.pk)
    latest = board.terms_of_reference.order_by("-version").first()
    if latest and latest.text == text:
        return latest
    return TermsOfReference.objects.create(
        board=board, version=(latest.version + 1 if latest else 1), text=text, saved_by=actor
    )


# --- people: boards they sit on, and reassigning a leaver's open work ---------------------------


class ReassignError(ServiceError):
    """A reassignment that cannot be made; the message says why."""


@transaction.atomic
@audited
def person_boards_set(*, person: User, boards: list[Board], actor: User) -> None:
    """Make ``person`` a member of exactly ``boards`` (each board's history records the change
    and who made it). A board they chair keeps them as chair."""
    wanted = {board.pk for board in boards}
    if wanted and not person.is_active:
        raise ReassignError(f"{person} has been deactivated: they cannot join a board.")
    current = {board.pk: board for board in person.boards.select_for_update()}
    for board in Board.objects.select_for_update().filter(pk__in=wanted - set(current)):
        board.members.add(person)
    for pk in set(current) - wanted:
        board = current[pk]
        board.members.remove(person)


def _moved(row: models.Model, field: str, to: User, reason: str) -> None:
    setattr(row, field, to)
    row._change_reason = reason  # type: ignore[attr-defined]
    row.save(update_fields=[field])


@transaction.atomic
@audited
def person_work_reassign(
    *,
    person: User,
    actions_to: User | None = None,
    risks_to: User | None = None,
    managed_to: User | None = None,
    sro_to: User | None = None,
    actor: User,
) -> dict[str, int]:
    """Move a person's open actions, open risks, and the open programmes they manage or are
    SRO of, to the people given, in one step: all of it or none. Each row's history records
    the move, who made it and why. Returns how many of each moved."""
    targets = {"actions": actions_to, "risks": risks_to, "managed": managed_to, "sro": sro_to}
    if not any(targets.values()):
        raise ReassignError("Choose who takes over at least one kind of work.")
    for to in targets.values():
        if to is not None and (to.pk == person.pk or not to.is_active):
            raise ReassignError(f"Work cannot be given to {to}: choose someone else who is active.")
    reason = f"Reassigned from {person}"
    moved = dict.fromkeys(targets, 0)
    if actions_to:
        for action in Action.objects.select_for_update().outstanding().owned_by(person):
            _moved(action, "owner", actions_to, reason)
            moved["actions"] += 1
    if risks_to:
        for risk in Risk.objects.select_for_update().open().filter(owner=person):
            _moved(risk, "owner", risks_to, reason)
            moved["risks"] += 1
    for key, field in (("managed", "manager"), ("sro", "sro")):
        to = targets[key]
        if to is None:
            continue
        for programme in Programme.objects.select_for_update().open().filter(**{field: person}):
            _moved(programme, field, to, reason)
            moved[key] += 1
    if not any(moved.values()):
        raise ReassignError(f"{person} has no open work of the kinds chosen.")
    return moved


# --- RAID import in the background (issue 22) ---------------------------------------------------
@transaction.atomic
@audited
def raid_import_request(*, programme: Programme, upload: Any, actor: User) -> RaidImport:
    """Keep a large spreadsheet and queue a worker to check and import it
    (``imports.raid_import_run``) after commit; the page follows the returned row's progress."""
    row = RaidImport.objects.create(
        programme=programme,
        filename=str(getattr(upload, "name", "") or "raid.xlsx")[:255],
        content=upload.read(),
        requested_by=actor,
    )
    queue_after_commit(
        raid_import_task, row.pk, what="RAID import",
        waiting=RaidImport.objects.filter(pk=row.pk, status=ImportStatus.QUEUED),
        failed=lambda error: {
            "status": ImportStatus.FAILED, "content": b"", "finished_at": timezone.now(),
            "errors": [f"The import could not be started ({error}): try again."],
        },
    )  # fmt: skip
    return row

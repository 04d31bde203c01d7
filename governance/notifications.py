"""What governance tells people, written to the notifications outbox inside the service's own
transaction (``notifications.outbox.notify``): a gate review reaching a board or sign-off, a gate
review decided, a decision recorded on a programme, an action assigned (a condition of a
decision included), a change request awaiting a board. Delivery happens after commit, by Celery;
a mail server that is down never fails the change. The reminders are in ``reminders.py``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime

from accounts.models import User
from notifications.outbox import Message, notify

from .models import Action, ChangeRequest, Decision, GateReview
from .routing import step_approvers


def _date(value) -> str:  # type: ignore[no-untyped-def]
    """A date or datetime as "1 December 2026"; a model saved from an ISO string (as a service
    given a decision's conditions may be) still holds the string until it is read back."""
    if isinstance(value, str):
        value = parse_datetime(value) or parse_date(value)
    return f"{value:%-d %B %Y}" if value else "not set"


def review_reached(review: GateReview) -> int:
    """The review awaits its current step: tell who may decide it, and the board's Teams
    channel."""
    programme = review.programme
    last = review.sign_offs.select_related("board", "decided_by").last()
    facts = [
        ("Gate", review.gate_label),
        ("Document", str(review.version)),
        ("Submitted", f"{_date(review.submitted_at)} by {review.submitted_by}"),
    ]
    if last:
        facts.append(
            (
                "Previous step",
                f"{last.get_sign_off_display()}, {last.get_outcome_display().lower()} by "
                f"{last.decided_by} on {_date(last.decided_at)}",
            )
        )
    message = Message(
        subject=f"Gate review awaiting your decision: {programme}, {review.gate_label}",
        summary=f"{programme} has a gate review awaiting the {review.current_sign_off_label}. "
        "Read the frozen document and its registers, and record your decision.",
        facts=facts,
        path=review.get_absolute_url(),
        link_text="Open the gate review",
    )
    return notify(
        kind="review_reached", about=review, message=message,
        period=f"step-{review.current_step}", recipients=step_approvers(review),
        teams_for=[review.deciding_board] if not review.awaits_sro else [],
    )  # fmt: skip


def review_decided(review: GateReview) -> int:
    """The review is closed: tell the programme's manager and SRO."""
    programme = review.programme
    last = review.sign_offs.select_related("board", "decided_by").last()
    facts = [("Gate", review.gate_label), ("Document", str(review.version))]
    if last:
        forum = f" for the {last.board}" if last.board else ""
        facts += [
            ("Decided", f"by {last.decided_by}{forum} on {_date(last.decided_at)}: "
             f"{last.get_outcome_display()}"),
            ("Reasons", last.reasons),
        ]  # fmt: skip
    facts.append(("Programme stage", programme.stage_label))
    status = review.get_status_display().lower()
    message = Message(
        subject=f"Gate review decided: {programme}, {review.gate_label} ({status})",
        summary=f"The gate review of {programme} has been decided: {status}.",
        facts=facts,
        path=review.get_absolute_url(),
        link_text="Open the gate review",
    )
    return notify(
        kind="review_decided", about=review, message=message, period="decided",
        recipients=[programme.manager, programme.sro],
    )  # fmt: skip


def decision_recorded(decision: Decision, actor: User) -> int:
    """A board's decision on a programme (not a gate review's, which ``review_decided`` tells):
    tell the programme's manager and SRO, unless they recorded it themselves."""
    programme = decision.programme
    if programme is None:
        return 0
    message = Message(
        subject=f"Decision recorded on {programme}: {decision.summary}",
        summary=f"{decision.board or 'A board'} recorded a decision on {programme}.",
        facts=[
            ("Decision", decision.decision),
            ("Rationale", decision.rationale or "none given"),
            ("Recorded by", str(actor)),
        ],
        path=reverse("governance:decisions_list", kwargs={"slug": programme.slug}),
        link_text="Open the decision log",
    )
    people = [p for p in (programme.manager, programme.sro) if p is not None and p.pk != actor.pk]
    return notify(
        kind="decision_recorded", about=decision, message=message, period="recorded",
        recipients=people,
    )  # fmt: skip


def action_assigned(action: Action, actor: User) -> int:
    """An action is now the owner's (a new one, or handed to them), unless they gave it to
    themselves."""
    owner = action.owner
    if owner.pk == actor.pk:
        return 0
    where = f" on {action.programme}" if action.programme else ""
    if action.decision_id:
        summary = f"A condition of a decision{where} is now your action: {action.title}."
    else:
        summary = f"{actor} has given you an action{where}: {action.title}."
    message = Message(
        subject=f"Action for you: {action.title}",
        summary=summary,
        facts=[("Due", _date(action.due_date)), ("Given by", str(actor))],
        path=reverse("governance:my_actions"),
        link_text="Open your actions",
    )
    return notify(
        kind="action_assigned", about=action, message=message, period=f"owner-{owner.pk}",
        recipients=[owner],
    )  # fmt: skip


def change_request_awaits(change_request: ChangeRequest) -> int:
    """A change request is routed to a board: tell its members (not the changed programme's
    manager or SRO, who may not decide it) and the board's Teams channel."""
    board = change_request.routed_to
    if board is None:
        return 0
    programme = change_request.programme
    team = {programme.manager_id, programme.sro_id}
    message = Message(
        subject=f"Change request awaiting the {board}: {programme}",
        summary=f"A change request on {programme} awaits a decision by the {board}: "
        f"{change_request}.",
        facts=[
            ("Raised by", str(change_request.raised_by)),
            ("Cost impact", f"£{change_request.cost_impact:,.0f}"),
            ("Time impact", f"{change_request.time_impact_days} days"),
        ],
        path=reverse("governance:change_request_detail", kwargs={"pk": change_request.pk}),
        link_text="Open the change request",
    )
    return notify(
        kind="change_request_awaits", about=change_request, message=message,
        period=f"board-{board.pk}",
        recipients=[m for m in board.members.all() if m.pk not in team], teams_for=[board],
    )  # fmt: skip

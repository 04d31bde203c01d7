"""Writes to the governance logs. Every function is atomic and takes the acting user."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from accounts.models import User
from portfolio.models import Programme

from .models import Action, Board, Decision


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

"""The closure checklist run when the closure report is submitted: every open action, risk,
issue, escalation and unrealised benefit of the programme is closed, transferred to a named owner
(and board), or carried into benefits tracking before the closure can go to its gate. The
recorded handover is quoted by the closure decision.

Reads only models (the gate service imports it to refuse an incomplete checklist)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from benefits.models import Benefit, BenefitStatus
from benefits.services import rollup_mark
from core.audit import audited
from core.errors import ServiceError
from portfolio.models import Programme

from .models import (
    Action,
    ActionStatus,
    Board,
    ClosureHandover,
    HandoverItem,
    HandoverOutcome,
    Issue,
    LogStatus,
    Risk,
    RiskStatus,
)

# The outcomes each kind of item may have.
OUTCOMES: dict[str, list[str]] = {
    HandoverItem.ACTION: [HandoverOutcome.CLOSE, HandoverOutcome.TRANSFER],
    HandoverItem.RISK: [HandoverOutcome.CLOSE, HandoverOutcome.TRANSFER],
    HandoverItem.ISSUE: [HandoverOutcome.CLOSE, HandoverOutcome.TRANSFER],
    HandoverItem.ESCALATION: [HandoverOutcome.CLOSE, HandoverOutcome.TRANSFER],
    HandoverItem.BENEFIT: [HandoverOutcome.TRACK, HandoverOutcome.REALISED],
}


class ClosureError(ServiceError):
    """The checklist cannot be recorded as given; the message is for the user."""


@dataclass(frozen=True)
class OpenItem:
    kind: str
    row: Any

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.row.pk}"

    @property
    def title(self) -> str:
        return str(getattr(self.row, "title", self.row))[:200]

    @property
    def kind_label(self) -> str:
        return HandoverItem(self.kind).label

    @property
    def outcomes(self) -> list[str]:
        return OUTCOMES[self.kind]


def _querysets(programme: Programme) -> dict[str, models.QuerySet]:
    querysets = {
        HandoverItem.ACTION: Action.objects.for_programme(programme).outstanding(),
        HandoverItem.RISK: Risk.objects.filter(programme=programme, status=RiskStatus.OPEN),
        HandoverItem.ISSUE: Issue.objects.filter(programme=programme, status=LogStatus.OPEN),
        HandoverItem.BENEFIT: Benefit.objects.filter(programme=programme).exclude(
            status__in=[BenefitStatus.REALISED, BenefitStatus.WITHDRAWN]
        ),
    }
    return {kind: qs.select_related("owner").order_by("pk") for kind, qs in querysets.items()}


def closure_open_items(programme: Programme) -> list[OpenItem]:
    """Every item the checklist must settle, in a fixed order."""
    return [OpenItem(kind, row) for kind, rows in _querysets(programme).items() for row in rows]


def closure_unsettled(programme: Programme) -> list[OpenItem]:
    """Open items with no recorded handover (a transferred item stays open, settled)."""
    settled = set(
        ClosureHandover.objects.filter(programme=programme).values_list("item", "item_id")
    )
    return [i for i in closure_open_items(programme) if (i.kind, i.row.pk) not in settled]


def closure_handover_summary(programme: Programme) -> str:
    rows = ClosureHandover.objects.filter(programme=programme).select_related("owner", "board")
    if not rows:
        return "Closure checklist: nothing was open to hand over."
    return "Closure checklist: " + "; ".join(str(r) for r in rows) + "."


@dataclass(frozen=True)
class Resolution:
    key: str
    outcome: str
    owner: User | None = None
    board: Board | None = None


@transaction.atomic
@audited
def closure_checklist_record(
    *, programme: Programme, resolutions: list[Resolution], actor: User
) -> list[ClosureHandover]:
    """Settle every open item as ``resolutions`` says (all or nothing): close it, transfer it
    to its named owner and board, or carry a benefit into tracking with its named owner."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    items = {item.key: item for item in closure_open_items(programme)}
    given = {r.key: r for r in resolutions}
    missing = [items[k] for k in items if k not in given]
    if missing:
        names = ", ".join(f"{i.kind_label.lower()} “{i.title}”" for i in missing)
        raise ClosureError(f"Say what happens to every open item: {names}.")
    written = []
    for key, resolution in given.items():
        item = items.get(key)
        if item is None:
            raise ClosureError("An item of the checklist has changed: reload the page.")
        if resolution.outcome not in item.outcomes:
            raise ClosureError(f"Choose what happens to {item.kind_label.lower()} “{item.title}”.")
        needs_owner = resolution.outcome in (HandoverOutcome.TRANSFER, HandoverOutcome.TRACK)
        if needs_owner and resolution.owner is None:
            raise ClosureError(f"Name who takes over {item.kind_label.lower()} “{item.title}”.")
        _apply(item, resolution, actor)
        handover, _ = ClosureHandover.objects.update_or_create(
            programme=programme, item=item.kind, item_id=item.row.pk,
            defaults={
                "title": item.title, "outcome": resolution.outcome, "recorded_by": actor,
                "owner": resolution.owner if needs_owner else None,
                "board": resolution.board if needs_owner else None,
            },
        )  # fmt: skip
        written.append(handover)
    return written


def _apply(item: OpenItem, resolution: Resolution, actor: User) -> None:
    row = item.row
    if resolution.outcome == HandoverOutcome.CLOSE:
        if item.kind == HandoverItem.ACTION:
            row.status, row.completed_on = ActionStatus.DONE, timezone.localdate()
            row.save(update_fields=["status", "completed_on"])
        else:
            row.status = RiskStatus.CLOSED if item.kind == HandoverItem.RISK else LogStatus.CLOSED
            row.save(update_fields=["status"])
    elif resolution.outcome == HandoverOutcome.REALISED:
        row.status = BenefitStatus.REALISED
        row.save(update_fields=["status"])
        rollup_mark(programmes=[row.programme_id])
    else:
        row.owner = resolution.owner
        row.save(update_fields=["owner"])

"""Raising an escalation to a named board, and the board's response (which lands in the
decision log). Atomic; each takes the acting user."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.audit import audited
from core.errors import ServiceError
from portfolio.models import HighlightReport, Programme

from .models import Action, Board, Escalation, EscalationSource, Issue
from .services import decision_record


class EscalationError(ServiceError):
    """An escalation that cannot be raised or answered; the message is for the user."""


def escalation_source(programme: Programme, source: str, source_id: int | None) -> str:
    """The title of what is escalated (a report, action or issue of this programme)."""
    models = {
        EscalationSource.HIGHLIGHT_REPORT: HighlightReport,
        EscalationSource.ACTION: Action,
        EscalationSource.ISSUE: Issue,
    }
    if source == EscalationSource.DECISION_REQUEST:
        return ""
    if source not in models or source_id is None:
        raise EscalationError("Choose what is escalated.")
    row = models[source].objects.filter(programme=programme, pk=source_id).first()
    if row is None:
        raise EscalationError(f"That {EscalationSource(source).label.lower()} is not this "
                              "programme's.")  # fmt: skip
    return str(row) if source == EscalationSource.HIGHLIGHT_REPORT else row.title


def _refuse_second_escalation(programme: Programme, source: str, source_id: int | None) -> None:
    """An item is escalated once at a time, and only while it is open. The item's row is locked
    so two people escalating it at once raise one escalation."""
    models = {
        EscalationSource.HIGHLIGHT_REPORT: HighlightReport,
        EscalationSource.ACTION: Action,
        EscalationSource.ISSUE: Issue,
    }
    row = (
        models[EscalationSource(source)]
        .objects.select_for_update()
        .get(programme=programme, pk=source_id)
    )
    noun = EscalationSource(source).label.lower()
    if not getattr(row, "is_open", True):
        raise EscalationError(
            f"That {noun} is {row.get_status_display().lower()}: only an open {noun} is escalated."
        )
    waiting = (
        Escalation.objects.open()
        .filter(programme=programme, source=source, source_id=source_id)
        .select_related("board")
        .first()
    )
    if waiting is not None:
        raise EscalationError(
            f"That {noun} is already escalated to the {waiting.board}: it waits for the board's "
            "response."
        )


@transaction.atomic
@audited
def escalation_raise(
    *,
    programme: Programme,
    board: Board,
    source: str,
    ask: str,
    actor: User,
    source_id: int | None = None,
    title: str = "",
) -> Escalation:
    if board.is_archived:
        raise EscalationError(f"{board} is archived: escalate to a board that meets.")
    if not ask.strip():
        raise EscalationError("Say what is asked of the board.")
    source_title = escalation_source(programme, source, source_id)
    if source != EscalationSource.DECISION_REQUEST:
        _refuse_second_escalation(programme, source, source_id)
    title = (title.strip() or source_title)[:200]
    if not title:
        raise EscalationError("Give the decision request a title.")
    return Escalation.objects.create(
        programme=programme, source=source, source_id=source_id, title=title, board=board,
        ask=ask.strip(), raised_by=actor,
    )  # fmt: skip


@transaction.atomic
@audited
def escalation_respond(*, escalation: Escalation, response: str, actor: User) -> Escalation:
    """The board answers once; the answer is written to the decision log."""
    escalation = (
        Escalation.objects.select_for_update().select_related("board").get(pk=escalation.pk)
    )
    if not escalation.is_open:
        raise EscalationError(
            f"{escalation.board} already responded on {escalation.responded_at:%-d %B %Y}."
        )
    if not response.strip():
        raise EscalationError("Write the board's response.")
    escalation.response = response.strip()
    escalation.responded_by = actor
    escalation.responded_at = timezone.now()
    escalation.decision = decision_record(
        programme=escalation.programme, board=escalation.board,
        summary=f"Escalation answered: {escalation.title}"[:200],
        decision=escalation.response, rationale=f"Asked: {escalation.ask}", actor=actor,
    )  # fmt: skip
    escalation.save()
    return escalation

"""Who decides each step of a gate review: the board a step is routed to, and the people who may
act on it. Read by the gate services, the gate queries and the notifications alike."""

from __future__ import annotations

from accounts.models import User
from portfolio.models import Programme

from .models import Board, GateReview, SignOff


def board_for_step(sign_off: str, programme: Programme) -> Board | None:
    """The board that decides a step (None for the SRO's sign-off)."""
    if sign_off == SignOff.SRO:
        return None
    if sign_off == SignOff.PORTFOLIO:
        return Board.objects.filter(kind=sign_off, portfolio_id=programme.portfolio_id).first()
    if sign_off == SignOff.PROGRAMME:
        return Board.objects.filter(kind=sign_off, programme=programme).first()
    return Board.objects.filter(kind=sign_off).order_by("pk").first()


def step_approvers(review: GateReview) -> list[User]:
    """Who may decide the review's current step (for notifications)."""
    if not review.is_open:
        return []
    programme = review.programme
    if review.current_sign_off == SignOff.SRO:
        return [programme.sro] if programme.sro else []
    board = board_for_step(review.current_sign_off, programme)
    if board is None:
        return []
    team = {programme.sro_id, programme.manager_id}
    return [m for m in board.members.all() if m.pk not in team]

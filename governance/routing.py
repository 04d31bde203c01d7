"""Who may act on the current step of a gate review (the board deciding it is
``GateReview.deciding_board``). Read by the notifications; the gate services import it too."""

from __future__ import annotations

from accounts.models import User

from .models import GateReview


def step_approvers(review: GateReview) -> list[User]:
    """Who may decide the review's current step (for notifications)."""
    if not review.is_open:
        return []
    programme = review.programme
    if review.awaits_sro:
        return [programme.sro] if programme.sro else []
    board = review.deciding_board
    if board is None:
        return []
    team = {programme.sro_id, programme.manager_id}
    return [m for m in board.members.all() if m.pk not in team]

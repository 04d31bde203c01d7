"""Governance models, one module per log: boards, the RAID log, the actions & decision log,
gate reviews and their policy."""

from .boards import Board, BoardKind
from .gates import (
    Gate,
    GatePolicy,
    GateReview,
    GateReviewQuerySet,
    GateSignOff,
    Outcome,
    ReviewStatus,
    SignOff,
)
from .logs import Action, ActionQuerySet, ActionStatus, Decision, DecisionQuerySet
from .raid import Risk, RiskQuerySet, RiskResponse, RiskStatus, score_band

__all__ = [
    "Action", "ActionQuerySet", "ActionStatus", "Board", "BoardKind", "Decision",
    "DecisionQuerySet", "Gate", "GatePolicy", "GateReview", "GateReviewQuerySet", "GateSignOff",
    "Outcome", "ReviewStatus", "Risk", "RiskQuerySet", "RiskResponse", "RiskStatus", "SignOff",
    "score_band",
]  # fmt: skip

"""Governance models, one module per log: boards, the RAID log, the actions & decision log."""

from .boards import Board, BoardKind
from .logs import Action, ActionQuerySet, ActionStatus, Decision, DecisionQuerySet
from .raid import Risk, RiskQuerySet, RiskResponse, RiskStatus, score_band

__all__ = [
    "Action", "ActionQuerySet", "ActionStatus", "Board", "BoardKind", "Decision",
    "DecisionQuerySet", "Risk", "RiskQuerySet", "RiskResponse", "RiskStatus", "score_band",
]  # fmt: skip

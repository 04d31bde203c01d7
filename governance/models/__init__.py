"""Governance models, one module per log: boards, the RAID log, the actions & decision log,
gate reviews and their policy, change requests and the RACI matrix."""

from .boards import Board, BoardKind, TermsOfReference
from .changes import (
    BaselineKind,
    ChangeKind,
    ChangeRequest,
    ChangeRequestQuerySet,
    ChangeStatus,
    ChangeThresholds,
)
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
from .raci import RaciActivity, RaciAssignment, RaciRole
from .raid import (
    Assumption,
    Dependency,
    Issue,
    IssuePriority,
    LogStatus,
    Risk,
    RiskQuerySet,
    RiskResponse,
    RiskStatus,
    score_band,
)

__all__ = [
    "Action", "ActionQuerySet", "ActionStatus", "Assumption", "BaselineKind", "Board",
    "BoardKind", "ChangeKind", "ChangeRequest", "ChangeRequestQuerySet", "ChangeStatus",
    "ChangeThresholds", "Decision", "DecisionQuerySet", "Dependency", "Gate", "GatePolicy",
    "GateReview", "GateReviewQuerySet", "GateSignOff", "Issue", "IssuePriority", "LogStatus",
    "Outcome", "RaciActivity", "RaciAssignment", "RaciRole", "ReviewStatus", "Risk",
    "RiskQuerySet", "RiskResponse", "RiskStatus", "SignOff", "TermsOfReference", "score_band",
]  # fmt: skip

"""Governance models, one module per log: boards, the RAID log, the actions & decision log,
gate reviews and their policy, change requests and the RACI matrix."""

from .agreements import AgreedInvestment, Guardrails
from .boards import Board, BoardKind, TermsOfReference
from .changes import (
    BaselineKind,
    ChangeKind,
    ChangeRequest,
    ChangeRequestQuerySet,
    ChangeStatus,
    ChangeThresholds,
)
from .closure import ClosureHandover, HandoverItem, HandoverOutcome
from .escalations import Escalation, EscalationQuerySet, EscalationSource
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
from .imports import ImportStatus, RaidImport
from .lessons import (
    Lesson,
    LessonPolarity,
    LessonQuerySet,
    LessonSource,
    LessonStatus,
    LessonTheme,
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
    RiskTally,
    score_band,
)
from .reporting import ReportingCalendar

__all__ = [
    "Action", "ActionQuerySet", "ActionStatus", "Assumption", "BaselineKind", "Board",
    "BoardKind", "ChangeKind", "ChangeRequest", "ChangeRequestQuerySet", "ChangeStatus",
    "ChangeThresholds", "Decision", "DecisionQuerySet", "Dependency", "Gate", "GatePolicy",
    "GateReview", "GateReviewQuerySet", "GateSignOff", "Issue", "IssuePriority", "LogStatus",
    "Outcome", "RaciActivity", "RaciAssignment", "RaciRole", "ReportingCalendar",
    "ReviewStatus", "Risk", "RiskQuerySet", "RiskResponse", "RiskStatus", "RiskTally", "SignOff",
    "TermsOfReference", "score_band",
]  # fmt: skip

# The seeds' example walked end to end (issue 15): closure handovers, what boards agree
# at gates, escalations.
__all__ += [
    "AgreedInvestment", "ClosureHandover", "Escalation", "EscalationQuerySet",
    "EscalationSource", "Guardrails", "HandoverItem", "HandoverOutcome",
]  # fmt: skip

# The lessons-learned library (issue 21).
__all__ += [
    "Lesson", "LessonPolarity", "LessonQuerySet", "LessonSource", "LessonStatus", "LessonTheme",
]  # fmt: skip

# RAID imports checked in the background (issue 22).
__all__ += ["ImportStatus", "RaidImport"]

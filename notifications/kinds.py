"""What Delivery Hub tells people about: one entry per kind of notification, with the words a
person sees when choosing how to hear about it (immediately, or in a daily or weekly digest)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "Straight away, one email each time"
    DAILY = "daily", "In a daily digest"
    WEEKLY = "weekly", "In a weekly digest (Mondays)"


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    reminder: bool = False


KINDS: tuple[Kind, ...] = (
    Kind("review_reached", "A gate review reaches your board or sign-off"),
    Kind("review_decided", "A gate review of your programme is decided"),
    Kind("decision_recorded", "A board records a decision on your programme"),
    Kind("action_assigned", "An action is assigned to you (including a condition of a decision)"),
    Kind("change_request_awaits", "A change request awaits your board"),
    Kind("action_due_soon", "An action you own is due in 3 days", reminder=True),
    Kind("action_overdue", "An action you own is overdue", reminder=True),
    Kind("risk_review_due", "A risk you own is due for review", reminder=True),
    Kind("risk_review_overdue", "A risk you own is overdue for review", reminder=True),
    Kind(
        "highlight_report_due",
        "A highlight report for your programme is due in 3 days",
        reminder=True,
    ),
    Kind("highlight_report_late", "A highlight report for your programme is late", reminder=True),
    Kind(
        "benefit_actuals_due",
        "A benefit you own needs its actuals for the quarter just ended",
        reminder=True,
    ),
    Kind(
        "follow_up_review_due",
        "A delivery confidence follow-up review is due in 3 days",
        reminder=True,
    ),
    Kind(
        "follow_up_review_overdue",
        "A delivery confidence follow-up review is overdue",
        reminder=True,
    ),
    Kind("report_published", "A quarterly scrutiny report is published"),
)
DIGEST = "digest"
KIND_LABELS = {kind.code: kind.label for kind in KINDS} | {DIGEST: "Digest"}
KIND_CHOICES = [(kind.code, kind.label) for kind in KINDS] + [(DIGEST, "Digest")]

"""The actions & decision log.

Decisions are public accountability records: written once by a service (a gate outcome, a change
request outcome, or a decision a board records by hand) and never edited. Actions have an owner
and a due date; a gate condition becomes an action that points at the decision that set it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.limits import limited_text
from portfolio.models import Programme

from .boards import Board


class DecisionQuerySet(models.QuerySet):
    def for_programme(self, programme: Programme) -> DecisionQuerySet:
        return self.filter(programme=programme)

    def with_context(self) -> DecisionQuerySet:
        return self.select_related("programme", "board", "recorded_by", "change_request")


class Decision(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="The council's own reference, e.g. DEC-001 (optional): an onboarding workbook "
        "matches rows on it, so a second import updates instead of duplicating.",
    )
    board = models.ForeignKey(
        Board,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name="forum",
    )
    decided_on = models.DateField(default=timezone.localdate)
    summary = models.CharField(max_length=200)
    decision = limited_text()
    rationale = limited_text(blank=True)
    change_request = models.ForeignKey(
        "governance.ChangeRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_decisions"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    gate_review = models.ForeignKey(
        "governance.GateReview",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        help_text="The gate review whose outcome this records.",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                condition=~models.Q(reference=""),
                name="decision_reference_unique_in_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.summary


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ActionQuerySet(models.QuerySet):
    def outstanding(self) -> ActionQuerySet:
        return self.filter(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])

    def overdue(self, today=None) -> ActionQuerySet:
        return self.outstanding().filter(due_date__lt=today or timezone.localdate())

    def owned_by(self, user) -> ActionQuerySet:
        return self.filter(owner=user)

    def with_overdue(self, today=None) -> ActionQuerySet:
        """Each action's ``overdue`` flag, computed in the query (a page never compares rows)."""
        day = today or timezone.localdate()
        outstanding = Q(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
        return self.annotate(
            overdue=Case(
                When(outstanding & Q(due_date__lt=day), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            )
        )

    def for_programme(self, programme: Programme) -> ActionQuerySet:
        return self.filter(programme=programme)

    def with_context(self) -> ActionQuerySet:
        return self.select_related("programme", "owner", "decision")


class Action(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="The council's own reference, e.g. ACT-001 (optional): an onboarding workbook "
        "matches rows on it, so a second import updates instead of duplicating.",
    )
    title = models.CharField(max_length=200)
    description = limited_text(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_actions"
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The decision whose condition this action tracks.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_actions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "title"]
        indexes = [  # the dashboard's oldest overdue actions, without sorting them all
            models.Index(
                fields=["due_date", "title"],
                condition=models.Q(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
                name="outstanding_actions_by_due",
            ),
            # A person's outstanding and overdue actions counted from the index alone (My
            # actions, the home page's inbox): the owner's index alone read every action's row.
            models.Index(
                fields=["owner", "due_date"],
                condition=models.Q(status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
                name="outstanding_actions_by_owner",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                condition=~models.Q(reference=""),
                name="action_reference_unique_in_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Open or in progress: still to be done (and so still escalatable)."""
        return self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)

    def is_overdue(self, today=None) -> bool:
        outstanding = self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
        return outstanding and self.due_date < (today or timezone.localdate())

"""The change request log, and the thresholds (set by the PMO) that route a change to a board."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portfolio.models import Milestone, Programme
from portfolio.periods import FinancialYear

from .boards import Board


def money_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class ChangeThresholds(models.Model):
    """One row: above these impacts a change goes to the Delivery Board, or to STB."""

    delivery_board_cost = money_field(
        default=Decimal("50000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        verbose_name="Delivery Board: cost impact above (£)",
    )
    delivery_board_days = models.PositiveIntegerField(
        default=30, verbose_name="Delivery Board: time impact above (days)"
    )
    stb_cost = money_field(
        default=Decimal("250000.00"),
        validators=[MinValueValidator(Decimal("0"))],
        verbose_name="STB: cost impact above (£)",
    )
    stb_days = models.PositiveIntegerField(default=90, verbose_name="STB: time impact above (days)")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "change request thresholds"
        verbose_name_plural = "change request thresholds"

    def __str__(self) -> str:
        return "Change request thresholds"


class ChangeKind(models.TextChoices):
    SCOPE = "scope", "Scope"
    COST = "cost", "Cost"
    TIME = "time", "Time"
    BENEFITS = "benefits", "Benefits"


class BaselineKind(models.TextChoices):
    NONE = "", "No baseline change"
    MILESTONE = "milestone", "Milestone due date"
    BUDGET = "budget", "One-off cost budget for a financial year"
    BENEFIT = "benefit", "Benefit planned profile for a financial year"


class ChangeStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ChangeRequestQuerySet(models.QuerySet):
    def for_programme(self, programme: Programme) -> ChangeRequestQuerySet:
        return self.filter(programme=programme)

    def awaiting(self) -> ChangeRequestQuerySet:
        return self.filter(status=ChangeStatus.AWAITING)

    def awaiting_board(self, board: Board) -> ChangeRequestQuerySet:
        return self.awaiting().filter(routed_to=board)

    def with_context(self) -> ChangeRequestQuerySet:
        return self.select_related("programme", "routed_to", "raised_by", "decided_by")


class ChangeRequest(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="change_requests"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ChangeKind.choices, verbose_name="What changes")
    description = models.TextField(verbose_name="The change and why it is needed")
    cost_impact = money_field(verbose_name="Cost impact (£)", help_text="Extra cost; 0 if none.")
    time_impact_days = models.IntegerField(
        default=0, verbose_name="Time impact (days)", help_text="Days of delay; 0 if none."
    )
    benefits_impact = money_field(
        verbose_name="Benefits impact (£)", help_text="Change to benefits; negative for a loss."
    )
    baseline = models.CharField(
        max_length=20, choices=BaselineKind.choices, blank=True, verbose_name="Baseline it changes"
    )
    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )
    new_due_date = models.DateField(null=True, blank=True, verbose_name="New milestone due date")
    benefit = models.ForeignKey(
        "benefits.Benefit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="change_requests",
    )
    financial_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year it starts, e.g. 2024 for 2024/25."
    )
    new_amount = money_field(
        null=True, blank=True, default=None, verbose_name="New budget or planned benefit (£)"
    )
    baseline_before = models.CharField(max_length=100, blank=True)
    baseline_after = models.CharField(max_length=100, blank=True)
    routed_to = models.ForeignKey(
        Board, on_delete=models.PROTECT, related_name="change_requests", null=True
    )
    status = models.CharField(
        max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.AWAITING
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="raised_changes"
    )
    raised_on = models.DateField(default=timezone.localdate)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_changes",
    )
    decided_on = models.DateField(null=True, blank=True)
    reasons = models.TextField(blank=True)

    history = HistoricalRecords()
    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return f"CR-{self.pk}: {self.title}"

    @property
    def reference(self) -> str:
        return f"CR-{self.pk}"

    @property
    def financial_year_label(self) -> str:
        return FinancialYear(self.financial_year).label if self.financial_year else ""

    @property
    def is_decided(self) -> bool:
        return self.status != ChangeStatus.AWAITING

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.baseline == BaselineKind.MILESTONE:
            if not self.milestone_id:
                errors["milestone"] = "Choose the milestone whose due date changes."
            elif self.milestone.programme_id != self.programme_id:
                errors["milestone"] = "Choose a milestone of this programme."
            if not self.new_due_date:
                errors["new_due_date"] = "Enter the new due date."
        if self.baseline in (BaselineKind.BUDGET, BaselineKind.BENEFIT):
            if not self.financial_year:
                errors["financial_year"] = "Enter the baseline year it changes, like 2024/25."
            if self.new_amount is None:
                errors["new_amount"] = "Enter the new amount in pounds."
            elif self.new_amount < 0:
                errors["new_amount"] = "The new amount cannot be negative."
        if self.baseline == BaselineKind.BENEFIT:
            if not self.benefit_id:
                errors["benefit"] = "Choose the benefit whose planned profile changes."
            elif self.benefit.programme_id != self.programme_id:
                errors["benefit"] = "Choose a benefit of this programme."
        if errors:
            raise ValidationError(errors)

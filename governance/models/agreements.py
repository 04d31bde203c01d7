"""What a board agrees at a gate, as the seeds put it: at Gate 1 STB "provides guidance on
potential guardrails"; at Gate 2 STB "defines the guardrails and agrees the investment and
expected RoI". Guardrails are versioned (each gate that sets them adds one); the Gate 2
investment and expected return are the baseline later one-off costs and benefits are compared
to."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from portfolio.models import Programme

from .gates import Gate, GateReview
from .logs import Decision


class Guardrails(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="guardrail_versions"
    )
    version = models.PositiveIntegerField()
    text = models.TextField()
    gate = models.CharField(max_length=10, choices=Gate.choices)
    review = models.ForeignKey(GateReview, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme", "-version"]
        verbose_name_plural = "guardrails"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "version"], name="unique_guardrails_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} guardrails v{self.version} ({Gate(self.gate).short})"

    @property
    def gate_short(self) -> str:
        return Gate(self.gate).short


class AgreedInvestment(models.Model):
    """The investment and expected return a board agreed at Gate 2: the baseline."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="agreed_investments"
    )
    review = models.ForeignKey(GateReview, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    investment = models.DecimalField(
        "agreed investment (£)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    expected_return = models.DecimalField(
        "expected return (£)",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    return_period_years = models.PositiveSmallIntegerField(
        "over (years)", validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme", "-agreed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.programme}: investment agreed at {Gate(self.review.gate).short}"

    @property
    def expected_roi_percent(self) -> Decimal | None:
        if self.investment <= 0:
            return None
        return ((self.expected_return - self.investment) / self.investment * 100).quantize(
            Decimal("1")
        )

"""The RAID log: risks in the shape of the 2020 report's Annex 2 (cause, effect, residual rating,
existing controls, further action)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portfolio.models import Portfolio, Programme


def score_band(score: int | None) -> str:
    """The band label of a likelihood × impact score on the 5×5 matrix."""
    if score is None:
        return ""
    if score >= 15:
        return "High"
    if score >= 10:
        return "Medium/High"
    if score >= 5:
        return "Medium"
    return "Low"


one_to_five = [MinValueValidator(1), MaxValueValidator(5)]


class RiskResponse(models.TextChoices):
    TOLERATE = "tolerate", "Tolerate"
    TREAT = "treat", "Treat"
    TRANSFER = "transfer", "Transfer"
    TERMINATE = "terminate", "Terminate"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    OCCURRED = "occurred", "Occurred (now an issue)"


class RiskQuerySet(models.QuerySet):
    def open(self) -> RiskQuerySet:
        return self.filter(status=RiskStatus.OPEN)

    def escalated(self) -> RiskQuerySet:
        return self.filter(escalated=True)

    def for_programme(self, programme: Programme) -> RiskQuerySet:
        return self.filter(programme=programme)

    def portfolio_wide(self) -> RiskQuerySet:
        return self.filter(programme__isnull=True)

    def review_overdue(self, today=None) -> RiskQuerySet:  # type: ignore[no-untyped-def]
        return self.open().filter(review_date__lt=today or timezone.localdate())


class Risk(models.Model):
    """A risk on a programme's RAID log, or on the portfolio's own register (no programme)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="risks"
    )
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, null=True, blank=True, related_name="risks"
    )
    title = models.CharField(max_length=200)
    cause = models.TextField(blank=True)
    event = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    inherent_likelihood = models.PositiveSmallIntegerField(validators=one_to_five)
    inherent_impact = models.PositiveSmallIntegerField(validators=one_to_five)
    residual_likelihood = models.PositiveSmallIntegerField(validators=one_to_five)
    residual_impact = models.PositiveSmallIntegerField(validators=one_to_five)
    target_likelihood = models.PositiveSmallIntegerField(validators=one_to_five)
    target_impact = models.PositiveSmallIntegerField(validators=one_to_five)
    existing_controls = models.TextField(blank=True)
    further_action = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_risks",
    )
    review_date = models.DateField(null=True, blank=True)
    proximity = models.CharField(max_length=100, blank=True, help_text="When the risk could occur.")
    response = models.CharField(
        max_length=20, choices=RiskResponse.choices, default=RiskResponse.TREAT
    )
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    escalated = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["-escalated", "title"]
        constraints = [
            models.CheckConstraint(
                name="risk_scores_between_1_and_5",
                condition=models.Q(
                    inherent_likelihood__range=(1, 5),
                    inherent_impact__range=(1, 5),
                    residual_likelihood__range=(1, 5),
                    residual_impact__range=(1, 5),
                    target_likelihood__range=(1, 5),
                    target_impact__range=(1, 5),
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def inherent_score(self) -> int:
        return self.inherent_likelihood * self.inherent_impact

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_impact

    @property
    def target_score(self) -> int:
        return self.target_likelihood * self.target_impact

    @property
    def residual_band(self) -> str:
        return score_band(self.residual_score)

    def clean(self) -> None:
        if (
            self.programme_id
            and self.portfolio_id
            and self.programme.portfolio_id != self.portfolio_id
        ):
            raise ValidationError(
                {"portfolio": "A programme's risk sits in that programme's portfolio."}
            )

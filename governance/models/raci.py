"""The RACI matrix: a programme's activities × people, each cell Responsible, Accountable,
Consulted, Informed or empty; exactly one Accountable per activity."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from portfolio.models import Programme


class RaciRole(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class RaciActivity(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="raci_activities"
    )
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "position", "name"]
        verbose_name_plural = "RACI activities"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"], name="unique_raci_activity_per_programme"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RaciAssignment(models.Model):
    activity = models.ForeignKey(RaciActivity, on_delete=models.CASCADE, related_name="cells")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="raci_cells"
    )
    role = models.CharField(max_length=1, choices=RaciRole.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["activity", "person"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="one_raci_cell_per_person"),
            models.UniqueConstraint(
                fields=["activity"],
                condition=models.Q(role="A"),
                name="at_most_one_accountable_per_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.person} {self.role}"

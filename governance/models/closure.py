"""The closure checklist: what happened to each open item of a programme before its closure
report was submitted (closed, transferred to a named owner or board, carried into benefits
tracking). One row per item; the closure decision quotes them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from portfolio.models import Programme

from .boards import Board


class HandoverItem(models.TextChoices):
    ACTION = "action", "Action"
    RISK = "risk", "Risk"
    ISSUE = "issue", "Issue"
    ESCALATION = "escalation", "Escalation"
    BENEFIT = "benefit", "Benefit"


class HandoverOutcome(models.TextChoices):
    CLOSE = "close", "Close it"
    TRANSFER = "transfer", "Transfer it to a named owner"
    TRACK = "track", "Carry it into benefits tracking with a named owner"
    REALISED = "realised", "Mark it realised"


class ClosureHandover(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="closure_handovers"
    )
    item = models.CharField(max_length=20, choices=HandoverItem.choices)
    item_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=200)
    outcome = models.CharField(max_length=20, choices=HandoverOutcome.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, null=True, blank=True, related_name="closure_handovers"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme", "item", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "item", "item_id"], name="one_handover_per_item"
            )
        ]

    def __str__(self) -> str:
        text = f"{self.get_item_display()} “{self.title}”: "
        if self.outcome == HandoverOutcome.CLOSE:
            return text + "closed"
        if self.outcome == HandoverOutcome.REALISED:
            return text + "realised"
        to = str(self.owner) + (f" ({self.board})" if self.board else "")
        if self.outcome == HandoverOutcome.TRACK:
            return text + f"carried into benefits tracking, owned by {to}"
        return text + f"transferred to {to}"

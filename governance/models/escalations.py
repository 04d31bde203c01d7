"""Escalations: "The Programme Manager oversees delivery, escalating actions or decisions via the
Transformation Dashboard." A highlight report, action, issue or decision request is escalated to
a named board with what is asked of it; it waits on the dashboard, in the board's pack and in its
members' inboxes until the board records a response, which lands in the decision log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Programme

from .boards import Board
from .logs import Decision


class EscalationSource(models.TextChoices):
    HIGHLIGHT_REPORT = "highlight_report", "Highlight report"
    ACTION = "action", "Action"
    ISSUE = "issue", "Issue"
    DECISION_REQUEST = "decision_request", "Decision request"


class EscalationQuerySet(models.QuerySet):
    def open(self) -> EscalationQuerySet:
        return self.filter(responded_at__isnull=True)

    def to_board(self, board: Board) -> EscalationQuerySet:
        return self.filter(board=board)

    def with_context(self) -> EscalationQuerySet:
        return self.select_related("programme", "board", "raised_by", "responded_by")


class Escalation(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="escalations")
    source = models.CharField(max_length=20, choices=EscalationSource.choices)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="escalations")
    ask = models.TextField(verbose_name="What is asked of the board")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="raised_escalations"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="escalation"
    )

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["board", "responded_at"], name="escalations_by_board")]

    def __str__(self) -> str:
        return f"Escalation to {self.board}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("governance:escalation_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.responded_at is None

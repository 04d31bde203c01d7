"""Boards: STB (the design authority), the Delivery Board, Portfolio Boards, Programme Boards."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from portfolio.models import Portfolio, Programme


class BoardKind(models.TextChoices):
    STB = "stb", "Strategic Transformation Board"
    DELIVERY = "delivery", "Delivery Board"
    PORTFOLIO = "portfolio", "Portfolio Board"
    PROGRAMME = "programme", "Programme Board"


class BoardQuerySet(models.QuerySet):
    def active(self) -> BoardQuerySet:
        return self.filter(archived_at__isnull=True)


class Board(models.Model):
    name = models.CharField(max_length=160, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    kind = models.CharField(max_length=20, choices=BoardKind.choices)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_boards",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="boards")
    portfolio = models.OneToOneField(
        Portfolio, on_delete=models.PROTECT, null=True, blank=True, related_name="board"
    )
    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="board"
    )
    purpose = models.TextField(blank=True)
    next_meeting = models.DateField(null=True, blank=True)
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text="An archived board no longer meets or decides."
    )

    history = HistoricalRecords(m2m_fields=[members])
    objects = BoardQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("governance:board_detail", kwargs={"slug": self.slug})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def sees_whole_portfolio(self) -> bool:
        return self.kind in (BoardKind.STB, BoardKind.DELIVERY)


class TermsOfReference(models.Model):
    """One saved version of a board's terms of reference; every version is kept."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="terms_of_reference")
    version = models.PositiveIntegerField()
    text = models.TextField()
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["board", "-version"]
        verbose_name_plural = "terms of reference"
        constraints = [
            models.UniqueConstraint(fields=["board", "version"], name="unique_tor_version")
        ]

    def __str__(self) -> str:
        return f"{self.board} terms of reference v{self.version}"

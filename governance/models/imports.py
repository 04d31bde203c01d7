"""A RAID import too large to check within a web request: the uploaded spreadsheet, kept until a
Celery worker has read it, and how far the worker has got."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from portfolio.models import Programme


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    CHECKING = "checking", "Checking the rows"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Nothing imported"


class RaidImport(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="raid_imports")
    filename = models.CharField(max_length=255)
    content = models.BinaryField(blank=True)  # the spreadsheet; emptied once it has been read
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    risks = models.PositiveIntegerField(default=0)  # how many were imported
    errors = models.JSONField(default=list, blank=True)  # every problem found, by row and column
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.programme}: RAID import {self.pk} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.CHECKING)

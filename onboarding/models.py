"""An onboarding upload is kept as a row until it is confirmed or discarded: the file, what its
check found (counts per sheet, sample rows, every problem by sheet, row and column, the people it
names who have no account), and where it stands."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class UploadStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be checked"
    CHECKING = "checking", "Being checked"
    PREVIEWED = "previewed", "Ready to import"
    INVALID = "invalid", "Has problems"
    CONFIRMING = "confirming", "Being imported"
    CONFIRMED = "confirmed", "Imported"
    DISCARDED = "discarded", "Discarded"
    FAILED = "failed", "Could not be checked"


RUNNING = (UploadStatus.QUEUED, UploadStatus.CHECKING, UploadStatus.CONFIRMING)


class OnboardingUploadQuerySet(models.QuerySet):
    def recent(self) -> OnboardingUploadQuerySet:
        return self.select_related("uploaded_by").order_by("-created_at")


class OnboardingUpload(models.Model):
    filename = models.CharField(max_length=200)
    data = models.BinaryField(help_text="The file as uploaded; emptied once imported or discarded.")
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=UploadStatus.choices, default=UploadStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="onboarding_uploads"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = OnboardingUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("onboarding:preview", kwargs={"pk": self.pk})

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def can_confirm(self) -> bool:
        return self.status == UploadStatus.PREVIEWED

    @property
    def can_discard(self) -> bool:
        return self.status in (UploadStatus.PREVIEWED, UploadStatus.INVALID, UploadStatus.FAILED)

    @property
    def totals(self) -> dict[str, int]:
        sheets = self.summary.get("sheets", [])
        return {kind: sum(s[kind] for s in sheets) for kind in ("create", "update", "unchanged")}

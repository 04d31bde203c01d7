"""The lessons-learned library: "The Programme Manager captures lessons learned and shares these
with the PMO". A lesson is recorded at any stage (directly, from a highlight report or a gate
decision) and the closure report's lessons section becomes lesson records when the closure is
approved. The PMO curates them: merges duplicates and marks what was adopted into practice.

Each lesson keeps the programme's directorate and category as they were when it was recorded, so
a search across programmes finds it under them after the programme has moved on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.limits import limited_text
from portfolio.models import (
    Category,
    Directorate,
    DocumentVersion,
    HighlightReport,
    Programme,
    Stage,
)

from .gates import GateReview


class LessonSource(models.TextChoices):
    DIRECT = "direct", "Recorded directly"
    HIGHLIGHT_REPORT = "highlight_report", "Highlight report"
    GATE_REVIEW = "gate_review", "Gate decision"
    CLOSURE_REPORT = "closure_report", "Closure report"


class LessonPolarity(models.TextChoices):
    POSITIVE = "positive", "Positive: went well, repeat it"
    NEGATIVE = "negative", "Negative: did not go well, avoid it"

    @property
    def short(self) -> str:
        return "Positive" if self == LessonPolarity.POSITIVE else "Negative"


class LessonStatus(models.TextChoices):
    RECORDED = "recorded", "Recorded"
    ADOPTED = "adopted", "Adopted into practice"
    MERGED = "merged", "Merged into another lesson"


class LessonTheme(models.Model):
    """A theme a lesson is tagged with (installed as data; the PMO may add more in the admin)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class LessonQuerySet(models.QuerySet):
    def current(self) -> LessonQuerySet:
        """Lessons that stand on their own (a merged duplicate is read through its keeper)."""
        return self.exclude(status=LessonStatus.MERGED)

    def with_context(self) -> LessonQuerySet:
        return self.select_related(
            "programme",
            "directorate",
            "highlight_report",
            "gate_review",
            "closure_version__document",
            "merged_into",
        ).prefetch_related("themes")


class Lesson(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField("lesson", max_length=200, help_text="The lesson in a sentence.")
    what_happened = limited_text("what happened")
    why = limited_text("why it happened", blank=True)
    next_time = limited_text("what to do next time", blank=True)
    stage = models.CharField(
        "stage", max_length=20, choices=Stage.choices, help_text="The stage the lesson is about."
    )
    themes = models.ManyToManyField(LessonTheme, blank=True, related_name="lessons")
    directorate = models.ForeignKey(
        Directorate, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons"
    )
    category = models.CharField(max_length=1, choices=Category.choices, blank=True)
    polarity = models.CharField(
        "positive or negative", max_length=10, choices=LessonPolarity.choices
    )
    source = models.CharField(max_length=20, choices=LessonSource.choices)
    highlight_report = models.ForeignKey(
        HighlightReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons"
    )
    gate_review = models.ForeignKey(
        GateReview, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons"
    )
    closure_version = models.ForeignKey(
        DocumentVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=LessonStatus.choices, default=LessonStatus.RECORDED
    )
    adopted_change = limited_text("what changed in practice", blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["status", "recorded_at"], name="lessons_by_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("governance:lesson_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"L{self.pk}"

    @property
    def polarity_short(self) -> str:
        return LessonPolarity(self.polarity).short

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def is_merged(self) -> bool:
        return self.status == LessonStatus.MERGED

    @property
    def source_url(self) -> str:
        """Where the lesson came from: the highlight report (in the Programme Workbook), the
        closure report's frozen version, the gate review, or (recorded directly) the programme."""
        programme = self.programme
        if self.highlight_report_id:
            workbook = reverse("portfolio:workbook", kwargs={"slug": programme.slug})
            return f"{workbook}#report-{self.highlight_report_id}"
        if self.closure_version_id:
            return reverse(
                "portfolio:document_version",
                kwargs={
                    "slug": programme.slug,
                    "document": self.closure_version.document.kind,
                    "number": self.closure_version.number,
                },
            )
        if self.gate_review_id:
            return reverse("governance:review_detail", kwargs={"pk": self.gate_review_id})
        return programme.get_absolute_url()

    @property
    def source_title(self) -> str:
        if self.highlight_report_id:
            return f"Highlight report, {self.highlight_report.month:%B %Y}"
        if self.closure_version_id:
            return f"Closure report, version {self.closure_version.number}"
        if self.gate_review_id:
            return self.gate_review.gate_label
        return f"{LessonSource(self.source).label} on {self.programme.name}"

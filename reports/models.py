"""The quarterly scrutiny report: a quarter's narrative, and its frozen, versioned PDF/XLSX."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.limits import LONG_TEXT, limited_text
from governance.models import Board, Lesson
from portfolio.models import Programme
from portfolio.periods import FinancialYear, Quarter

DEFAULT_COMMITTEE = "Performance and Corporate Services Overview & Scrutiny Committee"


class QuarterlyReportQuerySet(models.QuerySet):
    def with_versions(self) -> QuarterlyReportQuerySet:
        return self.prefetch_related("versions")

    def published(self) -> QuarterlyReportQuerySet:
        return self.filter(versions__status=VersionStatus.PUBLISHED).distinct()


class QuarterlyReport(models.Model):
    """One quarter's report to the scrutiny committee: the narrative the PMO writes."""

    financial_year = models.PositiveSmallIntegerField(help_text="Start year: 2019 is 2019/20.")
    quarter_number = models.PositiveSmallIntegerField()
    committee = models.CharField(max_length=200, default=DEFAULT_COMMITTEE)
    meeting_date = models.DateField(null=True, blank=True)
    author = models.CharField(
        "report by", max_length=200, blank=True,
        help_text="The officer the report is by, e.g. Corporate Director for Customer and "
        "Organisational Development.",
    )  # fmt: skip
    recommendations = limited_text(
        blank=True, help_text="One recommendation per line.", limit=LONG_TEXT
    )
    executive_summary = limited_text(blank=True, limit=LONG_TEXT)
    headline_progress = limited_text(
        "headline progress", blank=True, help_text="One bullet per line.", limit=LONG_TEXT
    )
    new_phase = limited_text("new phase of work", blank=True, limit=LONG_TEXT)
    lessons = models.ManyToManyField(
        Lesson, blank=True, related_name="quarterly_reports",
        help_text="The lessons the PMO shares with the committee, printed as an annex.",
    )  # fmt: skip
    correction_open = models.BooleanField(
        default=False, help_text="A correction to the published report is being prepared."
    )
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = QuarterlyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-financial_year", "-quarter_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "quarter_number"], name="unique_report_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter_number__gte=1, quarter_number__lte=4),
                name="report_quarter_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"Quarterly report {self.quarter.label}"

    def get_absolute_url(self) -> str:
        return reverse("reports:report_detail", kwargs={"quarter": self.quarter.slug})

    @property
    def quarter(self) -> Quarter:
        return Quarter(FinancialYear(self.financial_year), self.quarter_number)

    @property
    def title(self) -> str:
        return f"Quarterly Review of the Transformation Programme ({self.quarter.months_label})"


class ReportSection(models.Model):
    """A further section or annex the PMO writes (like the 2019 paper's Annex 3)."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    body = limited_text(limit=LONG_TEXT)
    annex = models.BooleanField("print as an annex", default=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgrammeProgress(models.Model):
    """A programme's progress paragraph in a report, prefilled from its highlight reports."""

    report = models.ForeignKey(QuarterlyReport, on_delete=models.CASCADE, related_name="progress")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    paragraph = limited_text(blank=True, limit=LONG_TEXT)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "programme__name"]
        constraints = [
            models.UniqueConstraint(fields=["report", "programme"], name="unique_report_programme")
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.programme}"


class VersionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    GENERATING = "generating", "Generating"
    GENERATED = "generated", "Generated"
    FAILED = "failed", "Failed"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


RUNNING = (VersionStatus.QUEUED, VersionStatus.GENERATING)
READABLE = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


class ReportVersion(models.Model):
    """One generation of a report: the data frozen as of the quarter's end, and its two files.

    Published versions are immutable (services refuse changes); a correction is a new version
    that supersedes the published one, and both are kept.
    """

    report = models.ForeignKey(QuarterlyReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    as_of = models.DateTimeField(help_text="The moment the data is frozen at: the quarter's end.")
    data = models.JSONField(null=True, blank=True)
    pdf = models.FileField(upload_to="reports/", blank=True)
    xlsx = models.FileField(upload_to="reports/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    # When and by which task delivery the build was claimed (queued → generating): another task
    # leaves it to that build until the hard time limit has passed (reports/background.py).
    started_at = models.DateTimeField(null=True, blank=True)
    build_task_id = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    class Meta:
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="unique_report_version"),
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(status__in=["queued", "generating"]),
                name="one_running_version_per_report",
            ),
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(status="published"),
                name="one_published_version_per_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} version {self.number}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def is_published(self) -> bool:
        return self.status in READABLE

    @property
    def has_files(self) -> bool:
        return self.status in (VersionStatus.GENERATED, *READABLE)

    def filename(self, fmt: str) -> str:
        return f"quarterly-review-{self.report.quarter.slug}-v{self.number}.{fmt}"


class BackgroundPdf(models.Model):
    """A PDF built in the background (never inside the request), numbered per what it is about;
    each generation is kept. Its task moves it queued → generating → generated or failed."""

    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # as ReportVersion's
    build_task_id = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def has_file(self) -> bool:
        return self.status == VersionStatus.GENERATED


class DeepDivePack(BackgroundPdf):
    """A per-programme deep-dive pack for a scrutiny committee: a PDF built in the background
    (like a quarterly report version), numbered per programme; each generation is kept."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="deep_dive_packs"
    )
    data = models.JSONField(null=True, blank=True)
    pdf = models.FileField(upload_to="deep-dives/", blank=True)

    class Meta:
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="unique_deep_dive_number"),
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(status__in=["queued", "generating"]),
                name="one_running_deep_dive_per_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: deep-dive pack {self.number}"

    def filename(self) -> str:
        return f"deep-dive-{self.programme.slug}-{self.number}.pdf"


class BoardPackPdf(BackgroundPdf):
    """A board pack as a PDF, built in the background from the board's pack as it stands
    (issue 22: never inside the request), numbered per board; each generation is kept."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="pack_pdfs")
    pdf = models.FileField(upload_to="board-packs/", blank=True)
    # The workbook appendix: every row of the pack's lists (the PDF prints the first rows).
    xlsx = models.FileField(upload_to="board-packs/", blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["board", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "number"], name="unique_board_pack_pdf_number"
            ),
            models.UniqueConstraint(
                fields=["board"],
                condition=models.Q(status__in=["queued", "generating"]),
                name="one_running_board_pack_pdf_per_board",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board}: board pack PDF {self.number}"

    def filename(self, fmt: str = "pdf") -> str:
        return f"{self.board.slug}-pack-{self.number}.{fmt}"

"""The RAID log: risks in the shape of the 2020 report's Annex 2 (cause, effect, residual rating,
existing controls, further action)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.limits import limited_text
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

    def review_overdue(self, today=None) -> RiskQuerySet:
        return self.open().filter(review_date__lt=today or timezone.localdate())

    def in_portfolio(self, portfolio: Portfolio) -> RiskQuerySet:
        return self.filter(
            models.Q(programme__portfolio=portfolio)
            | models.Q(programme__isnull=True, portfolio=portfolio)
        )

    def with_people(self) -> RiskQuerySet:
        return self.select_related("programme", "owner", "issue")


class Risk(models.Model):
    """A risk on a programme's RAID log, or on the portfolio's own RAID log (no programme)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="risks"
    )
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="The council's own reference, e.g. R-001 (optional): an onboarding workbook "
        "matches rows on it, so a second import updates instead of duplicating.",
    )
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, null=True, blank=True, related_name="risks"
    )
    title = models.CharField(max_length=200)
    cause = limited_text(blank=True)
    event = limited_text(blank=True)
    effect = limited_text(blank=True)
    inherent_likelihood = models.PositiveSmallIntegerField(validators=one_to_five)
    inherent_impact = models.PositiveSmallIntegerField(validators=one_to_five)
    residual_likelihood = models.PositiveSmallIntegerField(validators=one_to_five)
    residual_impact = models.PositiveSmallIntegerField(validators=one_to_five)
    target_likelihood = models.PositiveSmallIntegerField(validators=one_to_five)
    target_impact = models.PositiveSmallIntegerField(validators=one_to_five)
    existing_controls = limited_text(blank=True)
    further_action = limited_text(blank=True)
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
        indexes = [  # the dashboard's longest-overdue reviews, without sorting them all
            models.Index(
                fields=["review_date", "title"],
                condition=models.Q(status=RiskStatus.OPEN),
                name="open_risks_by_review_date",
            ),
            # A person's overdue risk reviews counted from the index alone (the inbox in the
            # navigation, after any save): the owner's index alone read every risk's row, 12 ms
            # for the 5,048 risks one person owns at 5,000 programmes.
            models.Index(
                fields=["owner", "review_date"],
                condition=models.Q(status=RiskStatus.OPEN),
                name="open_risks_by_owner",
            ),
            # The whole portfolio's RAID log (/raid/) in its default order, a page at a time
            # without sorting every risk (make bench: the sort grew with the portfolio).
            models.Index(models.F("escalated").desc(), "title", "id", name="risks_in_log_order"),
            # The heat map's count of open risks by residual rating, read from the index alone.
            models.Index(
                fields=["residual_likelihood", "residual_impact"],
                condition=models.Q(status=RiskStatus.OPEN),
                name="open_risks_by_residual",
            ),
            # The dashboard's top escalated risks, highest residual score first: a walk that
            # stops at the tenth, not a sort of every escalated risk.
            models.Index(
                (models.F("residual_likelihood") * models.F("residual_impact")).desc(), "title",
                condition=models.Q(status=RiskStatus.OPEN, escalated=True),
                name="escalated_risks_by_residual",
            ),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                condition=~models.Q(reference=""),
                name="risk_reference_unique_in_programme",
            ),
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
            ),
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

    @property
    def inherent_band(self) -> str:
        return score_band(self.inherent_score)

    @property
    def target_band(self) -> str:
        return score_band(self.target_score)

    def is_review_overdue(self, today=None) -> bool:
        return (
            self.status == RiskStatus.OPEN
            and self.review_date is not None
            and self.review_date < (today or timezone.localdate())
        )

    def clean(self) -> None:
        if (
            self.programme_id
            and self.portfolio_id
            and self.programme.portfolio_id != self.portfolio_id
        ):
            raise ValidationError(
                {"portfolio": "A programme's risk sits in that programme's portfolio."}
            )


class RiskTally(models.Model):
    """How many risks a portfolio has in each status at each residual rating, kept by the
    database: triggers on the risks and on the programmes' portfolio move these counts with
    every write, whoever makes it (a service, an import, a bulk ``update()``, a cascade), in the
    writer's transaction (migration 0024, which also fills them). The whole portfolio's RAID
    log and its heat map read their counts here (``governance.queries.risk_counts``): at most a
    hundred rows a portfolio, where counting the risks reads all 80,000 at 5,000 programmes.

    ``portfolio_key`` is the portfolio a risk counts in: its programme's (``RiskQuerySet.
    in_portfolio``), or its own when it has no programme; 0 for none. A plain number, not a
    foreign key, so that a count never holds up a portfolio's deletion. The triggers never
    delete a row: a count that falls to 0 stays, so every risk's key has its row.
    ``governance.tallies`` checks them against a recount every night."""

    portfolio_key = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=RiskStatus.choices)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio_key", "status", "likelihood", "impact"],
                name="risk_tally_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.portfolio_key} {self.status} {self.likelihood}×{self.impact}: {self.n}"


class IssuePriority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class LogStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class AssumptionQuerySet(models.QuerySet):
    def for_programme(self, programme: Programme) -> AssumptionQuerySet:
        return self.filter(programme=programme)

    def validation_overdue(self, today=None) -> AssumptionQuerySet:
        return self.filter(status=LogStatus.OPEN, validation_date__lt=today or timezone.localdate())


class Assumption(models.Model):
    """Something the programme takes as true without proof, to be validated by a date."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="assumptions")
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="The council's own reference, e.g. A-001 (optional): an onboarding workbook "
        "matches rows on it, so a second import updates instead of duplicating.",
    )
    title = models.CharField(max_length=200)
    description = limited_text(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_assumptions",
    )
    validation_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=LogStatus.choices, default=LogStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = AssumptionQuerySet.as_manager()

    class Meta:
        ordering = ["validation_date", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                condition=~models.Q(reference=""),
                name="assumption_reference_unique_in_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today=None) -> bool:
        return (
            self.status == LogStatus.OPEN
            and self.validation_date is not None
            and self.validation_date < (today or timezone.localdate())
        )


# High, then Medium, then Low: the order open issues are worked through.
PRIORITY_ORDER = models.Case(
    models.When(priority=IssuePriority.HIGH, then=0),
    models.When(priority=IssuePriority.MEDIUM, then=1),
    default=2,
    output_field=models.IntegerField(),
)


class IssueQuerySet(models.QuerySet):
    def for_programme(self, programme: Programme) -> IssueQuerySet:
        return self.filter(programme=programme)

    def by_priority(self) -> IssueQuerySet:
        """Highest priority first, then the most recently raised (the index
        ``issues_open_by_priority`` holds open issues in this order)."""
        return self.order_by(PRIORITY_ORDER, "-raised_on", "pk")

    def open(self) -> IssueQuerySet:
        return self.filter(status=LogStatus.OPEN)


class Issue(models.Model):
    """Something that has happened and must be dealt with; may be a risk that occurred."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="issues")
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="The council's own reference, e.g. I-001 (optional): an onboarding workbook "
        "matches rows on it, so a second import updates instead of duplicating.",
    )
    title = models.CharField(max_length=200)
    description = limited_text(blank=True)
    priority = models.CharField(
        max_length=10, choices=IssuePriority.choices, default=IssuePriority.MEDIUM
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_issues",
    )
    resolution = limited_text(blank=True)
    status = models.CharField(max_length=20, choices=LogStatus.choices, default=LogStatus.OPEN)
    raised_on = models.DateField(default=timezone.localdate)
    risk = models.OneToOneField(
        Risk,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issue",
        help_text="The risk this issue was when it had not yet happened.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["status", "priority", "title"]
        indexes = [
            # A manager's open issues, highest priority first (the home page and dashboard):
            # a walk that stops at the tenth of theirs, not a sort of every one.
            models.Index(
                PRIORITY_ORDER, models.F("raised_on").desc(), "id",
                condition=models.Q(status=LogStatus.OPEN), name="issues_open_by_priority",
            ),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                condition=~models.Q(reference=""),
                name="issue_reference_unique_in_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == LogStatus.OPEN


class DependencyQuerySet(models.QuerySet):
    def touching(self, programme: Programme) -> DependencyQuerySet:
        """Dependencies a programme has, and those other programmes have on it."""
        return self.filter(models.Q(programme=programme) | models.Q(depends_on=programme))


class Dependency(models.Model):
    """What a programme needs from another programme or from an outside body."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="dependencies")
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="The council's own reference, e.g. D-001 (optional): an onboarding workbook "
        "matches rows on it, so a second import updates instead of duplicating.",
    )
    title = models.CharField(max_length=200)
    description = limited_text(blank=True)
    depends_on = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name="depends on programme",
    )
    outside_body = models.CharField(
        max_length=200, blank=True, help_text="A body outside the portfolio, e.g. a partner."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_dependencies",
    )
    needed_by = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=LogStatus.choices, default=LogStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = DependencyQuerySet.as_manager()

    class Meta:
        ordering = ["needed_by", "title"]
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                condition=~models.Q(reference=""),
                name="dependency_reference_unique_in_programme",
            ),
            models.CheckConstraint(
                name="dependency_not_on_itself",
                condition=~models.Q(depends_on=models.F("programme")),
            ),
            models.CheckConstraint(
                name="dependency_names_what_it_depends_on",
                condition=models.Q(depends_on__isnull=False) | ~models.Q(outside_body=""),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def on(self) -> str:
        return str(self.depends_on) if self.depends_on_id else self.outside_body

    def clean(self) -> None:
        if self.depends_on_id and self.depends_on_id == self.programme_id:
            raise ValidationError({"depends_on": "A programme cannot depend on itself."})
        if not self.depends_on_id and not self.outside_body.strip():
            raise ValidationError(
                {"outside_body": "Choose the programme or name the outside body it depends on."}
            )

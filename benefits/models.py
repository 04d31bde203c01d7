"""Benefits, their financial-year profiles, one-off costs and the Medium Term Financial Plan.

Money is GBP held as Decimal (12 digits, 2 places). A financial year is stored as the calendar
year it starts in (2019 is 2019/20; see portfolio.periods).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from portfolio.models import Directorate, Programme
from portfolio.periods import FinancialYear


def money_field(**kwargs) -> models.DecimalField:  # type: ignore[no-untyped-def]
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))], **kwargs
    )


class FinancialYearField(models.PositiveSmallIntegerField):
    """The calendar year a financial year starts in; shown and typed as 2019/20."""

    description = "Financial year (stored as its starting calendar year)"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class MTFPPlan(models.Model):
    """A Medium Term Financial Plan, e.g. "MTFP 2020/21–2023/24", approved February 2020."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    first_year = FinancialYearField()
    last_year = FinancialYearField()
    approved_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-first_year", "name"]
        verbose_name = "MTFP plan"

    def __str__(self) -> str:
        return self.name

    @property
    def financial_years(self) -> list[FinancialYear]:
        return [FinancialYear(y) for y in range(self.first_year, self.last_year + 1)]


class MTFPLine(models.Model):
    """A savings line of the plan, for a directorate or a programme."""

    plan = models.ForeignKey(MTFPPlan, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(max_length=160)
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="mtfp_lines"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="mtfp_lines"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="unique_line_per_plan")
        ]
        verbose_name = "MTFP line"

    def __str__(self) -> str:
        return self.name


class MTFPTarget(models.Model):
    """The savings target of one MTFP line in one financial year."""

    line = models.ForeignKey(MTFPLine, on_delete=models.CASCADE, related_name="targets")
    financial_year = FinancialYearField()
    amount = money_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["line", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "financial_year"], name="unique_target_per_year"
            )
        ]
        verbose_name = "MTFP target"

    def __str__(self) -> str:
        return f"{self.line} {FinancialYear(self.financial_year).label}"


class BenefitType(models.TextChoices):
    CASHABLE_SAVING = "cashable_saving", "Cashable saving"
    INCOME = "income", "Income"
    COST_AVOIDANCE = "cost_avoidance", "Cost avoidance"
    NON_CASHABLE = "non_cashable", "Non-cashable"
    NON_FINANCIAL = "non_financial", "Non-financial"
    DIS_BENEFIT = "dis_benefit", "Dis-benefit"


class BenefitStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    PLANNED = "planned", "Planned"
    REALISING = "realising", "Being realised"
    REALISED = "realised", "Realised"
    AT_RISK = "at_risk", "At risk"
    WITHDRAWN = "withdrawn", "Withdrawn"


class BenefitQuerySet(models.QuerySet):
    def financial(self) -> BenefitQuerySet:
        return self.exclude(type=BenefitType.NON_FINANCIAL)

    def for_programme(self, programme: Programme) -> BenefitQuerySet:
        return self.filter(programme=programme)


class Benefit(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="benefits")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=20, choices=BenefitType.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_benefits",
    )
    directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True, related_name="benefits"
    )
    measure = models.CharField(max_length=200, blank=True)
    baseline = models.CharField(max_length=120, blank=True)
    target = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        max_length=20, choices=BenefitStatus.choices, default=BenefitStatus.PLANNED
    )
    mtfp_line = models.ForeignKey(
        MTFPLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="benefits"
    )

    history = HistoricalRecords()
    objects = BenefitQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_financial(self) -> bool:
        return self.type != BenefitType.NON_FINANCIAL


class BenefitProfile(models.Model):
    """Planned, forecast and actual value of a benefit in one financial year (GBP)."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="profile")
    financial_year = FinancialYearField()
    planned = money_field()
    forecast = money_field()
    actual = money_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["benefit", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "financial_year"], name="unique_profile_year_per_benefit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.benefit} {self.financial_year_label}"

    @property
    def financial_year_label(self) -> str:
        return FinancialYear(self.financial_year).label


class OneOffCost(models.Model):
    """Investment budget (the business case) against actual spend, per financial year.

    A row with no programme is programme-wide: the business case of the whole Transformation
    Programme not allocated to one programme.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="one_off_costs"
    )
    financial_year = FinancialYearField()
    budget = money_field()
    actual = money_field()
    note = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "financial_year"], name="unique_one_off_cost_year"
            )
        ]

    def __str__(self) -> str:
        return f"One-off costs {self.financial_year_label}: {self.programme or 'programme-wide'}"

    @property
    def financial_year_label(self) -> str:
        return FinancialYear(self.financial_year).label

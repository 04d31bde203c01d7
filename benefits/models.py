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

from core.limits import limited_text
from portfolio.models import Directorate, Programme
from portfolio.periods import FinancialYear


def money_field(**kwargs) -> models.DecimalField:
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


class Deliverability(models.TextChoices):
    """Savings deliverability; the rule that derives it is in benefits/deliverability.py."""

    BLUE = "blue", "Blue: delivered"
    GREEN = "green", "Green: on track"
    AMBER = "amber", "Amber: needs further activity"
    RED = "red", "Red: at risk"


class DeliverabilityOverride(models.Model):
    """The PMO's override of the derived deliverability rating, with its reason, who and when."""

    rating_override = models.CharField(
        "deliverability override", max_length=10, choices=Deliverability.choices, blank=True
    )
    rating_override_reason = models.TextField("reason for the override", blank=True)
    rating_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rating_override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class MTFPLine(DeliverabilityOverride):
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
    NOT_REALISED = "not_realised", "Not realised"
    AT_RISK = "at_risk", "At risk"
    WITHDRAWN = "withdrawn", "Withdrawn"


class RealisationClaim(models.TextChoices):
    """What the benefit's owner says happened, for the PMO to confirm."""

    REALISED = "realised", "Realised"
    NOT_REALISED = "not_realised", "Not realised"


class BenefitQuerySet(models.QuerySet):
    def financial(self) -> BenefitQuerySet:
        return self.exclude(type=BenefitType.NON_FINANCIAL)

    def for_programme(self, programme: Programme) -> BenefitQuerySet:
        return self.filter(programme=programme)

    def owned_by(self, user) -> BenefitQuerySet:
        return self.filter(owner=user)

    def still_tracked(self) -> BenefitQuerySet:
        """Not yet confirmed realised or not realised by the PMO, nor withdrawn: on the owner's
        list, during the programme and after its closure."""
        return self.filter(realisation_confirmed_at__isnull=True).exclude(
            status=BenefitStatus.WITHDRAWN
        )

    def owed_after_closure(self) -> BenefitQuerySet:
        """Still tracked although the programme has closed."""
        return self.still_tracked().filter(programme__stage="closed")

    def with_register(self) -> BenefitQuerySet:
        """What the register shows: people, line and plan, and the profile rows."""
        return self.select_related(
            "programme", "owner", "directorate", "mtfp_line__plan", "rating_override_by"
        ).prefetch_related("profile")


class Benefit(DeliverabilityOverride):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="benefits")
    reference = models.CharField(
        max_length=40,
        blank=True,
        help_text="The council's own reference, e.g. B-01 (optional): an onboarding workbook "
        "matches rows on it, so a second import updates instead of duplicating.",
    )
    title = models.CharField(max_length=200)
    description = limited_text(blank=True)
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
    # Realisation: the owner claims (with evidence or a reason), the PMO confirms.
    realisation_claim = models.CharField(
        max_length=20, choices=RealisationClaim.choices, blank=True
    )
    realisation_note = limited_text(
        "evidence or reason", blank=True,
        help_text="The evidence it was realised, or the reason it was not.",
    )  # fmt: skip
    realisation_claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    realisation_claimed_at = models.DateTimeField(null=True, blank=True)
    realisation_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    realisation_confirmed_at = models.DateTimeField(null=True, blank=True)
    baselined_at = models.DateTimeField(
        null=True, blank=True, help_text="When Gate 3 locked the planned profile as the baseline."
    )

    history = HistoricalRecords()
    objects = BenefitQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "title"]
        indexes = [
            # My benefits counts a person's benefits still tracked and those confirmed from these
            # alone (index-only scans), not from every row they own (make bench, issue #22).
            models.Index(
                fields=["owner"],
                condition=models.Q(realisation_confirmed_at__isnull=True)
                & ~models.Q(status=BenefitStatus.WITHDRAWN),
                name="benefits_tracked_by_owner",
            ),
            models.Index(
                fields=["owner"],
                condition=models.Q(realisation_confirmed_at__isnull=False),
                name="benefits_confirmed_by_owner",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "reference"],
                condition=~models.Q(reference=""),
                name="benefit_reference_unique_in_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_financial(self) -> bool:
        return self.type != BenefitType.NON_FINANCIAL

    @property
    def awaits_confirmation(self) -> bool:
        return bool(self.realisation_claim) and self.realisation_confirmed_at is None

    @property
    def realisation_label(self) -> str:
        """Where the benefit stands: being realised, claimed (awaiting the PMO), or confirmed."""
        if self.realisation_confirmed_at is not None:
            return f"{self.get_realisation_claim_display()} (confirmed by the PMO)"
        if self.realisation_claim:
            return f"{self.get_realisation_claim_display()}: awaiting the PMO's confirmation"
        if self.status == BenefitStatus.WITHDRAWN:
            return "Withdrawn"
        return "Being tracked"


class BenefitProfile(models.Model):
    """Planned, forecast and actual value of a benefit in one financial year (GBP)."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="profile")
    financial_year = FinancialYearField()
    planned = money_field()
    forecast = money_field()
    actual = money_field()
    baseline = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The planned value locked when Gate 3 approved the Full Brief; only an "
        "approved change request moves it.",
    )  # fmt: skip

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


# --- The roll-up: dated snapshots the dashboard reads ----------------------------------------


def signed_money_field(**kwargs) -> models.DecimalField:
    """Money that may be negative (a variance), never float."""
    kwargs.setdefault("default", Decimal("0.00"))
    return models.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class RollupSnapshot(models.Model):
    """One roll-up of money and status, as of a moment; the dashboard reads the latest.

    ``content_hash`` is the SHA-256 of the payload (money as strings of Decimals): the same data
    gives the same hash, and a run that finds the latest snapshot's hash unchanged records only
    ``checked_at``.
    """

    as_of = models.DateTimeField(db_index=True)
    checked_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)
    rows_digest = models.CharField(
        max_length=64,
        blank=True,
        help_text="The sum (mod 2**256) of each row's SHA-256: it does not depend on the rows' "
        "order, so the incremental roll-up moves it by the rows of one programme.",
    )
    payload = models.JSONField()

    class Meta:
        ordering = ["-as_of", "-pk"]
        get_latest_by = ["as_of", "pk"]

    def __str__(self) -> str:
        return f"Roll-up as of {self.as_of:%Y-%m-%d %H:%M}"


class RollupRow(models.Model):
    """One normalized cell of a snapshot, so the dashboard can filter and sum without the raw rows.

    Keyed by (portfolio, programme, directorate, category, MTFP line, financial year); a row with
    no programme and no line is a programme-wide one-off cost.
    """

    snapshot = models.ForeignKey(RollupSnapshot, on_delete=models.CASCADE, related_name="rows")
    portfolio = models.ForeignKey(
        "portfolio.Portfolio", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    directorate = models.ForeignKey(
        Directorate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.CharField(max_length=1, blank=True)
    mtfp_line = models.ForeignKey(
        MTFPLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    financial_year = FinancialYearField()
    target = signed_money_field()
    planned = signed_money_field()
    forecast = signed_money_field()
    actual = signed_money_field()
    variance = signed_money_field(help_text="Forecast less target.")
    budget = signed_money_field(help_text="One-off costs: business case.")
    spend = signed_money_field(help_text="One-off costs: actual spend.")

    MONEY = ("target", "planned", "forecast", "actual", "variance", "budget", "spend")

    class Meta:
        ordering = ["snapshot", "financial_year", "pk"]
        indexes = [
            models.Index(fields=["snapshot", "financial_year"]),
            # The incremental roll-up replaces one programme's rows of the latest snapshot.
            models.Index(fields=["snapshot", "programme"], name="benefits_ro_snap_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} {FinancialYear(self.financial_year).label}"


class RollupBusinessCase(models.Model):
    """One business case of a snapshot: a programme's one-off costs (budget and spend) summed over
    its rows, or the programme-wide ones (no programme); only those with any cost.

    Kept with the rows by the full and the incremental roll-up (``benefits.rollup``), so the
    dashboard reads the largest few and the count from an index instead of grouping every row.
    """

    snapshot = models.ForeignKey(
        RollupSnapshot, on_delete=models.CASCADE, related_name="business_cases"
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # the (snapshot, programme) index below
    )
    budget = signed_money_field()
    spend = signed_money_field()

    class Meta:
        indexes = [
            models.Index(fields=["snapshot", "-budget"], name="benefits_rbc_snap_budget"),
            models.Index(fields=["snapshot", "programme"], name="benefits_rbc_snap_programme"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot}: business case of {self.programme or 'the programme'}"


class RollupLineTarget(models.Model):
    """One MTFP line that a snapshot's rows name: its target summed over them and how many rows
    name it (so the incremental roll-up knows when the last one goes). Kept with the rows by the
    full and the incremental roll-up; the dashboard's deliverability panel reads these."""

    snapshot = models.ForeignKey(
        RollupSnapshot, on_delete=models.CASCADE, related_name="line_targets"
    )
    mtfp_line = models.ForeignKey(MTFPLine, on_delete=models.CASCADE, related_name="+")
    target = signed_money_field()
    rows = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "mtfp_line"], name="unique_rollup_line_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.snapshot}: {self.mtfp_line_id}"


class RollupState(models.Model):
    """A single row: whether a roll-up is owed because enqueueing it failed (broker down)."""

    pending = models.BooleanField(default=False)
    pending_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "roll-up state"

    def __str__(self) -> str:
        return "Roll-up pending" if self.pending else "Roll-up up to date"

    @classmethod
    def get(cls) -> RollupState:
        state, _ = cls.objects.get_or_create(pk=1)
        return state


class RollupMark(models.Model):
    """A change the roll-up has not yet taken in, written in the same transaction as the change.

    ``programme_key`` names the rows to recompute: a programme's id (its rows of the latest
    snapshot), ``NO_PROGRAMME`` (the rows of no programme: directorate lines' targets and
    programme-wide one-off costs) or ``EVERYTHING`` (a full run). Not a foreign key: a deleted
    programme's rows must still leave the snapshot. The roll-up deletes the marks it has taken
    in, by id, so a mark written while it runs is left for the next run.
    """

    NO_PROGRAMME = 0
    EVERYTHING = -1

    programme_key = models.IntegerField()
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "roll-up mark"

    def __str__(self) -> str:
        return f"Roll-up owed for {self.programme_key}"


class RealisationTotal(models.Model):
    """What the benefits realisation page sums over some benefits, kept by the roll-up
    (benefits/realisation.py): one programme's (``programme_key`` its id, ``portfolio_key`` its
    portfolio's), one portfolio's (``programme_key`` SUM) or everything's (``programme_key`` SUM,
    ``portfolio_key`` EVERYTHING). Keys rather than foreign keys, as ``RollupMark``'s: a programme
    that has gone must still leave its portfolio's sum.
    """

    SUM = 0  # programme_key of a portfolio's or everything's row
    NO_PORTFOLIO = 0  # portfolio_key of a programme (and its sum) without a portfolio
    EVERYTHING = -1  # portfolio_key of the sum of every benefit

    programme_key = models.IntegerField()
    portfolio_key = models.IntegerField()
    total = models.IntegerField(default=0)
    owed = models.IntegerField(default=0, help_text="Still owed after the programme closed.")
    realised = models.IntegerField(default=0, help_text="Confirmed realised by the PMO.")
    not_realised = models.IntegerField(default=0, help_text="Confirmed not realised.")
    awaiting = models.IntegerField(default=0, help_text="Claimed, awaiting the PMO.")
    baseline = signed_money_field()
    planned = signed_money_field()
    forecast = signed_money_field()
    actual = signed_money_field()

    COUNTS = ("total", "owed", "realised", "not_realised", "awaiting")
    MONEY = ("baseline", "planned", "forecast", "actual")

    class Meta:
        verbose_name = "benefits realisation total"
        constraints = [
            models.UniqueConstraint(
                fields=["programme_key", "portfolio_key"], name="realisation_total_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Realisation totals {self.programme_key}/{self.portfolio_key}"

"""Forms for benefits, the profile and one-off cost grids, MTFP targets and the XLSX import.

The grids are formsets validated as a whole: one bad cell (negative or non-numeric money, a
year outside the plan, a year twice) puts a message at that field and nothing is saved.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accounts.forms import PeopleByName
from accounts.queries import people_for
from portfolio.models import Portfolio
from portfolio.periods import FinancialYear

from .models import Benefit, BenefitType, Deliverability, MTFPLine, MTFPPlan, RealisationClaim

ZERO = Decimal("0")
MAX_MONEY = Decimal("999999999999.99")


class MoneyField(forms.DecimalField):
    """Pounds, £0 or more, to the penny; blank means £0. "£1,200" is read as 1200."""

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            required=False,
            max_digits=14,
            decimal_places=2,
            localize=False,
            error_messages={
                "invalid": f"{label} must be an amount in pounds, like 180000",
                "max_digits": f"{label} is too large",
                "max_decimal_places": f"{label} must be in pounds and pence, like 1200.50",
                "max_whole_digits": f"{label} is too large",
            },
            **kwargs,
        )
        self.widget.input_type = "text"
        self.widget.attrs.update(
            {"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"}
        )

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, str):
            value = value.strip().replace(",", "").removeprefix("£")
        return super().to_python(value)

    def clean(self, value: Any) -> Decimal:
        amount = super().clean(value)
        if amount is None:
            return ZERO
        if amount < 0:
            raise ValidationError(f"{self.label} must be £0 or more", code="min_value")
        return amount


FIRST_FINANCIAL_YEAR, LAST_FINANCIAL_YEAR = 1990, 2098


class FinancialYearFormField(forms.CharField):
    """A financial year typed like 2019/20, cleaned to its start year (2019).

    Years a council's plans could hold only (1990/91 to 2098/99): "0000/01" or "9999/00" parse,
    but would put a year no date can hold, or a grid thousands of rows long, into the profile.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Financial year")
        kwargs.setdefault("max_length", 9)
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "govuk-input--width-5", "spellcheck": "false"})

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            year = FinancialYear.parse(text).start_year
        except ValueError as error:
            raise ValidationError(str(error)) from error
        if not FIRST_FINANCIAL_YEAR <= year <= LAST_FINANCIAL_YEAR:
            first, last = FinancialYear(FIRST_FINANCIAL_YEAR), FinancialYear(LAST_FINANCIAL_YEAR)
            raise ValidationError(f"The financial year must be between {first} and {last}")
        return year


# --- Benefits -------------------------------------------------------------------------------


class BenefitForm(PeopleByName, forms.ModelForm):
    class Meta:
        model = Benefit
        fields = [
            "title", "type", "description", "owner", "directorate", "status", "mtfp_line",
            "measure", "baseline", "target",
        ]  # fmt: skip
        labels = {"mtfp_line": "MTFP line it counts towards", "type": "Type of benefit"}
        error_messages = {
            "title": {"required": "Enter the benefit's title"},
            "type": {"required": "Select the type of benefit"},
            "status": {"required": "Select the benefit's status"},
        }
        help_texts = {
            "measure": "How the benefit is measured, e.g. Power consumption per year.",
            "target": "For a non-financial benefit, the target, e.g. 63% reduction.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_for("owner", keep=[self.instance.owner_id])
        self.fields["mtfp_line"].queryset = MTFPLine.objects.select_related("plan")
        self.fields["mtfp_line"].label_from_instance = lambda line: f"{line.plan}: {line}"
        self.people_by_name()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("type") == BenefitType.NON_FINANCIAL and not data.get("measure"):
            self.add_error("measure", "Enter the measure of a non-financial benefit")
        return data


class ProfileRowForm(forms.Form):
    financial_year = FinancialYearFormField(required=False)
    planned = MoneyField(label="Planned")
    forecast = MoneyField(label="Forecast")
    actual = MoneyField(label="Actual")

    money_fields = ("planned", "forecast", "actual")
    baseline_field = "planned"

    def __init__(
        self,
        *args: Any,
        years: range | None = None,
        existing: frozenset[int] = frozenset(),
        **kwargs: Any,
    ) -> None:
        self.years = years
        self.existing = existing
        super().__init__(*args, **kwargs)

    def clean_financial_year(self) -> int | None:
        """Within the plan's years, when there is a plan; rows already recorded may stay."""
        year = self.cleaned_data.get("financial_year")
        allowed = self.years is None or year in self.years or year in self.existing
        if year is not None and not allowed:
            first, last = FinancialYear(self.years[0]), FinancialYear(self.years[-1])
            raise ValidationError(
                f"{FinancialYear(year)} is outside the plan: choose a year from {first} to {last}"
            )
        return year

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return data.get("financial_year") is None and not any(
            data.get(name) for name in self.money_fields
        )


GRID_MAX_ROWS = 60


class BaseGridFormSet(forms.BaseFormSet):
    """Every row valid, no year twice, and every row with money has a year.

    ``years`` is the plan's range (None: any year); ``existing`` the years already recorded.
    A grid has at most GRID_MAX_ROWS rows: a post claiming more (form-TOTAL_FORMS=100000) builds
    no more than that many forms (``absolute_max``) and gets one short error.
    """

    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": (
            "The grid can have at most %(num)d rows. Reload the page and make your changes again."
        ),
    }

    def __init__(
        self,
        *args: Any,
        years: range | None = None,
        existing: frozenset[int] = frozenset(),
        baseline: dict[int, Decimal] | None = None,
        **kwargs: Any,
    ) -> None:
        self.years = years
        self.existing = existing
        # Once the Full Brief is approved, the baseline column (budget, or planned benefit) is
        # read-only: ``baseline`` holds its stored amounts and a changed one is refused.
        self.baseline = baseline
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "years": self.years, "existing": self.existing}

    def total_form_count(self) -> int:
        """No forms at all for a post claiming more rows than a grid can have: the error says
        so, and nothing is built or rendered for the rows it claims."""
        if self.is_bound and self._claims_too_many_rows():
            return 0
        return super().total_form_count()

    def _claims_too_many_rows(self) -> bool:
        management = self.management_form
        return management.is_valid() and management.cleaned_data["TOTAL_FORMS"] > self.absolute_max

    def clean(self) -> None:
        if any(self.errors) or self._non_form_errors:
            return
        if self._rows_beyond_the_count():
            raise ValidationError(
                "The grid arrived with more rows than it says it has. Reload the page and make "
                "your changes again.",
                code="rows_beyond_count",
            )
        seen: set[int] = set()
        for form in self.forms:
            year = form.cleaned_data.get("financial_year")
            if year is None:
                if not form.is_blank:
                    form.add_error("financial_year", "Enter the financial year, like 2021/22")
                continue
            if year in seen:
                form.add_error("financial_year", f"{FinancialYear(year)} is in the grid twice")
            seen.add(year)
            name = form.baseline_field
            if self.baseline is not None and form.cleaned_data.get(name) != self.baseline.get(
                year, ZERO
            ):
                form.add_error(
                    name,
                    f"The {form.fields[name].label.lower()} for {FinancialYear(year)} is a "
                    "baseline: raise a change request to change it",
                )
        if any(self.errors):
            raise ValidationError("Correct the rows marked below.")

    def _rows_beyond_the_count(self) -> bool:
        """Cells posted for rows the management form does not count would be silently dropped
        (a partial save): the browser never sends them, so their presence means a tampered or
        broken post."""
        total = self.total_form_count()
        row = re.compile(rf"^{re.escape(self.prefix)}-(\d+)-")
        return any((match := row.match(key)) and int(match[1]) >= total for key in self.data)

    def filled_rows(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms if not f.is_blank]


ProfileFormSet = forms.formset_factory(
    ProfileRowForm,
    formset=BaseGridFormSet,
    extra=0,
    max_num=GRID_MAX_ROWS,
    absolute_max=GRID_MAX_ROWS,
    validate_max=True,
)


class CostRowForm(ProfileRowForm):
    planned = None
    forecast = None
    actual = MoneyField(label="Actual spend")
    budget = MoneyField(label="Budget")

    money_fields = ("budget", "actual")
    baseline_field = "budget"
    field_order = ["financial_year", "budget", "actual"]


CostFormSet = forms.formset_factory(
    CostRowForm,
    formset=BaseGridFormSet,
    extra=0,
    max_num=GRID_MAX_ROWS,
    absolute_max=GRID_MAX_ROWS,
    validate_max=True,
)


def money_input(amount: Decimal) -> str:
    """An amount as the grid shows it for editing: 180000, or 1200.50 when there are pence."""
    return f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount:.2f}"


def grid_initial(
    rows: list[Any], years: list[int], money: tuple[str, ...], extra: int = 1
) -> list[dict[str, Any]]:
    """The grid's rows: one per year (existing values filled in), plus ``extra`` blank rows."""
    by_year = {row.financial_year: row for row in rows}
    initial = []
    for year in sorted(set(years) | set(by_year)):
        row = by_year.get(year)
        initial.append(
            {
                "financial_year": FinancialYear(year).label,
                **{name: money_input(getattr(row, name) if row else ZERO) for name in money},
            }
        )
    return initial + [{} for _ in range(extra)]


# --- Deliverability override -----------------------------------------------------------------


class DeliverabilityOverrideForm(forms.Form):
    rating = forms.ChoiceField(
        label="Deliverability rating",
        choices=[("", "Use the rule (no override)"), *Deliverability.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason for the override",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("rating") and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the reason for overriding the rating")
        return data


# --- MTFP targets grid and import ------------------------------------------------------------


class TargetGridForm(forms.Form):
    """One money field per (line, financial year) of the plan, named ``t-<line>-<year>``."""

    def __init__(self, *args: Any, plan: MTFPPlan, lines: list[MTFPLine], **kwargs: Any) -> None:
        initial = kwargs.pop("initial", {})
        super().__init__(*args, initial=initial, **kwargs)
        self.plan = plan
        self.cells: dict[tuple[int, int], str] = {}
        for line in lines:
            for year in plan.financial_years:
                name = f"t-{line.pk}-{year.start_year}"
                self.fields[name] = MoneyField(label=f"{line.name} {year.label} target")
                self.cells[(line.pk, year.start_year)] = name

    def amounts(self) -> dict[tuple[int, int], Decimal]:
        return {key: self.cleaned_data[name] for key, name in self.cells.items()}


class TargetImportForm(forms.Form):
    workbook = forms.FileField(
        label="Upload a spreadsheet",
        help_text="An Excel workbook (.xlsx) shaped like the template.",
    )


class RealisationClaimForm(forms.Form):
    """The owner says whether the benefit was realised: the evidence, or the reason not."""

    claim = forms.ChoiceField(
        label="Was the benefit realised?",
        choices=RealisationClaim.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the benefit was realised"},
    )
    note = forms.CharField(
        label="Evidence or reason",
        help_text="The evidence that it was realised (figures, where they are reported), or the "
        "reason it was not.",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the evidence or the reason"},
    )


class RealisationConfirmForm(forms.Form):
    """The PMO confirms the owner's claim or returns it with the reason."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("confirm", "Confirm"), ("return", "Return it to the owner")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you confirm it"},
    )
    reason = forms.CharField(
        label="Reason for returning it",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason for returning it to the owner")
        return data


class RealisationFilterForm(forms.Form):
    """The benefits realisation view's filters."""

    portfolio = forms.ModelChoiceField(
        queryset=Portfolio.objects.all(),
        required=False,
        empty_label="All portfolios",
        to_field_name="slug",
    )
    owed = forms.BooleanField(
        label="Only benefits still owed after their programme closed", required=False
    )

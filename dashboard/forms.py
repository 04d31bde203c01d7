from django import forms
from django.utils import timezone

from portfolio.models import Category, Directorate, Portfolio
from portfolio.periods import FinancialYear, financial_years

FIRST_YEAR = 2018


def financial_year_choices() -> list[tuple[str, str]]:
    last = FinancialYear.from_date(timezone.localdate()).start_year + 4
    return [("", "All years"), *((fy.label, fy.label) for fy in financial_years(FIRST_YEAR, last))]


class DashboardFilterForm(forms.Form):
    portfolio = forms.ModelChoiceField(
        queryset=Portfolio.objects.all(), required=False, empty_label="All portfolios",
        to_field_name="slug",
    )  # fmt: skip
    directorate = forms.ModelChoiceField(
        queryset=Directorate.objects.all(), required=False, empty_label="All directorates",
        to_field_name="slug",
    )  # fmt: skip
    category = forms.ChoiceField(
        choices=[("", "All categories"), *((c.value, f"Category {c.value}") for c in Category)],
        required=False,
    )
    financial_year = forms.ChoiceField(choices=financial_year_choices, required=False)

    def clean_financial_year(self) -> FinancialYear | None:
        value = self.cleaned_data["financial_year"]
        return FinancialYear.parse(value) if value else None

from django import forms
from django.utils import timezone

from accounts.models import User
from governance.forms import BoundedModelChoiceField, BoundedModelMultipleChoiceField
from governance.models import Board
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


class PersonBoardsForm(forms.Form):
    """The boards a person sits on, edited from their page (the board's page edits the same)."""

    boards = BoundedModelMultipleChoiceField(
        queryset=Board.objects.order_by("kind", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Boards they sit on",
    )


class ReassignForm(forms.Form):
    """Who takes over a person's open work; a kind left blank stays with them."""

    actions_to = BoundedModelChoiceField(
        queryset=User.objects.none(), required=False, label="Give their open actions to"
    )
    risks_to = BoundedModelChoiceField(
        queryset=User.objects.none(), required=False, label="Give the open risks they own to"
    )
    managed_to = BoundedModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="New manager for the open programmes they manage",
    )
    sro_to = BoundedModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="New SRO for the open programmes they are SRO of",
    )

    def __init__(self, *args, person: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).exclude(pk=person.pk)
        for field in self.fields.values():
            field.queryset = people
            field.empty_label = "Leave with them"

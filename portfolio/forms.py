from django import forms

from .models import Category, Portfolio, Stage


class ProgrammeFilterForm(forms.Form):
    portfolio = forms.ModelChoiceField(
        queryset=Portfolio.objects.all(),
        required=False,
        empty_label="All portfolios",
        to_field_name="slug",
    )
    stage = forms.ChoiceField(choices=[("", "All stages"), *Stage.choices], required=False)
    category = forms.ChoiceField(
        choices=[("", "All categories"), *[(c.value, f"Category {c.value}") for c in Category]],
        required=False,
    )

from django import forms

from accounts.forms import PeopleByName
from accounts.queries import people_for

from .models import AssuranceRating, Category, HighlightReport, Portfolio, Programme, Stage


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
    mine = forms.BooleanField(label="Only programmes I manage or sponsor", required=False)


class ProgrammeCreateForm(PeopleByName, forms.ModelForm):
    """The PMO records a new idea in Identify."""

    class Meta:
        model = Programme
        fields = ["name", "description", "manager", "sro", "directorate", "light_touch"]
        labels = {"name": "Programme name", "description": "The idea"}
        help_texts = {"description": "What the programme would change, and why now."}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True
        self.fields["description"].widget.attrs["rows"] = 4
        self.fields["manager"].queryset = people_for("programme_manager")
        self.fields["sro"].queryset = people_for("sro")
        self.people_by_name()


class SectionForm(forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class HighlightReportForm(forms.ModelForm):
    month = forms.DateField(
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text="For example, 2024-05",
    )

    class Meta:
        model = HighlightReport
        fields = [
            "month", "delivery_confidence", "schedule_rag", "budget_rag", "benefits_rag",
            "risk_rag", "progress", "next_period", "escalations", "confidence_rationale",
            "improvement_reason",
        ]  # fmt: skip
        widgets = {
            "confidence_rationale": forms.Textarea(attrs={"rows": 3}),
            "improvement_reason": forms.Textarea(attrs={"rows": 2}),
            "progress": forms.Textarea(attrs={"rows": 4}),
            "next_period": forms.Textarea(attrs={"rows": 3}),
            "escalations": forms.Textarea(attrs={"rows": 3}),
        }


class AssuranceRatingForm(forms.ModelForm):
    """The PMO's independent delivery confidence rating of a programme."""

    assessed_on = forms.DateField(
        label="Date of the assessment",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example, 2024-05-31",
    )

    class Meta:
        model = AssuranceRating
        fields = ["assessed_on", "delivery_confidence", "rationale"]
        widgets = {"rationale": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"rationale": "The evidence behind the rating, in a few sentences."}

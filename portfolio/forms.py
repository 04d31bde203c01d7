from datetime import date

from django import forms

from accounts.forms import PeopleByName
from accounts.models import User
from accounts.queries import people_for

from .models import (
    AssuranceRating,
    Category,
    HighlightReport,
    Milestone,
    MilestoneStatus,
    Portfolio,
    Programme,
    Stage,
)


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


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class PlanDateField(forms.DateField):
    """A plan's date: a real day this century (31/02/2026 is refused by the date parser)."""

    widget = DATE

    def validate(self, value) -> None:
        super().validate(value)
        if value and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(
                f"Enter a date between {EARLIEST:%-d %B %Y} and {LATEST:%-d %B %Y}."
            )


def milestone_label(milestone: Milestone) -> str:
    return f"{milestone.programme}: {milestone.title} (forecast {milestone.due_date:%-d %b %Y})"


class MilestoneForm(forms.Form):
    """A milestone of the plan. The baseline is offered only while it may still move here."""

    title = forms.CharField(max_length=200, label="Milestone")
    reference = forms.CharField(
        max_length=40, required=False, help_text="Your own reference, for example M-01 (optional)."
    )
    stage = forms.ChoiceField(
        choices=[("", "Not set"), *[(s.value, s.label) for s in Stage.pipeline()]],
        required=False,
        label="Stage or gate",
        help_text="The stage whose gate the milestone leads to.",
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="No owner"
    )
    baseline_date = PlanDateField(
        required=False,
        label="Baseline date",
        help_text="The date agreed. Leave empty to use the forecast date. For example, 2027-03-31.",
    )
    due_date = PlanDateField(label="Forecast date", help_text="For example, 2027-03-31.")
    status = forms.ChoiceField(choices=MilestoneStatus.choices, initial=MilestoneStatus.NOT_STARTED)
    completed_on = PlanDateField(
        required=False, label="Actual date", help_text="The day it was completed, if it is."
    )
    depends_on = forms.ModelChoiceField(
        queryset=Milestone.objects.none(),
        required=False,
        label="Depends on another programme's milestone",
        empty_label="No dependency",
    )

    def __init__(
        self, *args, programme: Programme, milestone: Milestone | None = None, **kwargs
    ) -> None:
        if milestone is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": milestone.title, "reference": milestone.reference,
                "stage": milestone.stage, "owner": milestone.owner_id,
                "baseline_date": milestone.baseline_date, "due_date": milestone.due_date,
                "status": milestone.status, "completed_on": milestone.completed_on,
                "depends_on": milestone.depends_on_id,
            }  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_for("owner").order_by("first_name", "last_name")
        others = Milestone.objects.exclude(programme=programme).filter(
            programme__stage__in=Stage.open_stages(), completed_on__isnull=True
        )
        if milestone is not None and milestone.depends_on_id:
            others = others | Milestone.objects.filter(pk=milestone.depends_on_id)
        depends_on = self.fields["depends_on"]
        depends_on.queryset = others.select_related("programme").order_by(
            "programme__name", "due_date", "pk"
        )
        depends_on.label_from_instance = milestone_label
        if milestone is not None and programme.baselines_locked:
            baseline = self.fields["baseline_date"]
            baseline.disabled = True
            baseline.help_text = (
                "Agreed at Gate 3: it moves only through an approved change request."
            )


class MilestoneCompleteForm(forms.Form):
    completed_on = PlanDateField(label="Actual date", help_text="For example, 2027-03-31.")


class MilestoneMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a plan (Microsoft Project XML, or the plan sheet as XLSX or CSV)",
        help_text="In Project: File > Save As > XML. Or the plan download, edited. 5 MB at most.",
    )


class PlanImportConfirmForm(forms.Form):
    """The preview's rows, signed, so the confirmation imports exactly what was shown."""

    rows = forms.CharField(widget=forms.HiddenInput, max_length=2_000_000)

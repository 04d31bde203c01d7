from django import forms

from governance.forms import BoundedModelMultipleChoiceField
from governance.models import Lesson
from portfolio.periods import Quarter

from .models import ProgrammeProgress, QuarterlyReport, ReportSection

ANNEX_CHOICES = 200  # the newest lessons offered; a chosen one stays offered


class QuarterForm(forms.Form):
    quarter = forms.CharField(
        label="Quarter", max_length=20,
        help_text="For example, Q3 2019/20 (October to December 2019).",
    )  # fmt: skip

    def clean_quarter(self) -> Quarter:
        try:
            return Quarter.parse(self.cleaned_data["quarter"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class NarrativeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = QuarterlyReport
        fields = [
            "committee", "meeting_date", "author", "recommendations", "executive_summary",
            "headline_progress", "new_phase",
        ]  # fmt: skip
        widgets = {"meeting_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "executive_summary": "Separate paragraphs with a blank line.",
            "new_phase": "Separate paragraphs with a blank line.",
        }


class ProgressForm(forms.ModelForm):
    paragraph = forms.CharField(
        label="Progress this quarter",
        widget=forms.Textarea,
        help_text="Separate paragraphs with a blank line.",
        error_messages={"required": "Enter the programme's progress this quarter"},
    )

    class Meta:
        model = ProgrammeProgress
        fields = ["paragraph"]


class SectionForm(forms.ModelForm):
    class Meta:
        model = ReportSection
        fields = ["title", "body", "annex"]
        help_texts = {
            "body": "Separate paragraphs with a blank line.",
            "annex": "Annexes print after Annex 2; other sections print before the annexes.",
        }


class LessonsAnnexForm(forms.Form):
    """The lessons the PMO chooses for the report's lessons annex."""

    lessons = BoundedModelMultipleChoiceField(
        queryset=Lesson.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Lessons to print in the annex",
        help_text="The newest lessons of the library first. Choose none for no lessons annex.",
    )  # fmt: skip

    def __init__(self, *args, chosen: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offered = Lesson.objects.current()
        ids = list(offered.values_list("pk", flat=True)[:ANNEX_CHOICES]) + chosen
        self.fields["lessons"].queryset = (
            Lesson.objects.filter(pk__in=ids).select_related("programme").order_by("-recorded_at")
        )
        self.fields["lessons"].label_from_instance = _lesson_label


def _lesson_label(lesson: Lesson) -> str:
    return (
        f"{lesson.reference}: {lesson.title} ({lesson.programme}, {lesson.polarity_short.lower()})"
    )

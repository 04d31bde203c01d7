from django import forms

from portfolio.periods import Quarter

from .models import ProgrammeProgress, QuarterlyReport, ReportSection


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

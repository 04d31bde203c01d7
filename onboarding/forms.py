from django import forms

from .reading import MAX_UPLOAD_BYTES

MIB = 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload the onboarding workbook (.xlsx), or one of its sheets as a CSV",
        help_text=f"The template's sheets and header rows, filled in; {MAX_UPLOAD_BYTES // MIB} MB "
        "at most.",
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(
                "The file must be an Excel workbook (.xlsx) or a CSV (.csv)."
            )
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // MIB} MB, the limit for an "
                "onboarding workbook: split it (a CSV per sheet, or a workbook per group of "
                "programmes)."
            )
        return file

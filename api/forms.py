from django import forms

from .services import EXPIRY_CHOICES


class AccessTokenForm(forms.Form):
    """Name a new personal access token and choose when it expires."""

    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="What the token is for, so you can tell your tokens apart: for example "
        "“Power BI savings report” or “Outlook calendar”.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(days, f"{days} days") for days in EXPIRY_CHOICES],
        initial=90,
        widget=forms.RadioSelect,
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter a name for the token")
        if any(ord(c) < 32 or c == "\x7f" for c in name):
            raise forms.ValidationError("The name cannot contain control characters")
        return name

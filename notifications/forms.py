from __future__ import annotations

from django import forms

from .kinds import KINDS, Frequency
from .models import Status


class ChoicesForm(forms.Form):
    """One radio group per kind of notification: straight away, daily or weekly digest."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for kind in KINDS:
            self.fields[kind.code] = forms.ChoiceField(
                label=kind.label,
                choices=Frequency.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose how you hear that: {kind.label.lower()}"},
            )


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Status.choices]
    )


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Teams webhook address",
        max_length=2000,
        error_messages={"required": "Enter the webhook address from the Teams workflow"},
        help_text="From the Teams channel's Workflows flow “Post to a channel when a webhook "
        "request is received”. It starts https://",
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from . import services


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing attempts while the username or address is throttled."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": (
            "There have been too many failed attempts to sign in. Wait 15 minutes, then try again."
        ),
    }

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username") or ""
        ip_address = self.request.META.get("REMOTE_ADDR") if self.request else None
        if services.sign_in_locked_until(username=username, ip_address=ip_address):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            services.sign_in_failure_record(username=username, ip_address=ip_address)
            raise
        if self.user_cache is not None:
            services.sign_in_success_record(username=username)
        return cleaned

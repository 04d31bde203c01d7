import ipaddress

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from . import services


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address: REMOTE_ADDR, or with DJANGO_TRUSTED_PROXIES=n the address the
    n-th proxy from us saw in X-Forwarded-For (the ones before it can be forged by the client)."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if settings.TRUSTED_PROXIES and forwarded:
        address = forwarded[-min(settings.TRUSTED_PROXIES, len(forwarded))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


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
        ip_address = client_address(self.request)
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

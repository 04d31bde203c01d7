from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import oidc, services
from .forms import ThrottledAuthenticationForm, client_address
from .policies import public

SSO_FAILURES = {
    "unreachable": (
        503,
        "{provider} cannot be reached",
        "Delivery Hub could not reach {provider} to sign you in. Try again in a few minutes. "
        "If it keeps happening, tell your IT service desk that single sign-on to Delivery Hub "
        "cannot reach the identity provider.",
    ),
    "refused": (
        400,
        "Sign-in did not complete",
        "Your sign-in with {provider} could not be checked, so you have not been signed in. "
        "This happens if the sign-in page was left open too long, or opened in two tabs. "
        "Start again from the sign-in page.",
    ),
    "cancelled": (
        400,
        "Sign-in was cancelled",
        "{provider} did not sign you in to Delivery Hub. Start again from the sign-in page; if "
        "{provider} says you are not allowed to use Delivery Hub, ask the transformation PMO.",
    ),
    "deactivated": (
        403,
        "Your Delivery Hub account has been closed",
        "The transformation PMO has closed your Delivery Hub account. If you still need "
        "Delivery Hub, ask the transformation PMO to reopen it.",
    ),
    "throttled": (
        429,
        "Too many failed attempts to sign in",
        "There have been too many failed attempts to sign in from this address. Wait 15 "
        "minutes, then try again.",
    ),
}


def sso_failed(request: HttpRequest, reason: str) -> HttpResponse:
    status, title, body = SSO_FAILURES[reason]
    provider = settings.OIDC_PROVIDER_NAME
    return render(
        request,
        "accounts/sso_failed.html",
        {"title": title.format(provider=provider), "body": body.format(provider=provider)},
        status=status,
    )


class SignInView(auth_views.LoginView):
    """Local sign-in (unless LOCAL_SIGN_IN=0) and the "Sign in with <provider>" button."""

    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.LOCAL_SIGN_IN:
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        start = reverse("oidc_start")
        next_url = context.get("next")
        context |= {
            "local_sign_in": settings.LOCAL_SIGN_IN,
            "sso_enabled": oidc.enabled(),
            "sso_provider_name": settings.OIDC_PROVIDER_NAME,
            "sso_start_url": f"{start}?{urlencode({'next': next_url})}" if next_url else start,
        }
        return context


login = public(SignInView.as_view())
logout = public(auth_views.LogoutView.as_view())


class SignOnStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with state, nonce and a PKCE challenge (S256)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # endpoints are read per request
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc.enabled():
            raise Http404("Single sign-on is not set up.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except oidc.ProviderUnreachable:
            return sso_failed(request, "unreachable")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SignOnCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back. State is checked (and used once) by
    mozilla-django-oidc; the token by accounts.oidc. Any refusal gives a page saying what to
    do, signs nobody in, stores nothing but the throttle's record of a failure (by address,
    checked and recorded in one step as local sign-in is), and never an error 500."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc.enabled():
            raise Http404("Single sign-on is not set up.")
        self.address = client_address(request)
        # Checked and recorded (as a failure until it succeeds) in one step, as local sign-in is.
        self.attempt = services.sign_in_attempt_begin(username="", ip_address=self.address)
        if self.attempt is None:
            return sso_failed(request, "throttled")
        try:
            return super().get(request)
        except oidc.ProviderUnreachable:
            return sso_failed(request, "unreachable")
        except services.AccountDeactivated:
            return sso_failed(request, "deactivated")
        except SuspiciousOperation:
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        if self.request.GET.get("error"):
            return sso_failed(self.request, "cancelled")
        if getattr(self, "user", None) is not None and not self.user.is_active:
            return sso_failed(self.request, "deactivated")
        return sso_failed(self.request, "refused")

    def login_success(self) -> HttpResponse:
        services.sign_in_success_record(username=self.user.username, attempt=self.attempt)
        return super().login_success()


oidc_start = public(SignOnStartView.as_view())
oidc_callback = public(SignOnCallbackView.as_view())

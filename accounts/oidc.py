"""Single sign-on with OpenID Connect, through mozilla-django-oidc.

Authorisation code flow with PKCE (S256), ``state`` and ``nonce`` checked by the callback, the ID
token's RS256 signature checked against the provider's JWKS, and its issuer, audience (our client
id), expiry and issue time checked here (mozilla-django-oidc checks neither audience nor issuer).
The endpoints come from the provider's discovery document at ``OIDC_ISSUER``
(``/.well-known/openid-configuration``), fetched on first use and kept for an hour; a provider
that cannot be reached gives the person a page that says so, never an error 500.

Everything is configured by environment (config/settings.py); with ``OIDC_ISSUER`` unset single
sign-on is off and its two URLs answer 404.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import services
from .models import User
from .queries import signed_in_user

LOGGER = logging.getLogger(__name__)

DISCOVERY_TTL = 3600
LEEWAY_SECONDS = 60
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class ProviderUnreachable(Exception):
    """The identity provider (its discovery document, token endpoint or keys) did not answer."""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


_discovery_lock = threading.Lock()
_discovery: dict[str, tuple[float, dict[str, Any]]] = {}


def forget_discovery() -> None:
    """Drop the cached discovery documents (tests start providers on new ports)."""
    with _discovery_lock:
        _discovery.clear()


def provider_metadata() -> dict[str, Any]:
    """The provider's discovery document, checked to be for ``OIDC_ISSUER``."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    with _discovery_lock:
        cached = _discovery.get(issuer)
        if cached and time.monotonic() - cached[0] < DISCOVERY_TTL:
            return cached[1]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        LOGGER.warning("single sign-on: discovery at %s failed: %s", url, exc)
        raise ProviderUnreachable(str(exc)) from exc
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer:
        LOGGER.warning("single sign-on: %s names another issuer", url)
        raise ProviderUnreachable(f"{url} does not describe the issuer {issuer}")
    missing = [key for key in ENDPOINTS.values() if not document.get(key)]
    if missing:
        raise ProviderUnreachable(f"{url} has no {', '.join(missing)}")
    with _discovery_lock:
        _discovery[issuer] = (time.monotonic(), document)
    return document


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, with the endpoints taken from discovery."""
    if attr in ENDPOINTS:
        return provider_metadata()[ENDPOINTS[attr]]
    if default:
        return getattr(settings, attr, default[0])
    return getattr(settings, attr)


def claims_from_token(payload: dict[str, Any]) -> services.SignOnClaims:
    """Delivery Hub's reading of a verified ID token (claim names from the environment)."""
    subject = payload.get(settings.OIDC_SUBJECT_CLAIM)
    if not isinstance(subject, str) or not subject.strip():
        raise SuspiciousOperation(f"The ID token has no {settings.OIDC_SUBJECT_CLAIM} claim.")
    email = payload.get("email") or ""
    if not email and "@" in str(payload.get("preferred_username") or ""):
        email = payload["preferred_username"]  # Entra ID's user principal name
    first_name = payload.get("given_name") or ""
    last_name = payload.get("family_name") or ""
    if not (first_name or last_name) and payload.get("name"):
        first_name, _, last_name = str(payload["name"]).partition(" ")
    values = payload.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        values = []
    return services.SignOnClaims(
        subject=subject.strip()[:255],
        email=str(email).strip(),
        first_name=str(first_name).strip(),
        last_name=str(last_name).strip(),
        claim_values=frozenset(str(v) for v in values if isinstance(v, str | int)),
    )


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching people by subject, with the token checks it
    leaves out and nothing read at start-up (so local sign-in works while the provider is
    down, and when single sign-on is off)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # no settings read here
        self.UserModel = User

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def authenticate(self, request, **kwargs):
        # Only the callback view, which has checked `state` and passes the nonce and PKCE
        # verifier it kept in the session, may sign someone in with a code.
        if not enabled() or request is None or "nonce" not in kwargs:
            return None
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        try:
            self.OIDC_OP_TOKEN_ENDPOINT = self.get_settings("OIDC_OP_TOKEN_ENDPOINT")
            self.OIDC_OP_USER_ENDPOINT = self.get_settings("OIDC_OP_USER_ENDPOINT")
            self.OIDC_OP_JWKS_ENDPOINT = self.get_settings("OIDC_OP_JWKS_ENDPOINT")
            return super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            response = getattr(exc, "response", None)
            if response is not None and 400 <= response.status_code < 500:
                # The provider answered and refused the code (used, expired, or not ours).
                raise SuspiciousOperation(f"The provider refused the code: {exc}") from exc
            raise ProviderUnreachable(str(exc)) from exc

    def get_payload_data(self, token, key):
        """Signature (RS256, the JWKS key), issuer, audience, expiry and issue time."""
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[settings.OIDC_RP_SIGN_ALGO],
                audience=settings.OIDC_RP_CLIENT_ID,
                issuer=provider_metadata()["issuer"],
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc

    def _verify_jws(self, payload, key):
        return self.get_payload_data(payload, key)

    def retrieve_matching_jwk(self, token):
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from exc
        if header.get("alg") != settings.OIDC_RP_SIGN_ALGO or not header.get("kid"):
            raise SuspiciousOperation("ID token refused: not signed with a key of the provider.")
        return super().retrieve_matching_jwk(token)

    def get_userinfo(self, access_token, id_token, payload):
        # The verified ID token carries the claims we use (Entra ID puts the groups claim only
        # there), so no second request to the userinfo endpoint is made.
        return payload

    def verify_claims(self, claims):
        claims_from_token(claims)  # raises SuspiciousOperation without a subject
        return True

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        self.verify_claims(claims)
        return services.sso_sign_in(claims=claims_from_token(claims))

    def get_user(self, user_id):
        user = signed_in_user(user_id)  # with the person's roles, as LocalSignInBackend reads
        return user if user is not None and user.is_active else None

"""Token authentication for the data feeds (/odata/ and the calendar feeds) and nothing else.

``token_view`` marks a view that accepts, besides a signed-in browser session, a personal access
token as ``Authorization: Bearer <token>``, as the password of HTTP Basic (username = the token
owner's username, since Excel's and Power BI's OData connectors offer Basic) or, where the view
allows it, as ``?token=`` in the URL (for calendar clients that can only subscribe to a URL). The
request then acts as the token's owner, read-only: only GET and HEAD reach the view.

A missing or wrong token is 401 with ``WWW-Authenticate``. Failures are throttled exactly like
sign-in (accounts/services.py: five failures for one username or from one address in 15 minutes
lock both out for 15 minutes), whether the token was wrong, revoked or expired.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from accounts import services as sign_in
from accounts.forms import client_address

from . import services

TOKEN_POLICY = "token"  # noqa: S105 - the name of a policy, not a password
LOCKED = "Too many failed attempts. Try again in 15 minutes."
REALM = 'Basic realm="Delivery Hub data feeds", charset="UTF-8"'


class Unauthorised(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _credentials(request: HttpRequest, allow_query: bool) -> tuple[str | None, str] | None:
    """(username or None, secret) from the request, or None if it carries no token at all."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        value = value.strip()
        if scheme == "bearer":
            return None, value
        if scheme == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (binascii.Error, ValueError) as error:
                raise Unauthorised("The Basic credentials are not valid base64 UTF-8.") from error
            username, colon, password = decoded.partition(":")
            if not colon:
                raise Unauthorised("The Basic credentials have no password.")
            return username, password
        raise Unauthorised("Use a Bearer token or HTTP Basic with a personal access token.")
    if allow_query and request.GET.get("token"):
        return None, request.GET["token"]
    return None


def _throttle_key(username: str | None, secret: str) -> str:
    # A Bearer token names nobody: throttle it by address, under a key of its own so that one
    # client's failures never lock out another's.
    return username if username is not None else "token:" + services.hash_secret(secret)[:16]


def authenticate(request: HttpRequest, allow_query: bool) -> Any:
    """The acting user: the token's owner, else the session's user. Raises Unauthorised."""
    credentials = _credentials(request, allow_query)
    if credentials is None:
        if request.user.is_authenticated:
            return request.user
        raise Unauthorised("Sign in, or send a personal access token.")
    username, secret = credentials
    address = client_address(request)
    key = _throttle_key(username, secret)
    # One query reads the token, its owner, the owner's roles and the throttle's lock, so a good
    # token costs one round trip. A locked username or address refuses even a good token, as
    # sign-in refuses even the right password; a failure checks the lock (when the token row did
    # not carry it) and is counted, exactly as before.
    check = services.access_token_check(
        secret=secret, username=username, throttle_key=key, ip_address=address
    )
    if check.locked_until is not None:
        raise Unauthorised(LOCKED)
    if check.token is None:
        if sign_in.sign_in_locked_until(username=key, ip_address=address):
            raise Unauthorised(LOCKED)
        sign_in.sign_in_failure_record(username=key, ip_address=address)
        raise Unauthorised("The token is not valid: it may be wrong, revoked or expired.")
    services.access_token_used(token=check.token, path=request.path, ip_address=address)
    return check.token.owner


def unauthorised(message: str) -> HttpResponse:
    body = {"error": {"code": "Unauthorized", "message": message}}
    response = HttpResponse(json.dumps(body), status=401, content_type="application/json")
    response["WWW-Authenticate"] = f'Bearer realm="Delivery Hub data feeds", {REALM}'
    response["Cache-Control"] = "no-store"
    return response


def token_view(*, allow_query: bool = False) -> Callable[[Callable[..., HttpResponse]], Any]:
    """A read-only data view that a personal access token may reach (see the module doc).

    The view gets ``request.actor``: the user it acts as. It checks that user's permissions
    itself, through the same accounts/rules.py names the pages use.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Any:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                request.actor = authenticate(request, allow_query)
            except Unauthorised as refusal:
                return unauthorised(refusal.message)
            return view(request, *args, **kwargs)

        wrapped = login_not_required(require_safe(wrapped))
        wrapped.permission_policy = TOKEN_POLICY
        return wrapped

    return decorator

"""Teams webhook addresses: validated when the PMO sets one and again before every post (a name
that resolved to a public address yesterday may not today), and posted to without following
redirects. The address is never put in a log line or an error message: it is a secret."""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

TIMEOUT_SECONDS = 10


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise ValidationError(
            "Enter a webhook address whose server can be found", code="unresolved"
        ) from error
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def validate_webhook_url(url: str) -> str:
    """The cleaned address, or a ``ValidationError`` saying what is wrong with it. HTTPS only, no
    user name or password in it, and its server must not be on a private, loopback or link-local
    address. ``NOTIFICATIONS_ALLOW_LOOPBACK_WEBHOOKS`` (tests only) lets a loopback address
    through, over http as well."""
    url = url.strip()
    if len(url) > 2000:
        raise ValidationError("The webhook address must be 2,000 characters or fewer", code="long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValidationError("Enter a webhook address like https://…", code="invalid") from error
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http") or any(c.isspace() for c in url):
        raise ValidationError(
            "Enter the webhook address from the Teams workflow, starting https://", code="invalid"
        )
    if parts.username or parts.password:
        raise ValidationError(
            "The webhook address must not contain a user name or password", code="userinfo"
        )
    allow_loopback = getattr(settings, "NOTIFICATIONS_ALLOW_LOOPBACK_WEBHOOKS", False)
    if parts.scheme != "https" and not allow_loopback:
        raise ValidationError("The webhook address must start https://", code="https")
    addresses = _addresses(host)
    loopback = bool(addresses) and all(a.is_loopback for a in addresses)
    if parts.scheme != "https" and not loopback:
        raise ValidationError("The webhook address must start https://", code="https")
    if any(_internal(a) for a in addresses) and not (allow_loopback and loopback):
        raise ValidationError(
            "The webhook address must be on the internet, not a private or local network address",
            code="internal",
        )
    del port
    return url


class PostFailed(Exception):
    """A post Teams did not accept; ``permanent`` if trying again cannot help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post_card(url: str, card: dict) -> None:
    """POST the Adaptive Card message to the webhook; raise ``PostFailed`` with a reason that
    does not contain the address."""
    try:
        validate_webhook_url(url)
    except ValidationError as error:
        raise PostFailed(
            "The Teams webhook address is no longer allowed: " + " ".join(error.messages),
            permanent=True,
        ) from None
    body = json.dumps(card).encode()
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (OSError, ValueError) as error:
        raise PostFailed(
            f"Teams could not be reached ({type(error).__name__})", permanent=False
        ) from None
    if 200 <= status < 300:
        return
    permanent = 400 <= status < 500 and status not in (408, 429)
    raise PostFailed(f"Teams answered {status}", permanent=permanent)

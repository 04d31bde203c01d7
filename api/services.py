"""Writes for personal access tokens: make one (the secret shown once), revoke one, use one.

A token's secret is 32 random bytes (urlsafe base64, prefixed ``dh_`` so it is recognisable in a
leaked file); only its SHA-256 is stored. Using a token updates ``last_used_at`` at most once a
minute and writes one log line; no row is written per request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import AccessToken

logger = logging.getLogger("api.tokens")

PREFIX = "dh_"
EXPIRY_CHOICES = (30, 90, 180, 365)  # days
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def access_token_create(*, actor: User, name: str, expires_in_days: int) -> tuple[AccessToken, str]:
    """A new token for ``actor`` and its secret, which is not kept and cannot be shown again."""
    if expires_in_days not in EXPIRY_CHOICES:
        raise ValueError(f"expiry must be one of {EXPIRY_CHOICES} days")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = AccessToken.objects.create(
        owner=actor,
        name=name.strip(),
        prefix=secret[:10],
        secret_hash=hash_secret(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    logger.info("access token %s (%s) created by %s", token.pk, token.prefix, actor.username)
    return token, secret


@transaction.atomic
def access_token_revoke(*, token: AccessToken, actor: User) -> AccessToken:
    """Revoke ``token`` (its owner or the PMO; the view checks which). Revoking twice is a no-op."""
    token = AccessToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        logger.info(
            "access token %s (%s) of %s revoked by %s",
            token.pk,
            token.prefix,
            token.owner.username,
            actor.username,
        )
    return token


def access_token_find(*, secret: str, username: str | None = None) -> AccessToken | None:
    """The active token with this secret (and this owner's username, for HTTP Basic), or None."""
    if not secret or len(secret) > 200:
        return None
    token = (
        AccessToken.objects.active()
        .select_related("owner")
        .filter(secret_hash=hash_secret(secret), owner__is_active=True)
        .first()
    )
    if token is None:
        return None
    if username is not None and token.owner.username.lower() != username.strip().lower():
        return None
    return token


def access_token_used(*, token: AccessToken, path: str, ip_address: str | None) -> None:
    """Note one use: a log line always, ``last_used_at`` at most once a minute."""
    now = timezone.now()
    logger.info(
        "access token %s (%s) of %s used from %s for %s",
        token.pk,
        token.prefix,
        token.owner.username,
        ip_address or "an unknown address",
        path[:200],
    )
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now

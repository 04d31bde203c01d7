"""Writes for personal access tokens: make one (the secret shown once), revoke one, use one.

A token's secret is 32 random bytes (urlsafe base64, prefixed ``dh_`` so it is recognisable in a
leaked file); only its SHA-256 is stored. Using a token updates ``last_used_at`` at most once a
minute and writes one log line; no row is written per request.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts import services as sign_in
from accounts.models import User
from accounts.queries import roles_read_with

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


@dataclass(frozen=True)
class TokenCheck:
    """What one token check found: the token (None: no active token with this secret and
    username) and, when a token row was read, the throttle's lock read with it."""

    token: AccessToken | None
    locked_until: datetime | None


def access_token_check(
    *, secret: str, username: str | None, throttle_key: str, ip_address: str | None
) -> TokenCheck:
    """The token with this secret, its owner, the owner's roles and the sign-in throttle's lock
    for ``throttle_key`` and ``ip_address``, in one query.

    The owner's role names are kept with them (``accounts.queries.roles_read_with``), so the
    permission predicates read no more rows. When no token row matches, the lock is not known
    here (``locked_until`` None): the caller checks the throttle itself, as every failure must
    be counted against it."""
    if not secret or len(secret) > 200:
        return TokenCheck(None, None)
    now = timezone.now()
    # One row per group of the owner's (a LEFT JOIN): cheaper to build and to run than an
    # EXISTS per role, and the owner has a handful of groups at most.
    rows = list(
        AccessToken.objects.active(now)
        .order_by()  # at most one token: the model's default order would only cost a sort
        .select_related("owner")
        .filter(secret_hash=hash_secret(secret), owner__is_active=True)
        .annotate(
            group_name=F("owner__groups__name"),
            **sign_in.sign_in_lock_annotations(
                username=throttle_key, ip_address=ip_address, now=now
            ),
        )
    )
    if not rows:
        return TokenCheck(None, None)
    token = rows[0]
    locked_until = sign_in.sign_in_lock_from(token, now=now)
    if username is not None and token.owner.username.lower() != username.strip().lower():
        return TokenCheck(None, locked_until)
    roles_read_with(token.owner, rows)
    return TokenCheck(token, locked_until)


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

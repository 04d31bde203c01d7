"""Writes for accounts: sign-in throttling.

After ``FAILURE_LIMIT`` failed sign-ins for one username (case-insensitive) or from one address
within ``WINDOW``, further attempts are refused for ``LOCKOUT`` after the last failure, whether
or not the username exists and whether or not the password is right. Failures live in the
database (FailedSignIn), so throttling does not depend on Redis.

An attempt is checked and recorded in one step (``sign_in_attempt_begin``): under a row lock on
the username's and the address's SignInThrottle rows it checks the lock and records the attempt
as a failure *before* the password is checked; a right password then clears the username's
failures. So however many attempts arrive at once, no more than FAILURE_LIMIT are checked.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import FailedSignIn, SignInThrottle, User
from .rules import DUTY_ROLES, may_hold

FAILURE_LIMIT = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _locked_until(failures: list[datetime], now: datetime) -> datetime | None:
    """``failures`` newest first. Locked when the last FAILURE_LIMIT fell within WINDOW."""
    if len(failures) < FAILURE_LIMIT:
        return None
    newest, oldest = failures[0], failures[FAILURE_LIMIT - 1]
    if newest - oldest > WINDOW:
        return None
    until = newest + LOCKOUT
    return until if until > now else None


def sign_in_locked_until(*, username: str, ip_address: str | None) -> datetime | None:
    """When the sign-in for this username or address opens again, or None if it is open."""
    now = timezone.now()
    since = now - WINDOW - LOCKOUT
    recent = FailedSignIn.objects.filter(attempted_at__gte=since).order_by("-attempted_at")
    candidates = [recent.filter(username=normalise_username(username))]
    if ip_address:
        candidates.append(recent.filter(ip_address=ip_address))
    locks = [
        _locked_until(list(rows.values_list("attempted_at", flat=True)[:FAILURE_LIMIT]), now)
        for rows in candidates
    ]
    return max((lock for lock in locks if lock), default=None)


@transaction.atomic
def sign_in_failure_record(*, username: str, ip_address: str | None) -> FailedSignIn:
    """Record one failed sign-in and purge the rows too old to matter any more."""
    now = timezone.now()
    FailedSignIn.objects.filter(attempted_at__lt=now - WINDOW - LOCKOUT).delete()
    sign_in_throttles_purge(now=now)
    return FailedSignIn.objects.create(
        username=normalise_username(username), ip_address=ip_address or None, attempted_at=now
    )


@transaction.atomic
def sign_in_success_record(*, username: str) -> None:
    """A successful sign-in clears that username's failures (not its address's)."""
    FailedSignIn.objects.filter(username=normalise_username(username)).delete()


def _throttle_keys(username: str, ip_address: str | None) -> list[str]:
    keys = [f"user:{normalise_username(username)}"]
    if ip_address:
        keys.append(f"ip:{ip_address}")
    return sorted(keys)  # always locked in the same order: no deadlock between two attempts


@transaction.atomic
def sign_in_attempt_begin(*, username: str, ip_address: str | None) -> FailedSignIn | None:
    """Check the throttle and record this attempt, in one step under a row lock.

    Returns None when the username or address is throttled (nothing recorded); otherwise the
    attempt, recorded as a failure until ``sign_in_success_record`` clears it."""
    now = timezone.now()
    keys = _throttle_keys(username, ip_address)
    SignInThrottle.objects.bulk_create(
        [SignInThrottle(key=key, last_attempt_at=now) for key in keys], ignore_conflicts=True
    )
    locked = list(SignInThrottle.objects.select_for_update().filter(key__in=keys).order_by("key"))
    if sign_in_locked_until(username=username, ip_address=ip_address):
        return None
    SignInThrottle.objects.filter(pk__in=[row.pk for row in locked]).update(last_attempt_at=now)
    return sign_in_failure_record(username=username, ip_address=ip_address)


def sign_in_throttles_purge(*, now: datetime) -> None:
    SignInThrottle.objects.filter(last_attempt_at__lt=now - WINDOW - LOCKOUT).delete()


def duty_check(*, person: User | None, duty: str, field: str, was_id: int | None = None) -> None:
    """Refuse to give ``person`` a duty their role may not hold (see accounts.rules.DUTY_ROLES).

    ``was_id`` is whoever holds it now: keeping them is not a new choice, so it is not refused.
    Raises a ValidationError on ``field`` naming the roles that may hold the duty."""
    if person is None or person.pk == was_id or may_hold(person, duty):
        return
    roles = ", ".join(role.label for role in DUTY_ROLES[duty])
    raise ValidationError(
        {field: f"{person} cannot be chosen here: choose someone with one of these roles: {roles}."}
    )

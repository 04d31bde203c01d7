"""Writes for accounts: sign-in throttling, people and their roles, single sign-on.

After ``FAILURE_LIMIT`` failed sign-ins for one username (case-insensitive) or from one address
within ``WINDOW``, further attempts are refused for ``LOCKOUT`` after the last failure, whether
or not the username exists and whether or not the password is right. Failures live in the
database (FailedSignIn), so throttling does not depend on Redis.

An attempt is checked and recorded in one step (``sign_in_attempt_begin``): under a row lock on
the username's and the address's SignInThrottle rows it checks the lock and records the attempt
as a failure *before* the password is checked; a right password then clears the username's
failures. So however many attempts arrive at once, no more than FAILURE_LIMIT are checked.

Single sign-on goes through the same throttle by address (the callback knows no username until
the provider has answered). Every change to a person and their roles is written through these
functions with an ``actor``, so django-simple-history records who made it; the person's page
shows the before and after.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import DateTimeField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from core.audit import acting_as, audited
from core.errors import ServiceError

from .models import FailedSignIn, RoleMapping, SignInThrottle, User
from .roles import Role
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
    return _locked_between(failures[0], failures[FAILURE_LIMIT - 1], now)


def _locked_between(
    newest: datetime | None, oldest: datetime | None, now: datetime
) -> datetime | None:
    """The lock given the newest failure and the FAILURE_LIMIT-th newest (None: fewer)."""
    if newest is None or oldest is None or newest - oldest > WINDOW:
        return None
    until = newest + LOCKOUT
    return until if until > now else None


def _lock_candidates(username: str, ip_address: str | None) -> dict[str, dict[str, str]]:
    candidates = {}
    if normalise_username(username):
        candidates["user"] = {"username": normalise_username(username)}
    if ip_address:
        candidates["ip"] = {"ip_address": ip_address}
    return candidates


def sign_in_lock_annotations(
    *, username: str, ip_address: str | None, now: datetime
) -> dict[str, RawSQL]:
    """The throttle's state as annotations, so that a caller reading a row anyway (the token
    check of the data feeds) learns the lock in the same round trip: for the username and the
    address, the newest recent failure and the FAILURE_LIMIT-th newest. ``sign_in_lock_from``
    turns the annotated values into what ``sign_in_locked_until`` would have returned.

    Plain SQL (the same on PostgreSQL and SQLite), with parameters: the four ORM subqueries
    this replaces cost more to compile than the round trips they saved."""
    table = FailedSignIn._meta.db_table
    since = now - WINDOW - LOCKOUT
    annotations = {}
    for name, match in _lock_candidates(username, ip_address).items():
        ((column, value),) = match.items()
        for end, offset in (("newest", 0), ("oldest", FAILURE_LIMIT - 1)):
            # Names from the model and a constant offset; the values go as parameters.
            sql = (
                f'(SELECT "attempted_at" FROM "{table}" WHERE "{column}" = %s AND'  # noqa: S608
                f' "attempted_at" >= %s ORDER BY "attempted_at" DESC LIMIT 1 OFFSET {offset})'
            )
            annotations[f"lock_{name}_{end}"] = RawSQL(  # noqa: S611 - see above
                sql, (value, since), output_field=DateTimeField()
            )
    return annotations


def sign_in_lock_from(row: object, *, now: datetime) -> datetime | None:
    """The lock read through ``sign_in_lock_annotations`` on ``row`` (None: open)."""
    locks = [
        _locked_between(
            getattr(row, f"lock_{name}_newest", None),
            getattr(row, f"lock_{name}_oldest", None),
            now,
        )
        for name in ("user", "ip")
    ]
    return max((lock for lock in locks if lock), default=None)


def sign_in_locked_until(*, username: str, ip_address: str | None) -> datetime | None:
    """When the sign-in for this username or address opens again, or None if it is open."""
    now = timezone.now()
    since = now - WINDOW - LOCKOUT
    recent = FailedSignIn.objects.filter(attempted_at__gte=since).order_by("-attempted_at")
    candidates = []
    if normalise_username(username):
        candidates.append(recent.filter(username=normalise_username(username)))
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
def sign_in_success_record(*, username: str, attempt: FailedSignIn | None = None) -> None:
    """A successful sign-in clears that username's failures (not its address's) and the attempt
    ``sign_in_attempt_begin`` recorded for it, if it was recorded under no username (single
    sign-on, whose callback learns the username only from the provider)."""
    FailedSignIn.objects.filter(username=normalise_username(username)).delete()
    if attempt is not None:
        FailedSignIn.objects.filter(pk=attempt.pk).delete()


def _throttle_keys(username: str, ip_address: str | None) -> list[str]:
    keys = [f"user:{normalise_username(username)}"] if normalise_username(username) else []
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
    Raises a ServiceError on ``field`` naming the roles that may hold the duty."""
    if person is None or person.pk == was_id or may_hold(person, duty):
        return
    roles = ", ".join(role.label for role in DUTY_ROLES[duty])
    raise ServiceError(
        {field: f"{person} cannot be chosen here: choose someone with one of these roles: {roles}."}
    )


# --- people and roles ---------------------------------------------------------------------------


class PeopleError(ServiceError):
    """A change to a person that cannot be made; the message says why, for the page."""


class AccountDeactivated(PeopleError):
    """Single sign-on by someone the PMO has deactivated: nothing about them is changed."""


def _baseline(person: User) -> None:
    """A person created before history was kept gets one snapshot first, so the first change
    shown on their page has a "before"."""
    if not person.history.exists():
        person.save()


def role_groups(roles: Iterable[str]) -> list[Group]:
    return [Group.objects.get_or_create(name=Role(role).group_name)[0] for role in roles]


def _roles_set(person: User, roles: Iterable[str]) -> None:
    """Make ``person``'s roles exactly ``roles``, leaving any group that is not a role alone."""
    wanted = {group.pk: group for group in role_groups(set(roles))}
    role_names = [role.group_name for role in Role]
    held = {group.pk: group for group in person.groups.filter(name__in=role_names)}
    removed = [group for pk, group in held.items() if pk not in wanted]
    added = [group for pk, group in wanted.items() if pk not in held]
    if removed:
        person.groups.remove(*removed)
    if added:
        person.groups.add(*added)
    person.__dict__.pop("_group_names_cache", None)  # read afresh (User.role_names, rules)


@transaction.atomic
@audited
def person_add(
    *,
    first_name: str,
    last_name: str,
    email: str,
    username: str,
    job_title: str = "",
    roles: Iterable[str],
    actor: User,
) -> User:
    """Add a person who signs in with a local account (no single sign-on) or who will be matched
    at their first single sign-on. They get no usable password: a person with a local account
    sets one through the admin or `manage.py changepassword`."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise PeopleError(f"There is already someone with the username {username}.")
    email = email.strip()
    if email and User.objects.filter(email__iexact=email).exists():
        raise PeopleError(f"There is already someone with the email address {email}.")
    person = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        job_title=job_title.strip(),
    )
    person.set_unusable_password()
    # Both rows this writes (the person, then their roles) carry the reason, so the person's
    # page does not fold their first roles into a change of roles made a moment later.
    person._change_reason = "Added"  # type: ignore[attr-defined]
    person.save()
    _roles_set(person, roles)
    return person


@transaction.atomic
@audited
def person_roles_set(*, person: User, roles: Iterable[str], actor: User) -> User:
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise PeopleError(f"{person} has left: give them roles only after reactivating them.")
    roles = set(roles)
    if person.pk == actor.pk and Role.PMO not in roles:
        raise PeopleError(
            "You cannot remove your own PMO role: ask another PMO to do it, so the portfolio "
            "always has someone who can give roles."
        )
    _baseline(person)
    _roles_set(person, roles)
    return person


@transaction.atomic
@audited
def person_deactivate(*, person: User, actor: User) -> User:
    """A leaver: they can no longer sign in (locally or with single sign-on, which never
    reactivates anyone) and their sessions end; everything they did stays attributed to them.
    Their roles are kept in history, their open work is listed on their page for reassignment."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.pk == actor.pk:
        raise PeopleError("You cannot deactivate your own account: ask another PMO.")
    if not person.is_active:
        raise PeopleError(f"{person} has already been deactivated.")
    _baseline(person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person


@transaction.atomic
@audited
def person_reactivate(*, person: User, actor: User) -> User:
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_active:
        raise PeopleError(f"{person} is already active.")
    person.is_active = True
    person.save(update_fields=["is_active"])
    return person


@transaction.atomic
@audited
def role_mapping_add(*, claim_value: str, role: str, description: str, actor: User) -> RoleMapping:
    claim_value = claim_value.strip()
    if not claim_value:
        raise PeopleError("Enter the value of the groups claim.")
    if role not in Role.values:
        raise PeopleError("Choose the role this group gives.")
    if RoleMapping.objects.filter(claim_value=claim_value, role=role).exists():
        raise PeopleError(f"{claim_value} already gives the role {Role(role).label}.")
    mapping = RoleMapping(claim_value=claim_value, role=role, description=description.strip())
    mapping.save()
    return mapping


@transaction.atomic
@audited
def role_mapping_delete(*, mapping: RoleMapping, actor: User) -> None:
    mapping.delete()


# --- single sign-on -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignOnClaims:
    """What Delivery Hub takes from a verified ID token."""

    subject: str
    email: str
    first_name: str
    last_name: str
    claim_values: frozenset[str]


def roles_for_claims(claim_values: Iterable[str]) -> set[str]:
    return set(
        RoleMapping.objects.filter(claim_value__in=list(claim_values)).values_list(
            "role", flat=True
        )
    )


def _free_username(claims: SignOnClaims) -> str:
    wanted = (claims.email or f"sso-{claims.subject}")[:150]
    if not User.objects.filter(username__iexact=wanted).exists():
        return wanted
    suffix = 2
    while User.objects.filter(username__iexact=f"{wanted[:140]}-{suffix}").exists():
        suffix += 1
    return f"{wanted[:140]}-{suffix}"


@transaction.atomic
def sso_sign_in(*, claims: SignOnClaims) -> User:
    """The person behind a verified ID token: found by subject, or created just in time, with
    their name and email from the claims and their roles exactly those their claim values map
    to (a group they left takes its role with it). A deactivated person stays deactivated."""
    person = User.objects.select_for_update().filter(oidc_subject=claims.subject).first()
    if person is not None and not person.is_active:
        raise AccountDeactivated(f"{person} has been deactivated.")
    if person is None:
        person = User(oidc_subject=claims.subject, username=_free_username(claims))
        person.set_unusable_password()
    person._change_reason = "Single sign-on"  # type: ignore[attr-defined]
    changed = person.pk is None
    for field, value in [
        ("email", claims.email),
        ("first_name", claims.first_name),
        ("last_name", claims.last_name),
    ]:
        if value and getattr(person, field) != value:
            limit = getattr(User._meta.get_field(field), "max_length", None)
            setattr(person, field, value[:limit])
            changed = True
    if changed:
        with acting_as(person if person.pk else None):  # a sign-in is the person's own change
            person.save()
    with acting_as(person):
        _roles_set(person, roles_for_claims(claims.claim_values))
    return person

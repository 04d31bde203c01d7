"""Reads for accounts: the people list, a person's history of changes, and the people a
person-picker may offer for a duty."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import F, Q, QuerySet

from .models import User
from .roles import Role
from .rules import DUTY_ROLES

HISTORY_SHOWN = 50

# The fields of a person whose changes their page shows, with the words it uses for them.
HISTORY_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email address",
    "username": "Username",
    "job_title": "Job title",
    "is_active": "Can sign in",
    "oidc_subject": "Single sign-on subject",
    "groups": "Roles",
}


def roles_read_with(user: User, rows: Iterable[Any]) -> User:
    """``user`` with the role names of ``rows`` (one row per group of theirs, each with its
    ``group_name``: a LEFT JOIN, so None for a person with none) put where
    ``rules.is_group_member`` and ``User.role_names`` look for them (``_group_names_cache``):
    no permission check on the request reads them again."""
    user._group_names_cache = {row.group_name for row in rows if row.group_name}
    return user


def signed_in_user(pk: object) -> User | None:
    """The person a session names, with their role names in the same query (a person has a
    handful at most), as ``api.services.access_token_check`` reads a token's owner."""
    rows = list(User.objects.filter(pk=pk).order_by().annotate(group_name=F("groups__name")))
    return roles_read_with(rows[0], rows) if rows else None


def people_search(*, q: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    people = User.objects.prefetch_related("groups").order_by("first_name", "last_name", "username")
    if status == "left":
        people = people.filter(is_active=False)
    elif status != "all":
        people = people.filter(is_active=True)
    for word in q.split()[:5]:
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    role_names = [r.group_name for r in Role]
    if role == "none":
        people = people.exclude(groups__name__in=role_names)
    elif role in Role.values:
        people = people.filter(groups__name=Role(role).group_name)
    return people.distinct()


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class PersonChange:
    at: datetime
    by: User | None
    reason: str
    created: bool
    changes: list[FieldChange]


def _shown(field: str, value: object, groups: dict[int, str]) -> str:
    if field == "groups":
        names = {groups.get(row["group"], "") for row in value or []}
        return ", ".join(r.label for r in Role if r.group_name in names) or "No role"
    if field == "is_active":
        return "Yes" if value else "No (deactivated)"
    return str(value or "—")


def person_history(person: User) -> list[PersonChange]:
    """Who changed what about ``person`` and when, newest first: each change with its before
    and after (roles named as roles). Saves that changed nothing shown (a sign-in that found
    the same claims) are left out."""
    records = list(
        person.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_SHOWN + 1
        ]
    )
    groups = dict(Group.objects.values_list("pk", "name"))
    shown: list[PersonChange] = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if older is None:
            if len(records) > HISTORY_SHOWN:
                break
            changes = [
                FieldChange(label, "", _shown(field, _value(newer, field), groups))
                for field, label in HISTORY_FIELDS.items()
                if field in ("first_name", "last_name", "email", "groups", "is_active")
            ]
            shown.append(
                PersonChange(
                    newer.history_date,
                    newer.history_user,
                    newer.history_change_reason or "",
                    newer.history_type == "+",
                    changes,
                )
            )
            continue
        delta = newer.diff_against(older, included_fields=list(HISTORY_FIELDS))
        changes = [
            FieldChange(
                HISTORY_FIELDS[c.field],
                _shown(c.field, c.old, groups),
                _shown(c.field, c.new, groups),
            )
            for c in delta.changes
        ]
        changes = [c for c in changes if c.before != c.after]
        if changes:
            shown.append(
                PersonChange(
                    newer.history_date,
                    newer.history_user,
                    newer.history_change_reason or "",
                    False,
                    changes,
                )
            )
    return _merged(shown)


def _merged(changes: list[PersonChange]) -> list[PersonChange]:
    """One change of roles is written as a removal and an addition (two rows of history): show
    the changes one person made within a second as one, from the first before to the last
    after."""
    merged: list[PersonChange] = []
    for older in changes:  # newest first
        newer = merged[-1] if merged else None
        if (
            newer is not None
            and not newer.created
            and not older.created
            and newer.by == older.by
            and newer.reason == older.reason
            and abs((newer.at - older.at).total_seconds()) < 1
        ):
            fields = {c.label: c for c in older.changes}
            for change in newer.changes:
                first = fields.get(change.label)
                fields[change.label] = FieldChange(
                    change.label, first.before if first else change.before, change.after
                )
            kept = [c for c in fields.values() if c.before != c.after]
            merged[-1] = PersonChange(newer.at, newer.by, newer.reason, False, kept)
            if not kept:
                merged.pop()
            continue
        merged.append(older)
    return merged


def _value(record: object, field: str) -> object:
    if field == "groups":
        return list(record.groups.values("group"))
    return getattr(record, field)


def pmo_contacts(limit: int = 5) -> list[User]:
    """Whom someone with no role should ask: the active PMO, by name."""
    return list(
        User.objects.filter(is_active=True, groups__name=Role.PMO.group_name)
        .order_by("first_name", "last_name", "username")
        .distinct()[:limit]
    )


def people_for(duty: str, *, keep: Iterable[int | None] = ()) -> QuerySet[User]:
    """Active users whose role may hold ``duty`` (a key of accounts.rules.DUTY_ROLES), plus the
    users in ``keep`` (whoever holds it now, so editing a record does not force a change)."""
    names = [role.group_name for role in DUTY_ROLES[duty]]
    entitled = User.objects.filter(is_active=True, groups__name__in=names).values("pk")
    kept = [pk for pk in keep if pk is not None]
    return User.objects.filter(Q(pk__in=entitled) | Q(pk__in=kept)).order_by(
        "first_name", "last_name", "username"
    )

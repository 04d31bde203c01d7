"""Reads for accounts: the people a person-picker may offer for a duty."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .models import User
from .rules import DUTY_ROLES


def people_for(duty: str, *, keep: Iterable[int | None] = ()) -> QuerySet[User]:
    """Active users whose role may hold ``duty`` (a key of accounts.rules.DUTY_ROLES), plus the
    users in ``keep`` (whoever holds it now, so editing a record does not force a change)."""
    names = [role.group_name for role in DUTY_ROLES[duty]]
    entitled = User.objects.filter(is_active=True, groups__name__in=names).values("pk")
    kept = [pk for pk in keep if pk is not None]
    return User.objects.filter(Q(pk__in=entitled) | Q(pk__in=kept)).order_by(
        "first_name", "last_name", "username"
    )

"""One way to act as someone: every history row written inside ``acting_as(actor)`` names the
actor, whether the write comes from a view, a Celery task, a management command or the shell.

django-simple-history reads the user of a history row from ``HistoricalRecords.context.request``
(its middleware puts the request there). ``acting_as`` puts a stand-in there whose ``user`` is
the actor and restores what was there before, so it nests and works inside or outside a
request. Services say who acts with ``@audited`` (which reads their keyword-only ``actor``);
bulk writes go through ``bulk_create_audited`` / ``bulk_update_audited`` so they write history
too. Nothing sets ``_history_user`` by hand.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models.fields import AutoFieldMixin
from django.dispatch import Signal
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_history_manager_for_model,
)

P = ParamSpec("P")
R = TypeVar("R")
M = TypeVar("M", bound=models.Model)


class _Acting:
    """What simple_history reads as the request while someone acts: ``user`` is the actor; any
    other attribute is the real request's (when there is one)."""

    def __init__(self, user: Any, request: Any) -> None:
        self.user = user
        self._request = request

    def __getattr__(self, name: str) -> Any:
        if self._request is None:
            raise AttributeError(name)
        return getattr(self._request, name)


_MISSING = object()


@contextmanager
def acting_as(actor: Any) -> Iterator[Any]:
    """Attribute every history row written inside the block to ``actor`` (``None``: the system)."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", _MISSING)
    context.request = _Acting(actor, None if previous is _MISSING else previous)
    try:
        yield actor
    finally:
        if previous is _MISSING:
            del context.request
        else:
            context.request = previous


def current_actor() -> Any:
    """Who history rows written now are attributed to (the signed-in user in a request)."""
    user = getattr(getattr(HistoricalRecords.context, "request", None), "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def audited(service: Callable[P, R]) -> Callable[P, R]:
    """Run a service as its keyword-only ``actor``: its history rows name them."""

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with acting_as(kwargs["actor"]):
            return service(*args, **kwargs)

    return run


# Sent once per bulk write that wrote anything (``sender`` is the model): bulk writes send no
# post_save, so whatever a save invalidates (the dashboard's cached panels) listens here too,
# and a 10,000-row import invalidates once, not 10,000 times.
bulk_written = Signal()

BULK_BATCH = 1000  # rows per INSERT: well under PostgreSQL's 65,535 parameters per statement


def bulk_create_audited(model: type[M], objs: Iterable[M]) -> list[M]:
    """``bulk_create`` that writes a history row per object, attributed to the current actor.

    The history rows are copied by the database from the rows just inserted (one
    ``INSERT … SELECT`` per batch of keys, in key order), so they hold exactly what was stored
    and no history object is built in Python. A history model with fields of its own, or a
    database that does not return the new keys, takes simple_history's way instead."""
    objs = list(objs)
    history = get_history_manager_for_model(model).model
    alias = router.db_for_write(model)
    if not _copied_in_sql(model, history, alias):
        created = bulk_create_with_history(
            objs, model, batch_size=BULK_BATCH, default_user=current_actor()
        )
    else:
        with transaction.atomic(using=alias, savepoint=False):
            created = model._default_manager.db_manager(alias).bulk_create(
                objs, batch_size=BULK_BATCH
            )
            _history_copy(model, history, [obj.pk for obj in created], alias)
    if created:
        bulk_written.send(sender=model)
    return created


HISTORY_FIELDS = ("history_date", "history_change_reason", "history_type", "history_user")


def _copied_in_sql(model: type[models.Model], history: Any, alias: str) -> bool:
    """Whether ``history`` is the plain historical model of ``model`` (its tracked fields under
    the same columns, the four history fields and its own numbered key, nothing else) on a
    database that returns the keys of a bulk insert."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return False
    if not connections[alias].features.can_return_rows_from_bulk_insert:
        return False
    key = history._meta.pk
    if not isinstance(key, AutoFieldMixin):  # the database numbers the history rows
        return False
    tracked = {field.name: field.column for field in history.tracked_fields}
    own = {history._meta.pk.name, *HISTORY_FIELDS}
    for field in history._meta.concrete_fields:
        if field.name not in own and tracked.get(field.name) != field.column:
            return False
    names = {field.name for field in history._meta.concrete_fields}
    return set(tracked) <= names and set(HISTORY_FIELDS) <= names


def _history_copy(model: type[models.Model], history: Any, keys: list[Any], alias: str) -> None:
    """A "created" history row for each of the rows ``keys`` names, attributed to the current
    actor, all dated now: ``INSERT INTO history (…) SELECT … FROM table WHERE pk IN (…)``."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = history._meta
    columns = [field.column for field in history.tracked_fields]
    extra = [meta.get_field(name).column for name in HISTORY_FIELDS]
    actor = current_actor()
    values = [
        meta.get_field("history_date").get_db_prep_save(timezone.now(), connection),
        None,  # no change reason, as simple_history's bulk create writes none
        "+",
        actor.pk if actor is not None else None,
    ]
    key = quote(model._meta.pk.column or "id")
    head = (  # only quoted table and column names from the models; values are parameters
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(map(quote, columns + extra))}) "  # noqa: S608
        f"SELECT {', '.join(map(quote, columns))}, %s, %s, %s, %s "
        f"FROM {quote(model._meta.db_table)} WHERE {key} IN "
    )
    limit = connection.features.max_query_params  # None: no limit (PostgreSQL)
    size = BULK_BATCH if limit is None else min(BULK_BATCH, limit - len(values))
    with connection.cursor() as cursor:
        for start in range(0, len(keys), size):
            batch = keys[start : start + size]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f"{head}({marks}) ORDER BY {key}", [*values, *batch])


def bulk_update_audited(model: type[M], objs: Iterable[M], fields: list[str]) -> int:
    """``bulk_update`` that writes a history row per object, attributed to the current actor."""
    updated = bulk_update_with_history(
        list(objs), model, fields, batch_size=BULK_BATCH, default_user=current_actor()
    )
    if updated:
        bulk_written.send(sender=model)
    return updated

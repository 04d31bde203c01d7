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

from django.db import models
from django.dispatch import Signal
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

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
    """``bulk_create`` that writes a history row per object, attributed to the current actor."""
    created = bulk_create_with_history(
        list(objs), model, batch_size=BULK_BATCH, default_user=current_actor()
    )
    if created:
        bulk_written.send(sender=model)
    return created


def bulk_update_audited(model: type[M], objs: Iterable[M], fields: list[str]) -> int:
    """``bulk_update`` that writes a history row per object, attributed to the current actor."""
    updated = bulk_update_with_history(
        list(objs), model, fields, batch_size=BULK_BATCH, default_user=current_actor()
    )
    if updated:
        bulk_written.send(sender=model)
    return updated

"""Figures and rendered HTML kept until anything they show may have changed: one generation for
the whole site.

Some reads sum or count over the whole portfolio (the dashboard's panels, the benefits
realisation totals); everyone reading them sees the same result until something is saved. So
they are cached under a key made of:

- the *generation*, a counter bumped whenever a row of accounts, portfolio, governance or
  benefits is saved or deleted (at once and again when the transaction commits, so a value
  computed mid-transaction is never kept under the new generation);
- the code's version (a digest of the templates and the project's Python), so that a deployment
  never serves what the code it replaced computed;
- today's date and whatever else the caller names (filters, permissions, the snapshot).

The generation listens to model signals: no business logic runs there (STYLE.md), only the
cache's bookkeeping, which no service should have to remember to do. An app that caches through
this module connects it in its ``AppConfig.ready`` (``connect`` is idempotent). A bulk
``QuerySet.update()`` sends no signal: the entries also expire after ``TIMEOUT``.
If the cache (Redis) is down, values are computed on every request and nothing is lost; after a
failure the cache is left alone for ``RETRY_AFTER`` seconds so that no request or save waits on
it again meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from core.audit import bulk_written

logger = logging.getLogger(__name__)

T = TypeVar("T")

GENERATION_KEY = "dashboard:generation"
TIMEOUT = 300
RETRY_AFTER = 30.0
WATCHED_APPS = ("accounts", "portfolio", "governance", "benefits")
CODED_APPS = ("core", "dashboard", *WATCHED_APPS)
_unavailable_until = 0.0
_stored = 0  # values this process has put in the cache (``cached``)
_stored_at_bump = -1  # ``_stored`` at the last bump that incremented the counter


def _code_version() -> str:
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for folder in [root / "templates", *(root / label for label in CODED_APPS)]:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".html") and path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


CODE_VERSION = _code_version()


def usable() -> bool:
    return time.monotonic() >= _unavailable_until


def failed(error: Exception) -> None:
    global _unavailable_until
    _unavailable_until = time.monotonic() + RETRY_AFTER
    logger.warning("The cache is unavailable (%s); computing without it.", error)


def invalidate() -> None:
    """Mark everything cached out of date, now."""
    if not usable():
        return
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter yet (or the cache lost it): start a fresh one
            cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception as error:
        failed(error)


def bump(**_signal: object) -> None:
    """Mark everything cached out of date: now, and again once the change commits.

    Within one transaction, a save after the first bumps "now" again only if this process has
    cached a value since the last bump (a value that may not include the save), and the bump
    at commit is registered once: a service that saves forty rows costs two increments of the
    counter, not eighty. Outside a transaction a save commits at once: one increment."""
    global _stored_at_bump
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        invalidate()
        return
    registered = any(callback is invalidate for _, callback, _ in connection.run_on_commit)
    if not registered or _stored != _stored_at_bump:
        _stored_at_bump = _stored
        invalidate()
    if not registered:
        transaction.on_commit(invalidate)


def connect() -> None:
    """Bump the generation on every save, delete or bulk write (once for the batch) in the apps
    the cached values read."""
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            uid = f"dashboard-generation-{model._meta.label}"
            post_save.connect(bump, sender=model, weak=False, dispatch_uid=f"{uid}-save")
            post_delete.connect(bump, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
            bulk_written.connect(bump, sender=model, weak=False, dispatch_uid=f"{uid}-bulk")
    m2m_changed.connect(bump, weak=False, dispatch_uid="dashboard-generation-m2m")


def generation() -> int | None:
    """The current generation, or None when the cache cannot be reached."""
    if not usable():
        return None
    try:
        value = cache.get(GENERATION_KEY)
        if value is None:
            value = time.time_ns()
            cache.add(GENERATION_KEY, value, timeout=None)
            value = cache.get(GENERATION_KEY, value)
    except Exception as error:
        failed(error)
        return None
    return int(value)


def key(name: str, parts: Sequence[str]) -> str | None:
    """The cache key for ``name`` and ``parts`` in this generation, this code and today; None
    when the cache cannot be reached."""
    current = generation()
    if current is None:
        return None
    text = "|".join([CODE_VERSION, str(current), timezone.localdate().isoformat(), *parts])
    return f"{name}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached(name: str, parts: Sequence[str], compute: Callable[[], T]) -> T:
    """``compute()``'s result, kept under ``name`` and ``parts`` until anything is saved (or
    ``TIMEOUT``); computed afresh, and not kept, when the cache cannot be reached."""
    global _stored
    entry = key(name, parts)
    if entry is not None:
        try:
            value = cache.get(entry)
        except Exception as error:
            failed(error)
            entry = None
        else:
            if value is not None:
                return value
    value = compute()
    if entry is not None:
        _stored += 1  # before it is set: a save after this one must bump again (``bump``)
        try:
            cache.set(entry, value, timeout=TIMEOUT)
        except Exception as error:
            failed(error)
    return value

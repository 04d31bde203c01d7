"""The dashboard's panels, kept as rendered HTML until anything they show may have changed.

Rendering every panel costs a few dozen queries over the whole portfolio; the PMO and everyone
else reading the dashboard see the same panels for the same filters. So the rendered panels
(and the filter form, whose choices are portfolios and directorates) are cached under a key
made of:

- the *generation*, a counter bumped whenever a row of accounts, portfolio, governance or
  benefits is saved or deleted (at once and again when the transaction commits, so a page
  computed mid-transaction is never kept under the new generation);
- the latest roll-up snapshot and when it was last checked (the roll-up writes in bulk);
- today's date (days in stage and days waiting), the filters and the two permissions the
  panels depend on;
- the code's version (a digest of the templates and the apps' Python), so that a deployment
  never serves panels rendered by the code it replaced.

The generation listens to model signals: no business logic runs there (STYLE.md), only the
cache's bookkeeping, which no service should have to remember to do. A bulk
``QuerySet.update()`` sends no signal: the entries also expire after ``TIMEOUT``.
If the cache (Redis) is down the panels are rendered on every request and nothing is lost;
after a failure the cache is left alone for ``RETRY_AFTER`` seconds so that no request or
save waits on it again meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString

from benefits.models import RollupSnapshot
from core.audit import bulk_written

logger = logging.getLogger(__name__)


def _code_version() -> str:
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    folders = [root / "templates", *(root / label for label in ("dashboard", *WATCHED_APPS))]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".html") and path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


GENERATION_KEY = "dashboard:generation"
TIMEOUT = 300
RETRY_AFTER = 30.0
WATCHED_APPS = ("accounts", "portfolio", "governance", "benefits")
CODE_VERSION = _code_version()
_unavailable_until = 0.0


def _usable() -> bool:
    return time.monotonic() >= _unavailable_until


def _failed(error: Exception) -> None:
    global _unavailable_until
    _unavailable_until = time.monotonic() + RETRY_AFTER
    logger.warning("The dashboard cache is unavailable (%s); rendering without it.", error)


def invalidate() -> None:
    """Mark every cached panel out of date, now."""
    if not _usable():
        return
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter yet (or the cache lost it): start a fresh one
            cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
    except Exception as error:
        _failed(error)


def bump(**_signal: object) -> None:
    """Mark every cached panel out of date: now, and again once the change commits."""
    invalidate()
    transaction.on_commit(invalidate)


def connect() -> None:
    """Bump the generation on every save, delete or bulk write (once for the batch) in the apps
    the dashboard reads."""
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            uid = f"dashboard-generation-{model._meta.label}"
            post_save.connect(bump, sender=model, weak=False, dispatch_uid=f"{uid}-save")
            post_delete.connect(bump, sender=model, weak=False, dispatch_uid=f"{uid}-delete")
            bulk_written.connect(bump, sender=model, weak=False, dispatch_uid=f"{uid}-bulk")
    m2m_changed.connect(bump, weak=False, dispatch_uid="dashboard-generation-m2m")


def _generation() -> int | None:
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            generation = time.time_ns()
            cache.add(GENERATION_KEY, generation, timeout=None)
            generation = cache.get(GENERATION_KEY, generation)
    except Exception as error:
        _failed(error)
        return None
    return int(generation)


def _key(request: HttpRequest, snapshot: RollupSnapshot | None) -> str | None:
    generation = _generation()
    if generation is None:
        return None
    user = request.user
    parts = [
        CODE_VERSION,
        str(generation),
        f"{snapshot.pk}@{snapshot.checked_at.isoformat()}" if snapshot else "-",
        timezone.localdate().isoformat(),
        request.GET.urlencode(),
        str(user.has_perm("benefits.view_mtfp")),
        str(user.has_perm("benefits.recalculate_rollup")),
    ]
    return "dashboard:panels:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


Fragments = dict[str, SafeString]


def cached_fragments(
    request: HttpRequest, snapshot: RollupSnapshot | None, render: Callable[[], Fragments]
) -> Fragments:
    """The page's fragments (rendered templates by name) from the cache, or ``render()``ed and
    kept for the next request. They are cached as they were rendered (``SafeString`` keeps its
    type through the cache's pickling), so nothing is marked safe here."""
    key = _key(request, snapshot) if _usable() else None
    if key is not None:
        try:
            fragments = cache.get(key)
        except Exception as error:
            _failed(error)
            key = None
        else:
            if fragments is not None:
                return fragments
    fragments = render()
    if key is not None:
        try:
            cache.set(key, fragments, timeout=TIMEOUT)
        except Exception as error:
            _failed(error)
    return fragments


def cached_count(name: str, user_pk: int, count: Callable[[], int]) -> int:
    """A number about one person (their inbox count in the navigation), kept under the same
    generation as the panels, so any write anywhere recounts it; counted afresh without Redis."""
    generation = _generation() if _usable() else None
    if generation is None:
        return count()
    key = f"dashboard:{name}:{CODE_VERSION}:{generation}:{timezone.localdate()}:{user_pk}"
    try:
        value = cache.get(key)
    except Exception as error:
        _failed(error)
        return count()
    if value is None:
        value = count()
        try:
            cache.set(key, value, timeout=TIMEOUT)
        except Exception as error:
            _failed(error)
    return int(value)

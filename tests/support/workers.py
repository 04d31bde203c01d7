"""The suite in parallel processes (pytest-xdist, `make test` runs `-n 2`): what each worker keeps
to itself, and how the figures the workers count reach the summary the controller prints.

- Database: pytest-django already gives each worker its own test database (`test_<name>_gw0`,
  `test_<name>_gw1`); tests that create databases of their own add `suffix()` to the name.
- Redis: each worker uses its own database number (REDIS_URL's plus the worker's index), so one
  worker's cache clears, coalescing keys, Celery queues and purges never touch the other's.
  Settings are read before any conftest runs, so `use_own_redis_db` rewrites the few settings
  built from REDIS_URL (and the variable, for the subprocesses tests start) before anything has
  connected.
- Ports: the live server, the OpenID Connect provider and the throwaway Redis servers bind port 0
  (the system picks a free one), so nothing to do.
- Figures: a worker's `pytest_sessionfinish` puts its counts in `config.workeroutput`; the
  controller's `pytest_testnodedown` merges them (`collect`), and the terminal summaries print
  the totals as a single process would.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"… or "" in a single process


def index() -> int:
    return int(WORKER[2:]) if WORKER.startswith("gw") else 0


def suffix() -> str:
    """Appended to the name of anything a test creates outside its own database (another
    database, a marker): empty without xdist."""
    return f"_{WORKER}" if WORKER else ""


def redis_url_for_worker(url: str) -> str:
    """`redis://host:6379/5` is worker gw0's; gw1 gets `/6`, and so on (Redis has 16)."""
    if not url or not WORKER:
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + index()) % 16}"))


def use_own_redis_db() -> None:
    """Point this worker's cache and Celery broker at its own Redis database. Runs when
    tests/conftest.py is imported: after settings are read, before any connection is made."""
    from django.conf import settings

    url = redis_url_for_worker(settings.REDIS_URL or "")
    if not url or url == settings.REDIS_URL:
        return
    os.environ["REDIS_URL"] = url
    settings.REDIS_URL = url
    settings.CACHES["default"]["LOCATION"] = url
    settings.CELERY_BROKER_URL = url
    from config.celery import app

    app.conf.broker_url = url


# --- figures counted in the workers, printed by the controller ----------------------------------

_collected: dict[str, list[Any]] = {}


def publish(config: Any, key: str, value: Any) -> None:
    """In a worker: hand `value` (JSON-like) to the controller at the end of the session."""
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[key] = value


def is_worker(config: Any) -> bool:
    return hasattr(config, "workeroutput")


def collect(node: Any) -> None:
    """In the controller: keep what a finished worker published (pytest_testnodedown)."""
    for key, value in getattr(node, "workeroutput", {}).items():
        _collected.setdefault(key, []).append(value)


def collected(key: str) -> list[Any]:
    return _collected.get(key, [])

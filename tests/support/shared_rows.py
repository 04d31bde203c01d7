"""Rows written once for a whole test module, as Django's `TestCase.setUpTestData` does.

A module of hundreds of parametrised cases over the same small world (tests/governance/
test_permissions.py: every log URL × every role) spent most of its time building that world
again for each case. `module_rows` builds it once, inside a transaction that is rolled back when
the module is done; each test's own transaction (pytest-django's `db`) is then a savepoint
inside it, rolled back after the test as before, so every test still starts from the same rows
and nothing one test writes is seen by the next.

Only for modules whose tests are not transactional (`transaction=True` or `live_server` would
flush the shared rows) and that treat the shared Python objects as read-only (the database is
rolled back between tests; attributes set on a shared instance are not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction

T = TypeVar("T")


@contextmanager
def module_rows(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

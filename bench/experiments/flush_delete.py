# ruff: noqa: S608 (the SQL is Django's own table names, quoted)
"""What emptying the database after a transactional test costs: Django's flush (one TRUNCATE of
every table) against deleting the rows of the tables that hold any (tests/support/flush.py),
each in a transaction rolled back, so the database is left as it was (the deletes' foreign keys
checked before the rollback, as a commit would check them); alternated over 7 rounds,
the order swapped each round; the medians. Run it on a database holding the demo (`make run`'s,
or a copy of a migrated template with `load_demo`)."""

import statistics
import time

from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import connection, transaction

from tests.support import flush

ROUNDS = 7
tables = sorted(connection.introspection.django_table_names(only_existing=True))
filled = flush._filled(connection, tables) or {}
print(f"{len(filled)} of {len(tables)} tables hold rows ({sum(filled.values())} rows, each "
      f"counted up to {flush.MOST_ROWS + 1})")  # fmt: skip


class _Undone(Exception):
    pass


def _timed(statements: list[str]) -> float:
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            raise _Undone
    except _Undone:
        pass
    return time.perf_counter() - started


ways = {
    "truncate every table (Django)": sql_flush(no_style(), connection, reset_sequences=False),
    "delete the filled tables' rows": [
        "SET CONSTRAINTS ALL DEFERRED",
        *(f"DELETE FROM {connection.ops.quote_name(t)}" for t in sorted(filled)),
        "SET CONSTRAINTS ALL IMMEDIATE",  # the deferred checks, run now
    ],
}
times: dict[str, list[float]] = {name: [] for name in ways}
for i in range(ROUNDS):
    for name in list(ways) if i % 2 == 0 else list(ways)[::-1]:
        times[name].append(_timed(ways[name]))
started = time.perf_counter()
flush._filled(connection, tables)
print(f"finding the filled tables: {(time.perf_counter() - started) * 1000:.0f} ms")
for name, seconds in times.items():
    print(f"{name}: {statistics.median(seconds) * 1000:.0f} ms")

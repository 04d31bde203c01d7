"""The database emptied after a transactional test (live server, Celery workers) by deleting
the rows of the tables that hold any, instead of truncating every table.

Django's `flush` truncates all 113 tables in one TRUNCATE, each table and index given a new
file, and the browser tests pay it after every test. With the demo loaded, on a slow 2-core
machine, that took 0.92 s; deleting the rows of the 80 tables the demo fills took 0.22 s with
their foreign keys checked, and finding them 0.05 s, in one query
(bench/experiments/flush_delete.py). The result is the same: every table empty, no sequence moved
(Django's flush restarts none unless asked), and `flush` still sends post_migrate. Every foreign
key Django makes on PostgreSQL is deferrable, so the deletes go in any order, checked at commit.

A table holding more than ``MOST_ROWS`` rows (a test that generated a portfolio) is cheaper to
truncate: then Django's own flush runs, as it does for `reset_sequences` and on SQLite.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush as flush_command

MOST_ROWS = 5000
_sql_flush = flush_command.sql_flush


def _filled(connection: Any, tables: list[str]) -> dict[str, int] | None:
    """The tables holding rows, with their row counts (each counted up to MOST_ROWS + 1); None
    if any holds more than MOST_ROWS."""
    if not tables:
        return {}
    quote = connection.ops.quote_name
    counts = " UNION ALL ".join(
        f"SELECT %s, (SELECT count(*) FROM (SELECT 1 FROM {quote(table)} LIMIT %s) AS r)"  # noqa: S608 (Django's own table names, quoted)
        for table in tables
    )
    params = [value for table in tables for value in (table, MOST_ROWS + 1)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({counts}) AS c WHERE c.count > 0", params)  # noqa: S608
        filled = dict(cursor.fetchall())
    return None if any(n > MOST_ROWS for n in filled.values()) else filled


def sql_flush(style: Any, connection: Any, reset_sequences: bool = True,
              allow_cascade: bool = False) -> list[str]:  # fmt: skip
    """What `flush` runs (Django's ``sql_flush``'s signature): the filled tables' rows deleted,
    or Django's own statements where deleting is not the same or not cheaper."""
    if connection.vendor != "postgresql" or reset_sequences or allow_cascade:
        return _sql_flush(style, connection, reset_sequences=reset_sequences,
                          allow_cascade=allow_cascade)  # fmt: skip
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    filled = _filled(connection, sorted(tables))
    if filled is None:
        return _sql_flush(style, connection, reset_sequences=False, allow_cascade=False)
    quote = connection.ops.quote_name
    # Never empty, even with nothing to delete: `flush` sends post_migrate only after some SQL.
    deletes = [f"DELETE FROM {quote(table)}" for table in sorted(filled)]  # noqa: S608 (as above)
    return ["SET CONSTRAINTS ALL DEFERRED", *deletes]


def delete_instead_of_truncate() -> None:
    """From now on in this process, `flush` deletes the filled tables' rows (see above)."""
    flush_command.sql_flush = sql_flush  # type: ignore[assignment]

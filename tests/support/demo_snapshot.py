"""The demo data, loaded once per test session and written back per test from a snapshot.

`load_demo` runs every service the app has (with history rows, a roll-up and password hashing)
and takes seconds; about 300 tests ask for the demo. Loading it into the test database once for
the whole session would not do: most tests expect an empty database (their own users called
`pmo` and `manager`, counts from zero). So the session loads the demo once, inside a
transaction it then rolls back, after copying every table's rows (`take`); the `demo` fixture
writes those rows back (`restore`): inside a test's transaction, so they go with its rollback,
or committed, for transactional tests (live server, real Celery workers), whose database is
flushed after each test anyway. A restore costs one DELETE per non-empty table and one bulk
write per table the demo fills (on PostgreSQL all of it in one script, one round trip): a few
hundredths of a second.

After a restore the database is exactly what `load_demo` leaves on a freshly migrated database,
ids included (the sequences are moved past them). That holds only if nothing else is in the
database yet, as when the demo is a test's first fixture: a test whose earlier fixtures have
written rows gets the demo loaded for real, as before (`restore` returns False).

The snapshot is taken inside a transaction that is never committed, as the `demo` fixture
always loaded it inside the test's own transaction: `transaction.on_commit` callbacks (e-mail
notifications, a roll-up request) do not run while it loads. What `load_demo` writes outside the
database (files, the cache) is written once, when the snapshot is taken.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[tuple]  # SQLite: the rows as the driver gives them back
    json: str = ""  # PostgreSQL: the rows as JSON, which json_populate_recordset reads back


@dataclass
class Snapshot:
    pristine: dict[str, int]  # rows per table in the migrated database, before the demo
    tables: list[Table]
    script: str = ""  # PostgreSQL: the whole restore, sent as one script (one round trip)
    restored: int = 0
    loaded_for: list[str] = field(default_factory=list)  # tests that had it loaded for real

    def demo_rows(self) -> int:
        return sum(len(table.rows) for table in self.tables)


# Tables the database writes itself, by triggers on the others (the risk counts, migration
# governance 0024): writing the others back moves them (and by a key that may not yet be
# written: the risks go back before the programmes), so they are written last, emptied first.
KEPT_BY_TRIGGERS = ("governance_risktally",)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _table_names() -> list[str]:
    names = connection.introspection.django_table_names(only_existing=True)
    return sorted(names, key=lambda name: (name in KEPT_BY_TRIGGERS, name))


def _counts(names: list[str]) -> dict[str, int]:
    # Django's own table names, quoted: nothing here comes from outside.
    union = " UNION ALL ".join(
        f"SELECT '{name}', COUNT(*) FROM {_quote(name)}"  # noqa: S608
        for name in names
    )
    with connection.cursor() as cursor:
        cursor.execute(union)
        return dict(cursor.fetchall())


def _copy(name: str) -> Table:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {_quote(name)}")  # noqa: S608 - a table name
        table = Table(name, [column[0] for column in cursor.description], cursor.fetchall())
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT json_agg(t)::text FROM {_quote(name)} t")  # noqa: S608
            table.json = cursor.fetchone()[0]
            # A generated column (the lessons' stored search words) is PostgreSQL's to write.
            cursor.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass"
                " AND attgenerated <> ''",
                [_quote(name)],
            )
            generated = {row[0] for row in cursor.fetchall()}
            table.columns = [column for column in table.columns if column not in generated]
        else:  # SQLite's generated columns (a person's display name) are its own to write too
            cursor.execute(f"PRAGMA table_xinfo({_quote(name)})")
            generated = {row[1] for row in cursor.fetchall() if row[6] in (2, 3)}
            kept = [i for i, column in enumerate(table.columns) if column not in generated]
            table.columns = [table.columns[i] for i in kept]
            table.rows = [tuple(row[i] for i in kept) for row in table.rows]
    return table


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"  # standard_conforming_strings: \\ is literal


def _postgresql_script(snapshot: Snapshot) -> str:
    """Fill the (emptied) tables and move their sequences past the ids written."""
    names = {table.name for table in snapshot.tables}
    statements = []
    for t in snapshot.tables:
        columns = ", ".join(_quote(column) for column in t.columns)
        if t.name in KEPT_BY_TRIGGERS:
            statements.append(f"DELETE FROM {_quote(t.name)}")  # noqa: S608 (as below)
        statements.append(
            f"INSERT INTO {_quote(t.name)} ({columns}) SELECT {columns} FROM "  # noqa: S608
            f"json_populate_recordset(NULL::{_quote(t.name)}, {_literal(t.json)})"
        )
    models = [model for model in apps.get_models() if model._meta.db_table in names]
    statements += connection.ops.sequence_reset_sql(no_style(), models)
    return ";\n".join(statement.rstrip(";") for statement in statements)


def take() -> Snapshot:
    """Load the demo into the (migrated, otherwise empty) test database, copy it, roll it back."""
    names = _table_names()
    with transaction.atomic():
        pristine = _counts(names)
        call_command("load_demo", quiet=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        loaded = _counts(names)
        snapshot = Snapshot(pristine, [_copy(name) for name in names if loaded[name]])
        if connection.vendor == "postgresql":
            snapshot.script = _postgresql_script(snapshot)
        transaction.set_rollback(True)
    ContentType.objects.clear_cache()
    return snapshot


def restore(snapshot: Snapshot) -> bool:
    """Make the database the demo's, or return False (and change nothing) if a table holds rows
    that are neither the migrated database's nor nothing (a flushed one's)."""
    counts = _counts(list(snapshot.pristine))
    if any(count not in (0, snapshot.pristine[name]) for name, count in counts.items()):
        return False
    # Foreign keys are DEFERRABLE INITIALLY DEFERRED (Django creates them so on both
    # databases): inside one transaction the tables can be emptied and filled in any order.
    emptied = [f"DELETE FROM {_quote(name)}" for name, count in counts.items() if count]  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(";\n".join([*emptied, snapshot.script]))
        else:
            for statement in emptied:
                cursor.execute(statement)
            for table in snapshot.tables:
                if table.name in KEPT_BY_TRIGGERS:
                    cursor.execute(f"DELETE FROM {_quote(table.name)}")  # noqa: S608
                columns = ", ".join(_quote(column) for column in table.columns)
                marks = ", ".join(["%s"] * len(table.columns))
                cursor.executemany(
                    f"INSERT INTO {_quote(table.name)} ({columns}) VALUES ({marks})",  # noqa: S608
                    table.rows,
                )
    ContentType.objects.clear_cache()  # the ids may differ from those before a flush
    snapshot.restored += 1
    return True

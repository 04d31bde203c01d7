"""Each worker's test database copied from a migrated template on PostgreSQL, instead of
migrated afresh: on a slow machine the first test of each worker waited 41-44 s for its
database, and a few seconds with the copy.

The template is `test_<name>_tpl_<key>` (``devdata.templates.migrations_key``: every migration
and the locked requirements), made by the first run that finds none, from its freshly migrated
test database, before any test has written to it. A run whose migrations match copies it
(Django's ``TEST["TEMPLATE"]``); Django's `migrate` then still runs, finds every migration
applied and changes nothing (a new migration or lock gives a new key, so a new template).
Templates of other keys are dropped. SQLite migrates as before.
"""

from __future__ import annotations

import psycopg
from django.conf import settings
from django.db import connections

from devdata.templates import migrations_key
from tests.support import workers


def _database() -> dict:
    return settings.DATABASES["default"]


def _admin() -> psycopg.Connection:
    """A connection to the server's `postgres` database, as the test database's user."""
    config = _database()
    return psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    )


_prefix = ""  # test_<name>_tpl_, from the database's own name (before Django makes it test_…)


def name() -> str:
    return _prefix + migrations_key()


def _exists(admin: psycopg.Connection, database: str) -> bool:
    row = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
    return row is not None


def use() -> None:
    """Before the test database is created: copy it from the template, if there is one."""
    global _prefix
    if _database()["ENGINE"] != "django.db.backends.postgresql":
        return
    _prefix = f"test_{_database()['NAME']}_tpl_"
    with _admin() as admin:
        if _exists(admin, name()):
            _database().setdefault("TEST", {})["TEMPLATE"] = name()


def keep() -> None:
    """After the test database is created and migrated: make it the template, if none is."""
    if not _prefix:  # not PostgreSQL
        return
    template, migrated = name(), connections["default"].settings_dict["NAME"]
    connections.close_all()  # a database is copied only while nobody is connected to it
    with _admin() as admin:
        # Another key's template, or one half built under it; never this key's (the other
        # worker may be building it under its own name right now).
        stale = admin.execute(
            "SELECT datname FROM pg_database"
            " WHERE starts_with(datname, %s) AND NOT starts_with(datname, %s)",
            [_prefix, template],
        ).fetchall()
        for (database,) in stale:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if _exists(admin, template):
            return
        # Under a name of this worker's, renamed once whole: a worker that loses the race, or
        # fails half way, leaves no template behind.
        building = f"{template}_building{workers.suffix()}"
        admin.execute(f'DROP DATABASE IF EXISTS "{building}"')
        admin.execute(f'CREATE DATABASE "{building}" TEMPLATE "{migrated}"')
        try:
            admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        except psycopg.errors.DuplicateDatabase:  # the other worker's came first
            admin.execute(f'DROP DATABASE "{building}"')


def create(database: str) -> bool:
    """Create ``database`` as a copy of this run's template, migrated (True), or empty where
    there is none (False). For tests that run a program of their own (`make serve`, `make
    backup`) against a database of their own and need its tables, not the 98 migrations run
    again: those took 60-65 s on a slow machine, and making the template runs them."""
    template = name() if _prefix else ""
    with _admin() as admin:
        copied = bool(template) and _exists(admin, template)
        source = f' TEMPLATE "{template}"' if copied else ""
        admin.execute(f'CREATE DATABASE "{database}"{source}')
    return copied

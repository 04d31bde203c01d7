"""make backup / make restore: a dump restored into a fresh database holds the same portfolio."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.support import migrated_template

ROOT = Path(__file__).resolve().parents[2]

needs_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="backup and restore need PostgreSQL (DATABASE_URL)",
)


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(  # noqa: S603
        args,
        cwd=ROOT,
        env={**clean, "DJANGO_LOG_LEVEL": "WARNING", **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result


def test_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    result = run(
        ["bin/backup"], {"DATABASE_URL": "sqlite:///var/x.sqlite3", "BACKUP_DIR": str(tmp_path)}
    )
    assert result.returncode == 2
    assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_restore_asks_first_and_changes_nothing_without_yes(tmp_path):
    dump = tmp_path / "deliveryhub-20260101T000000Z.dump"
    dump.write_bytes(b"not read")
    env = {"DATABASE_URL": "postgres://someone:s3cret@127.0.0.1:1/nowhere", "FILE": str(dump)}
    result = run(["bin/restore"], env, stdin="no\n")
    assert result.returncode == 1
    assert "This replaces everything in postgres://someone:***@127.0.0.1:1/nowhere" in result.stdout
    assert "s3cret" not in result.stdout + result.stderr
    assert "Not restored: nothing was changed." in result.stderr


def test_restore_without_a_file_says_how_to_name_one():
    result = run(["bin/restore"], {"DATABASE_URL": "postgres://127.0.0.1/x"})
    assert result.returncode == 2
    assert "make restore FILE=" in result.stderr


class ScratchDatabases:
    """Fresh databases beside the test database, dropped at the end whatever happens."""

    def __init__(self) -> None:
        self.db = connection.settings_dict
        self.names: list[str] = []

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(
            host=self.db["HOST"] or None,
            port=self.db["PORT"] or None,
            user=self.db["USER"] or None,
            password=self.db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )

    def create(self, label: str, migrated: bool = False) -> str:
        """An empty database, or (``migrated``) a copy of the suite's migrated template."""
        name = f"deliveryhub_reliability_{label}_{uuid.uuid4().hex[:8]}"
        self.names.append(name)
        if migrated:
            migrated_template.create(name)
        else:
            with self._admin() as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
        auth = self.db["USER"] + (f":{self.db['PASSWORD']}" if self.db["PASSWORD"] else "")
        host = self.db["HOST"] or "127.0.0.1"
        return f"postgres://{auth}@{host}:{self.db['PORT'] or 5432}/{name}"

    def drop_all(self) -> None:
        with self._admin() as admin:
            for name in self.names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch(django_db_setup):  # after the test databases: the migrated template is made
    databases = ScratchDatabases()
    try:
        yield databases
    finally:
        databases.drop_all()


def fingerprint(url: str) -> str:
    return ok(
        run([sys.executable, "-m", "tests.security.fingerprint"], {"DATABASE_URL": url})
    ).stdout


@needs_postgres
def test_a_backup_restored_into_a_fresh_database_holds_the_same_portfolio(scratch, tmp_path):
    import json

    source = scratch.create("source", migrated=True)
    ok(run([sys.executable, "manage.py", "migrate", "--noinput"], {"DATABASE_URL": source}))
    ok(run([sys.executable, "manage.py", "load_demo"], {"DATABASE_URL": source}))

    backup = ok(run(["bin/backup"], {"DATABASE_URL": source, "BACKUP_DIR": str(tmp_path)}))
    dump = Path(backup.stdout.strip())
    assert dump.parent == tmp_path
    assert dump.name.startswith("deliveryhub-")
    assert dump.suffix == ".dump"
    assert dump.stat().st_size > 10_000

    target = scratch.create("restored")
    restored = ok(run(["bin/restore", str(dump)], {"DATABASE_URL": target, "CONFIRM": "yes"}))
    assert f"Restored {dump}" in restored.stdout

    before, after = json.loads(fingerprint(source)), json.loads(fingerprint(target))
    for label in ["portfolio.Programme", "governance.Risk", "benefits.BenefitProfile"]:
        assert before[label]["count"] > 0, f"the demo data has no {label} rows to compare"
    assert "governance.Decision" in before
    assert after == before

    # Restoring again over a database that already holds the portfolio replaces it cleanly.
    ok(run(["bin/restore", str(dump)], {"DATABASE_URL": target, "CONFIRM": "yes"}))
    assert json.loads(fingerprint(target)) == before

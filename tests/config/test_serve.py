"""`make serve`: the production stack (gunicorn, Celery worker and beat) against the local
PostgreSQL and Redis, with DEBUG off; /healthz reports all three parts up."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import migrated_template, workers

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not (DATABASE_URL.startswith("postgres") and REDIS_URL),
    reason="make serve needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def serve_database(django_db_setup):
    """A database of its own, copied from the suite's migrated template (after the test
    databases are made, so there is one): `make serve` runs `migrate`, which finds the
    migrations applied; running them all again is what making the template did."""
    import psycopg

    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    name = "deliveryhub_serve_test" + workers.suffix()  # its own under pytest-xdist
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    migrated_template.create(name)
    yield DATABASE_URL.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_make_serve_runs_the_production_stack_and_healthz_is_up(serve_database):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": serve_database,
        "DJANGO_SECRET_KEY": "serve-test-" + "s3cr3t-" * 8,
        "PORT": str(port),
    }
    process = subprocess.Popen(  # noqa: S603 - our own script
        [str(ROOT / "bin" / "serve")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )
    try:
        body, status = "", 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    status, body = r.status, r.read().decode()
                if '"broker": "up"' in body:
                    break
            except OSError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(1)
        assert status == 200, body
        assert '"status": "ok"' in body
        assert '"database": "up (postgresql)"' in body
        assert '"cache": "up"' in body
        assert '"broker": "up"' in body
        login = urllib.request.Request(
            f"http://127.0.0.1:{port}/accounts/login/", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(login, timeout=5) as r:  # noqa: S310
            page = r.read().decode()
            assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
            assert "Sign in to Delivery Hub" in page
            assert r.headers["X-Frame-Options"] == "DENY"
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)

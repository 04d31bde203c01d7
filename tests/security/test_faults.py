"""Faults injected into a running app: Redis killed, the database connection dropped mid-request.

Both need the production backing services (DATABASE_URL on PostgreSQL, REDIS_URL) and are
skipped without them.
"""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings

from accounts.models import FailedSignIn
from accounts.roles import Role
from devdata import loader
from tests.security import fault_urls, figures

needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL or not shutil.which("redis-server"),
    reason="the Redis fault test needs REDIS_URL and redis-server",
)
needs_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the database fault test needs PostgreSQL (DATABASE_URL)",
)

FAULT_PORTS = range(6390, 6400)


def wait_for(condition, timeout: float = 10.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    for port in FAULT_PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail("no free port in 6390-6399 for the second Redis")


@pytest.fixture
def second_redis() -> Iterator[tuple[int, subprocess.Popen]]:
    """A throwaway redis-server on its own port; killed at the end whatever happens."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            shutil.which("redis-server") or "redis-server",
            "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "no",
            "--save", "", "--appendonly", "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert wait_for(lambda: answers(port)), f"the second Redis did not start on {port}"
        yield port, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@pytest.fixture
def app_on_second_redis(second_redis):
    """Point the cache and the Celery broker at the second Redis; restore afterwards."""
    from config.celery import app

    port, process = second_redis
    url = f"redis://127.0.0.1:{port}/0"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    try:
        with override_settings(CACHES=caches, CELERY_TASK_ALWAYS_EAGER=False):
            yield port, process
    finally:
        app.conf.update(saved)
        # Drop the pools that point at the killed Redis (a force-closed pool is never reopened):
        # the next use builds fresh ones for the restored broker.
        app._pool = None
        app.amqp._producer_pool = None


@needs_redis
@pytest.mark.django_db
def test_redis_killed_pages_render_sign_in_works_and_healthz_names_cache_and_broker(
    app_on_second_redis, make_user, demo
):
    port, process = app_on_second_redis
    client = Client()
    before = client.get("/healthz")
    assert before.status_code == 200, before.json()
    assert before.json()["broker"] == "up"

    process.kill()
    process.wait(timeout=10)
    assert wait_for(lambda: not answers(port)), "Redis is still answering"
    figures.faults_injected.append("Redis killed")

    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "down: cache, broker"
    assert body["database"].startswith(
        "up (postgresql)" if connection.vendor == "postgresql" else "up"
    )
    assert body["cache"].startswith("down:")
    assert body["broker"].startswith("down:")

    client.force_login(make_user(Role.PMO, username="pmo-in-a-fault"))
    for path, text in [
        ("/", "Where are we?"),
        ("/programmes/", "Programmes"),
        ("/programmes/commercial/", "Commercial"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert text in response.content.decode()

    # The database still answers and still takes writes: a failed sign-in is recorded (the
    # throttle lives in the database), and a sign-in saves its session.
    anonymous = Client()
    anonymous.post("/accounts/login/", {"username": "pmo", "password": "wrong"})
    assert FailedSignIn.objects.filter(username="pmo").count() == 1
    signed_in = anonymous.post(
        "/accounts/login/",
        {"username": "pmo", "password": loader.entry("people", "people")["password"]},
    )
    assert signed_in.status_code == 302
    assert anonymous.get("/programmes/").status_code == 200


def terminate_from_a_second_connection(pid: int) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        # With a timeout, pg_terminate_backend waits until the backend has gone.
        assert other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]


@needs_postgres
@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF="tests.security.fault_urls")
def test_database_connection_dropped_mid_request_gives_the_503_page_and_no_partial_write(
    make_user, monkeypatch
):
    monkeypatch.setattr(fault_urls, "terminate_backend", terminate_from_a_second_connection)
    client = Client()
    client.force_login(make_user(Role.PMO))

    response = client.post("/fault/write/")
    figures.faults_injected.append("database connection terminated mid-request")

    text = response.content.decode()
    assert response.status_code == 503
    assert "Delivery Hub cannot reach its database" in text
    assert "Traceback" not in text
    connection.close()  # the request's connection is dead; the next query opens a new one
    assert not FailedSignIn.objects.filter(username__startswith="fault-").exists()


# --- a worker dying in the middle of the roll-up's write ------------------------------------------


class WorkerKilled(Exception):
    """Stands in for the Celery worker dying after the snapshot row is written."""


@pytest.mark.django_db
def test_a_roll_up_that_dies_mid_write_leaves_nothing_half_written_and_a_retry_matches(
    demo, monkeypatch
):
    from benefits import rollup
    from benefits.models import RollupRow, RollupSnapshot

    RollupSnapshot.objects.all().delete()
    clean = rollup.rollup_run()  # the figures a clean run gives
    clean_rows = sorted(RollupRow.objects.filter(snapshot=clean).values_list(*ROW_FIELDS), key=repr)
    RollupSnapshot.objects.all().delete()

    def die(*args, **kwargs):
        assert RollupSnapshot.objects.exists()  # the snapshot row is written: now die
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(RollupRow.objects, "bulk_create", die)
        with pytest.raises(WorkerKilled):
            rollup.rollup_run()
    figures.faults_injected.append("roll-up failing mid-write (exception)")
    assert not RollupSnapshot.objects.exists()  # nothing half-written is visible
    assert not RollupRow.objects.exists()

    retried = rollup.rollup_run()
    assert retried.content_hash == clean.content_hash
    assert retried.payload == clean.payload
    retried_rows = sorted(
        RollupRow.objects.filter(snapshot=retried).values_list(*ROW_FIELDS), key=repr
    )
    assert retried_rows == clean_rows


ROW_FIELDS = (
    "portfolio_id", "programme_id", "directorate_id", "category", "mtfp_line_id",
    "financial_year", "target", "planned", "forecast", "actual", "variance", "budget", "spend",
)  # fmt: skip


@needs_redis
@pytest.mark.django_db
def test_redis_killed_a_profile_edit_saves_the_roll_up_is_pending_and_catches_up_after(
    app_on_second_redis, demo, django_capture_on_commit_callbacks
):
    from accounts.models import User
    from benefits import rollup
    from benefits.models import Benefit, RollupState

    port, process = app_on_second_redis
    before = rollup.rollup_run()
    benefit = Benefit.objects.get(programme__slug="finance", type="cashable_saving")
    process.kill()
    process.wait(timeout=10)
    assert wait_for(lambda: not answers(port)), "Redis is still answering"
    figures.faults_injected.append("Redis killed during a benefit edit")

    client = Client()
    client.force_login(User.objects.get(username="manager"))
    grid = {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000", "form-0-financial_year": "2019/20",
        "form-0-planned": "180000", "form-0-forecast": "180000", "form-0-actual": "91234.50",
    }  # fmt: skip
    url = f"/programmes/finance/benefits/{benefit.pk}/profile/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, grid)
    assert response.status_code == 302  # the edit saved although the roll-up could not be queued
    assert str(benefit.profile.get(financial_year=2019).actual) == "91234.50"
    assert RollupState.objects.get(pk=1).pending is True

    # Redis is back (the worker runs again): the next run clears the flag with the new totals.
    after = rollup.rollup_run()
    assert RollupState.objects.get(pk=1).pending is False
    assert after.content_hash != before.content_hash
    assert after.payload == rollup.rollup_compute().payload

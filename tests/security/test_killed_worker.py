"""A real Celery worker SIGKILLed in the middle of the roll-up and of a report build: nothing
half-written is visible, the task is delivered again and the result equals a clean run's.

Two ways a worker dies, each tested for both tasks:

- ``pool process``: the prefork pool's child running the task is killed (what the OOM killer
  does). The worker itself lives on and, with acks_late and reject_on_worker_lost
  (config/settings.py), puts the message back on the queue at once; a new child runs it.
- ``whole worker``: the worker process is killed (a container or machine gone). Nothing is left
  to put the message back: it stays unacknowledged on Redis until a worker's restore sweep hands
  it out again, visibility_timeout after it was delivered (ten minutes in production). The
  second worker this test starts uses a 2-second timeout so the test is quick; that shortcut is
  the only difference from production.

The worker runs tests/support/killable_worker.py, which pauses once at a known step (inside the
task's final transaction) and writes a marker file; the test then kills it. Needs PostgreSQL and
Redis (the worker is another process, so it must share a real database with the test).
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.security import figures

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.REDIS_URL
        or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="a killed worker needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): the worker "
        "is another process, and SQLite in a test transaction cannot be shared with it",
    ),
]

KILLS = ["pool process", "whole worker"]
START_TIMEOUT = 60  # seconds for a worker to reach the pause
FINISH_TIMEOUT = 90  # seconds for the retry to finish
ROW_FIELDS = (
    "portfolio_id", "programme_id", "directorate_id", "category", "mtfp_line_id",
    "financial_year", "target", "planned", "forecast", "actual", "variance", "budget", "spend",
)  # fmt: skip


def wait_for(condition: Callable[[], Any], timeout: float, what: str, logs: list[Path]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    tails = "\n".join(f"--- {log}\n{log.read_text()[-4000:]}" for log in logs if log.exists())
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{tails}")


class Workers:
    """Starts killable workers against the test database; kills them all at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }

    def start(self, *args: str) -> subprocess.Popen:
        log = self.tmp_path / f"worker-{len(self.processes) + 1}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "tests.support.killable_worker", *args],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed with its children
            )
        self.processes.append(process)
        self.logs.append(log)
        return process

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path, settings, monkeypatch) -> Iterator[Workers]:
    """The Celery app of this process publishes to Redis (no eager runs) from fresh pools; the
    queue starts empty; the workers are killed at the end whatever happens."""
    from config.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", settings.REDIS_URL)
    app._pool = None
    app.amqp._producer_pool = None
    app.control.purge()
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.kill_all()
        app.control.purge()
        app._pool = None
        app.amqp._producer_pool = None


def kill_mid_task(
    workers: Workers,
    step: str,
    kill: str,
    enqueue: Callable[[], None],
    nothing_half_written: Callable[[], None],
) -> None:
    """Enqueue the task, let a worker reach ``step`` (inside the task's final transaction) and
    SIGKILL it there. ``nothing_half_written`` runs while the worker is paused and, when the whole
    worker is killed, again after the kill (a killed pool process is retried at once)."""
    marker = workers.tmp_path / f"paused-at-{step}"
    pool = "prefork" if kill == "pool process" else "solo"
    first = workers.start("--pause-at", step, "--marker", str(marker), "--pool", pool)
    enqueue()
    pid = int(
        wait_for(
            lambda: marker.exists() and marker.read_text(),
            START_TIMEOUT,
            f"the worker to pause in the {step}",
            workers.logs,
        )
    )
    nothing_half_written()
    if kill == "whole worker":
        assert pid == first.pid  # the solo pool runs the task in the worker process itself
    else:
        assert pid != first.pid  # a prefork child
    os.kill(pid, signal.SIGKILL)
    figures.faults_injected.append(f"Celery {kill} SIGKILLed mid-{step}")
    if kill == "whole worker":
        first.wait(timeout=10)
        # Kombu's Redis transport does not give a dead worker's message back when its connection
        # drops: the message waits in the "unacked" hash, not in the queue, for a restore sweep.
        broker = redis.Redis.from_url(settings.REDIS_URL)
        assert broker.llen("celery") == 0
        assert broker.hlen("unacked") >= 1
        time.sleep(1)  # the database has ended the dead worker's session
        nothing_half_written()


def start_the_retry(workers: Workers, step: str, kill: str) -> None:
    """After a pool process is killed its worker retries by itself; after the whole worker is
    killed, a new worker (otherwise unpatched) picks the message up once it is visible again."""
    if kill == "whole worker":
        workers.start("--pause-at", step, "--marker", str(workers.tmp_path / f"paused-at-{step}"),
                      "--visibility-timeout", "2")  # fmt: skip


# --- the roll-up -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill", KILLS)
def test_a_worker_killed_mid_roll_up_leaves_nothing_half_written_and_the_retry_matches(
    workers, kill
):
    from benefits.models import RollupRow, RollupSnapshot
    from benefits.rollup import rollup_compute
    from benefits.tasks import rollup_run_task
    from tests.benefits.factories import BenefitFactory, BenefitProfileFactory, OneOffCostFactory

    for year in (2020, 2021):
        benefit = BenefitFactory()
        BenefitProfileFactory(benefit=benefit, financial_year=year)
        OneOffCostFactory(programme=benefit.programme, financial_year=year)
    clean = rollup_compute()  # what a clean run stores
    assert clean.rows
    assert not RollupSnapshot.objects.exists()

    def nothing_half_written() -> None:
        # The run had inserted the snapshot and its rows in its transaction: none is visible.
        assert not RollupSnapshot.objects.exists()
        assert not RollupRow.objects.exists()

    kill_mid_task(
        workers, "rollup", kill, enqueue=rollup_run_task.delay,
        nothing_half_written=nothing_half_written,
    )  # fmt: skip

    start_the_retry(workers, "rollup", kill)
    snapshot = wait_for(
        lambda: RollupSnapshot.objects.first(),
        FINISH_TIMEOUT,
        "the retried roll-up's snapshot",
        workers.logs,
    )
    assert RollupSnapshot.objects.count() == 1
    assert snapshot.content_hash == clean.content_hash
    assert snapshot.payload == clean.payload
    stored = sorted(snapshot.rows.values_list(*ROW_FIELDS), key=repr)
    assert stored == sorted(map(as_stored, clean.rows), key=repr)


def as_stored(row: dict[str, Any]) -> tuple[Any, ...]:
    """A computed roll-up row as RollupRow holds it (see benefits.rollup.rollup_run)."""
    values = {**row, "category": row["category"] or ""}
    return tuple(values[name.removesuffix("_id")] for name in ROW_FIELDS)


# --- the quarterly report --------------------------------------------------------------------


def xlsx_cells(version: Any) -> dict[str, list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    with version.xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill", KILLS)
def test_a_worker_killed_mid_report_leaves_no_half_stored_version_and_the_retry_matches(
    demo, workers, kill, monkeypatch
):
    from django.test import Client

    from accounts.models import User
    from config.celery import app
    from reports import services
    from reports.models import QuarterlyReport, ReportVersion, VersionStatus

    pmo = User.objects.get(username="pmo")
    report = QuarterlyReport.objects.get(financial_year=2019, quarter_number=4)
    assert not report.versions.exists()

    # A clean run, in this process.
    with monkeypatch.context() as eager:
        eager.setitem(app.conf, "task_always_eager", True)
        clean, _ = services.report_generate(report=report, actor=pmo)
    clean.refresh_from_db()
    assert clean.status == VersionStatus.GENERATED

    client = Client()
    client.force_login(pmo)
    version: list[ReportVersion] = []

    def nothing_half_written() -> None:
        # The build had saved both files and the version as generated, uncommitted: the version
        # is still running, with no data and no files; nothing to download, nothing published.
        running = ReportVersion.objects.get(pk=version[0].pk)
        assert running.status in {VersionStatus.QUEUED, VersionStatus.GENERATING}
        assert running.data is None
        assert not running.pdf.name
        assert not running.xlsx.name
        assert client.get(f"/reports/2019-20-q4/v{running.number}/xlsx/").status_code == 404
        assert not report.versions.filter(status=VersionStatus.PUBLISHED).exists()

    kill_mid_task(
        workers,
        "report",
        kill,
        enqueue=lambda: version.append(services.report_generate(report=report, actor=pmo)[0]),
        nothing_half_written=nothing_half_written,
    )
    retried = version[0]

    start_the_retry(workers, "report", kill)
    wait_for(
        lambda: ReportVersion.objects.get(pk=retried.pk).status == VersionStatus.GENERATED,
        FINISH_TIMEOUT,
        "the retried report build",
        workers.logs,
    )
    retried.refresh_from_db()
    assert retried.data == clean.data
    assert xlsx_cells(retried) == xlsx_cells(clean)
    assert client.get(f"/reports/2019-20-q4/v{retried.number}/xlsx/").status_code == 200

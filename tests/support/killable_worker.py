"""A Celery worker for tests that stops once in the middle of a task, so a test can kill it at a
known point.

    python -m tests.support.killable_worker --pause-at rollup --marker /tmp/x/paused [--pool solo]

``--pause-at`` names the step (see STEPS); the first time the worker reaches it, it writes the
marker file (the id of the process running the task, which the test kills) and sleeps. Once the
marker exists the step runs straight through, so the retry completes. Without ``--pause-at`` it
is a plain worker. ``--visibility-timeout`` shortens how long Redis waits before handing out a
message a dead worker left unacknowledged (and sweeps for them every second).

The patches live in this process only: production code has no test hooks.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAUSE_SECONDS = 120


def pause_once(marker: Path) -> None:
    if marker.exists():
        return
    marker.write_text(str(os.getpid()))
    time.sleep(PAUSE_SECONDS)  # the test kills this process long before


def after(original: Callable[..., Any], marker: Path) -> Callable[..., Any]:
    def step(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        pause_once(marker)
        return result

    return step


def pause_in_rollup(marker: Path) -> None:
    """Inside the roll-up's write transaction: the snapshot and its rows are inserted, not
    committed."""
    from benefits.models import RollupRow

    manager = RollupRow.objects
    manager.bulk_create = after(manager.bulk_create, marker)


def pause_in_report(marker: Path) -> None:
    """Inside the report build's last transaction: both files are in storage and the version row
    is saved as generated (data, file names, hashes), not committed."""
    from reports.models import ReportVersion

    ReportVersion.save = after(ReportVersion.save, marker)


def pause_in_delivery(marker: Path) -> None:
    """Inside an outbox delivery's transaction: the row is locked and its attempt counted, not
    committed; the email is not yet handed to the mail server."""
    from notifications import delivery

    original = delivery._send_email

    def step(row: Any) -> None:
        pause_once(marker)
        original(row)

    delivery._send_email = step


STEPS = {"rollup": pause_in_rollup, "report": pause_in_report, "deliver": pause_in_delivery}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pause-at", choices=sorted(STEPS))
    parser.add_argument("--marker", type=Path)
    parser.add_argument("--pool", choices=["solo", "prefork"], default="solo")
    parser.add_argument("--visibility-timeout", type=int)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.celery import app

    if args.pause_at:
        STEPS[args.pause_at](args.marker)
    if args.visibility_timeout is not None:
        app.conf.broker_transport_options = {
            **app.conf.broker_transport_options,
            "visibility_timeout": args.visibility_timeout,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }
    app.worker_main(
        [
            "worker", "--pool", args.pool, "--concurrency", "1", "--loglevel", "INFO",
            "--without-mingle", "--without-gossip", "--without-heartbeat",
            "--hostname", f"killable-{os.getpid()}@%h",
        ]
    )  # fmt: skip


if __name__ == "__main__":
    main()

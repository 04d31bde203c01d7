"""Celery tasks: thin wrappers that take no objects and call one service."""

from celery import shared_task

from . import rollup


@shared_task(name="benefits.rollup_run", ignore_result=True)
def rollup_run_task() -> int:
    """Run the whole roll-up ("Recalculate now"); returns the id of the snapshot now current."""
    return rollup.rollup_run().pk


@shared_task(name="benefits.rollup_refresh", ignore_result=True)
def rollup_refresh_task() -> int | None:
    """Take in the changes marked since the last run (services.rollup_request asks for it)."""
    snapshot = rollup.rollup_refresh()
    return snapshot.pk if snapshot else None


@shared_task(name="benefits.rollup_nightly", ignore_result=True)
def rollup_nightly_task() -> int:
    """The nightly full run, which first asserts that the incremental state equals it (and
    fails, after storing the full run's figures, when it does not)."""
    return rollup.rollup_nightly().pk

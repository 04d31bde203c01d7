"""Celery tasks: thin wrappers that take no objects and call one service."""

from celery import shared_task

from . import rollup


@shared_task(name="benefits.rollup_run", ignore_result=True)
def rollup_run_task() -> int:
    """Run the roll-up; returns the id of the snapshot now current."""
    return rollup.rollup_run().pk

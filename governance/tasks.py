"""Celery tasks of governance: each calls one function."""

from __future__ import annotations

from celery import shared_task

from . import imports, reminders, tallies


@shared_task(name="governance.reminder_run")
def reminder_run() -> int:
    return reminders.reminder_run()


@shared_task(name="governance.raid_import", ignore_result=True, acks_late=True)
def raid_import_task(import_pk: int) -> str:
    """Check and import one kept RAID spreadsheet; returns the import's status."""
    return imports.raid_import_run(import_pk=import_pk).status


@shared_task(name="governance.tally_check")
def tally_check() -> int:
    """The nightly check of the risk counts the database keeps against a recount."""
    return tallies.tally_check()

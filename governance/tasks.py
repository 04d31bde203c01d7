"""Celery tasks of governance: each calls one function."""

from __future__ import annotations

from celery import shared_task

from . import reminders


@shared_task(name="governance.reminder_run")
def reminder_run() -> int:
    return reminders.reminder_run()

"""Celery tasks of the outbox: each takes primary keys (or nothing) and calls one function."""

from __future__ import annotations

from celery import shared_task

from . import delivery, digests


@shared_task(name="notifications.deliver")
def deliver(pk: int) -> str:
    return delivery.deliver(pk)


@shared_task(name="notifications.sweep")
def sweep() -> int:
    return delivery.sweep()


@shared_task(name="notifications.digests")
def digest_run() -> int:
    return digests.digest_run()

"""Celery tasks: thin wrappers that take primary keys and call one function."""

from celery import shared_task

from . import run


@shared_task(name="onboarding.upload_check", ignore_result=True, acks_late=True)
def upload_check(upload_pk: int) -> str:
    """Check one onboarding upload; returns its status."""
    return run.upload_check(upload_pk=upload_pk).status


@shared_task(name="onboarding.upload_confirm", ignore_result=True, acks_late=True)
def upload_confirm(upload_pk: int) -> str:
    """Import one confirmed onboarding upload; returns its status."""
    return run.upload_confirm(upload_pk=upload_pk).status

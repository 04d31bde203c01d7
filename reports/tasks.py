"""Celery tasks: thin wrappers that take no objects and call one service."""

from celery import shared_task

from . import build


@shared_task(name="reports.report_build", ignore_result=True, acks_late=True)
def report_build(version_pk: int) -> str:
    """Build one quarterly report version; returns its status."""
    return build.report_build(version_pk=version_pk).status

"""Celery tasks: thin wrappers that take no objects and call one service.

A build's task is delivered again if its worker died (acks_late) and takes its document over;
another task that finds the document being generated retries once that build's claim has lapsed
(background.build_wait), so a document is never built twice at once."""

from typing import Any

from celery import Task, shared_task

from . import boardpacks, build, deepdive
from .background import build_wait

BUILD = {"bind": True, "ignore_result": True, "acks_late": True, "max_retries": 3}


def _id(task: Task) -> str:
    """This task's id: the same on every delivery of its message."""
    return str(task.request.id or "")


def _finished(task: Task, row: Any) -> str:
    wait = build_wait(row)
    if wait is not None and not task.request.is_eager:
        raise task.retry(countdown=wait)
    return str(row.status)


@shared_task(name="reports.report_build", **BUILD)
def report_build(self: Task, version_pk: int) -> str:
    """Build one quarterly report version; returns its status."""
    return _finished(self, build.report_build(version_pk=version_pk, task_id=_id(self)))


@shared_task(name="reports.deep_dive_build", **BUILD)
def deep_dive_build(self: Task, pack_pk: int) -> str:
    """Build one programme's deep-dive pack; returns its status."""
    return _finished(self, deepdive.deep_dive_build(pack_pk=pack_pk, task_id=_id(self)))


@shared_task(name="reports.board_pack_pdf_build", **BUILD)
def board_pack_pdf_build(self: Task, pdf_pk: int) -> str:
    """Build one board pack PDF; returns its status."""
    return _finished(self, boardpacks.board_pack_pdf_build(pdf_pk=pdf_pk, task_id=_id(self)))

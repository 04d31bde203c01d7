"""Celery tasks: thin wrappers that take no objects and call one service."""

from celery import shared_task

from . import boardpacks, build, deepdive


@shared_task(name="reports.report_build", ignore_result=True, acks_late=True)
def report_build(version_pk: int) -> str:
    """Build one quarterly report version; returns its status."""
    return build.report_build(version_pk=version_pk).status


@shared_task(name="reports.deep_dive_build", ignore_result=True, acks_late=True)
def deep_dive_build(pack_pk: int) -> str:
    """Build one programme's deep-dive pack; returns its status."""
    return deepdive.deep_dive_build(pack_pk=pack_pk).status


@shared_task(name="reports.board_pack_pdf_build", ignore_result=True, acks_late=True)
def board_pack_pdf_build(pdf_pk: int) -> str:
    """Build one board pack PDF; returns its status."""
    return boardpacks.board_pack_pdf_build(pdf_pk=pdf_pk).status

"""Big documents are never built twice (issue 22): every task's time limit is below the broker's
visibility_timeout, so Redis never hands out a task that is still running; and a second delivery
of a build task (a worker died, the message came back) finds its document's state and leaves a
generated or generating document alone."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from reports import boardpacks, tasks
from reports.background import build_wait
from reports.models import BoardPackPdf, VersionStatus
from tests.governance.factories import build_logs_world
from tests.reports.test_reports import media  # noqa: F401


def test_every_task_is_stopped_before_the_broker_would_hand_it_out_again():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility
    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert any(t.name == "reports.report_build" for t in ours)
    for task in ours:
        hard = task.time_limit or app.conf.task_time_limit
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        assert soft < hard < visibility, task.name


@pytest.fixture
def queued(make_user, db):
    world = build_logs_world(make_user)
    return BoardPackPdf.objects.create(
        board=world["boards"]["delivery"], number=1, requested_by=world["people"]["pmo"]
    )


@pytest.mark.usefixtures("media")
def test_a_second_delivery_of_a_generated_pdf_builds_nothing(queued):
    first = boardpacks.board_pack_pdf_build(pdf_pk=queued.pk)
    assert first.status == VersionStatus.GENERATED, first.error
    again = boardpacks.board_pack_pdf_build(pdf_pk=queued.pk)
    assert (again.pdf.name, again.generated_at) == (first.pdf.name, first.generated_at)
    assert build_wait(again) is None


@pytest.mark.usefixtures("media")
def test_another_task_finding_the_pdf_generating_waits_for_that_build_and_builds_nothing(queued):
    started = timezone.now() - timedelta(seconds=60)
    BoardPackPdf.objects.filter(pk=queued.pk).update(
        status=VersionStatus.GENERATING, started_at=started, progress=40, build_task_id="first"
    )
    row = boardpacks.board_pack_pdf_build(pdf_pk=queued.pk, task_id="second")
    assert (row.status, row.progress, row.started_at, row.pdf.name) == (
        VersionStatus.GENERATING, 40, started, ""
    )  # fmt: skip
    # The task retries once the running build's claim lapses: the hard limit after its start.
    wait = build_wait(row)
    assert settings.CELERY_TASK_TIME_LIMIT - 60 < wait <= settings.CELERY_TASK_TIME_LIMIT - 59


@pytest.mark.usefixtures("media")
def test_the_same_task_delivered_again_takes_its_build_over_and_finishes_it(queued):
    """The broker hands a message out again only once its earlier run is over (the pool process
    died, or visibility_timeout passed: above every hard time limit)."""
    started = timezone.now() - timedelta(seconds=5)
    BoardPackPdf.objects.filter(pk=queued.pk).update(
        status=VersionStatus.GENERATING, started_at=started, progress=40, build_task_id="first"
    )
    row = boardpacks.board_pack_pdf_build(pdf_pk=queued.pk, task_id="first")
    assert (row.status, row.progress) == (VersionStatus.GENERATED, 100), row.error


@pytest.mark.usefixtures("media")
def test_a_build_abandoned_past_the_hard_time_limit_is_taken_over_and_finished(queued):
    dead = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 5)
    BoardPackPdf.objects.filter(pk=queued.pk).update(
        status=VersionStatus.GENERATING, started_at=dead, progress=40
    )
    row = boardpacks.board_pack_pdf_build(pdf_pk=queued.pk)
    assert (row.status, row.progress) == (VersionStatus.GENERATED, 100), row.error
    assert row.started_at > dead


@pytest.mark.usefixtures("media")
def test_the_task_run_twice_builds_one_pdf(queued):
    assert tasks.board_pack_pdf_build.apply(args=[queued.pk]).get() == VersionStatus.GENERATED
    name = BoardPackPdf.objects.get().pdf.name
    assert tasks.board_pack_pdf_build.apply(args=[queued.pk]).get() == VersionStatus.GENERATED
    assert BoardPackPdf.objects.get().pdf.name == name

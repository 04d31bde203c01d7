"""Every kind of background work asked for in a request, with the broker down: the request
succeeds, and the row it made says the work could not be queued and why (core/queueing.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from governance import services as governance
from governance.models import ImportStatus
from onboarding import services as onboarding
from onboarding.models import UploadStatus
from portfolio.periods import Quarter
from reports import services as reports
from reports.models import VersionStatus
from tests.governance.factories import build_logs_world

pytestmark = pytest.mark.django_db


def _down(pk):
    raise ConnectionError("broker unreachable")


def _report(world):
    report = reports.report_start(
        quarter=Quarter.from_date(timezone.localdate()), actor=world["people"]["pmo"]
    )
    version, _ = reports.report_generate(report=report, actor=world["people"]["pmo"])
    return (
        version,
        lambda v: (v.status, v.error),
        (VersionStatus.FAILED, "The report could not be queued (ConnectionError). Try again."),
    )


def _deep_dive(world):
    pack, _ = reports.deep_dive_request(programme=world["programme"], actor=world["people"]["pmo"])
    return (
        pack,
        lambda p: (p.status, p.error),
        (VersionStatus.FAILED, "The pack could not be queued (ConnectionError). Try again."),
    )


def _board_pack(world):
    pdf, _ = reports.board_pack_pdf_request(
        board=world["boards"]["delivery"], actor=world["people"]["pmo"]
    )
    return (
        pdf,
        lambda p: (p.status, p.error),
        (VersionStatus.FAILED, "The PDF could not be queued (ConnectionError). Try again."),
    )


def _raid_import(world):
    row = governance.raid_import_request(
        programme=world["programme"], upload=SimpleUploadedFile("raid.xlsx", b"PK"),
        actor=world["people"]["manager"],
    )  # fmt: skip
    return (
        row,
        lambda r: (r.status, r.errors, bytes(r.content or b"")),
        (
            ImportStatus.FAILED,
            ["The import could not be started (ConnectionError): try again."],
            b"",
        ),
    )


def _onboarding(world):
    upload = onboarding.onboarding_upload(
        file=SimpleUploadedFile("onboarding.xlsx", b"PK"), actor=world["people"]["pmo"]
    )
    return (
        upload,
        lambda u: (u.status, u.failure),
        (
            UploadStatus.FAILED,
            "The work could not be queued (ConnectionError): nothing was imported. Try again in a "
            "few minutes.",
        ),
    )


# Each request's task, as the service module that queues it names it.
TASKS = (
    "reports.services.report_build",
    "reports.services.deep_dive_build",
    "reports.services.board_pack_pdf_build",
    "governance.services.raid_import_task",
    "onboarding.tasks.upload_check",
)


@pytest.mark.parametrize("ask", [_report, _deep_dive, _board_pack, _raid_import, _onboarding])
def test_with_the_broker_down_the_row_says_so_and_the_request_succeeds(
    ask, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    world = build_logs_world(make_user)
    for task in TASKS:
        monkeypatch.setattr(f"{task}.delay", _down)
    with django_capture_on_commit_callbacks(execute=True):
        row, state, expected = ask(world)
    row.refresh_from_db()
    assert state(row) == expected

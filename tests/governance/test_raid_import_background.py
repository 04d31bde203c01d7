"""A large RAID spreadsheet is checked and imported by a Celery worker (eager here, on SQLite or
without Redis) while its page shows the progress: all or nothing, as within a request."""

import pytest
from django.urls import reverse

from governance import imports
from governance import views as governance_views
from governance.models import ImportStatus, RaidImport, Risk
from tests.governance.test_import_export import URL, row, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def background(monkeypatch):
    """Every file counts as large: checked in the background."""
    monkeypatch.setattr(governance_views, "BACKGROUND_BYTES", 0)


@pytest.fixture
def manager_client(logs_world, client_as):
    return client_as(logs_world["people"]["manager"])


def _status_url(job: RaidImport) -> str:
    return reverse("governance:raid_import_status", args=[job.programme.slug, job.pk])


def test_a_large_file_is_imported_in_the_background(
    background, logs_world, manager_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(URL, {"file": workbook([row(), row(Title="Second risk")])})
    job = RaidImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _status_url(job)
    assert job.status == ImportStatus.IMPORTED
    assert (job.risks, job.progress, bytes(job.content)) == (2, 100, b"")  # file not kept
    risks = Risk.objects.filter(programme=logs_world["programme"])
    assert sorted(r.title for r in risks) == ["Second risk", "Supplier capacity"]
    manager = logs_world["people"]["manager"]
    assert {h.history_user for h in Risk.history.filter(title="Second risk")} == {manager}
    page = manager_client.get(_status_url(job)).content.decode()
    assert "2 risks imported" in page
    assert "hx-trigger" not in page  # finished: nothing left to poll


def test_a_large_file_with_a_bad_row_imports_nothing_and_lists_every_problem(
    background, logs_world, manager_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(URL, {"file": workbook([row(), row(**{"Inherent impact": 9})])})
    job = RaidImport.objects.get()
    assert job.status == ImportStatus.FAILED
    assert job.errors == [
        "Row 3, column Inherent impact: must be a whole number from 1 to 5 (got “9”)."
    ]
    assert not Risk.objects.filter(programme=logs_world["programme"]).exists()
    page = manager_client.get(_status_url(job)).content.decode()
    assert "Nothing was imported: fix these problems" in page
    assert "Row 3, column Inherent impact" in page
    assert page.count("<title>Error: ") == 1


def test_a_running_import_is_followed_by_polling_its_fragment(logs_world, manager_client):
    job = RaidImport.objects.create(
        programme=logs_world["programme"], filename="big.xlsx", content=b"x",
        requested_by=logs_world["people"]["manager"], status=ImportStatus.CHECKING, progress=40,
    )  # fmt: skip
    fragment = manager_client.get(_status_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="raid-import-status"')
    assert 'hx-trigger="every 2s"' in fragment
    assert "Checking the rows: 40% done" in fragment
    assert "<html" not in fragment


def test_a_second_delivery_of_the_task_imports_nothing_more(logs_world):
    job = RaidImport.objects.create(
        programme=logs_world["programme"], filename="raid.xlsx",
        content=workbook([row()]).read(), requested_by=logs_world["people"]["manager"],
    )  # fmt: skip
    assert imports.raid_import_run(import_pk=job.pk).status == ImportStatus.IMPORTED
    assert imports.raid_import_run(import_pk=job.pk).risks == 1
    assert Risk.objects.filter(programme=logs_world["programme"]).count() == 1


def test_an_import_whose_worker_died_while_checking_is_checked_again(logs_world):
    job = RaidImport.objects.create(
        programme=logs_world["programme"], filename="raid.xlsx", status=ImportStatus.CHECKING,
        progress=40, content=workbook([row()]).read(),
        requested_by=logs_world["people"]["manager"],
    )  # fmt: skip
    assert imports.raid_import_run(import_pk=job.pk).status == ImportStatus.IMPORTED
    assert Risk.objects.filter(programme=logs_world["programme"]).count() == 1


def test_checking_reports_its_progress(logs_world, monkeypatch):
    monkeypatch.setattr(imports, "PROGRESS_EVERY", 2)
    seen: list[int] = []
    result = imports.raid_import_check(
        programme=logs_world["programme"], upload=workbook([row()] * 6), progress=seen.append
    )
    assert result.ok
    assert seen[0] == 40  # the file read
    assert seen == sorted(seen)
    assert 40 < seen[-1] <= 80  # rows checked


def test_another_programmes_import_is_not_found(logs_world, manager_client):
    job = RaidImport.objects.create(
        programme=logs_world["programme"], filename="raid.xlsx", content=b"",
        requested_by=logs_world["people"]["manager"], status=ImportStatus.IMPORTED,
    )  # fmt: skip
    other = reverse("governance:raid_import_status", args=["finance", job.pk])
    assert manager_client.get(other).status_code in (403, 404)


def test_a_small_file_is_still_imported_within_the_request(logs_world, manager_client):
    response = manager_client.post(URL, {"file": workbook([row()])})
    assert response.status_code == 302
    assert response["Location"].endswith("/raid/risks/")
    assert not RaidImport.objects.exists()

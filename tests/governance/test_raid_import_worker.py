"""One real Celery worker on Redis: a large RAID spreadsheet uploaded → the worker checks and
imports it → the status page says so. Runs with REDIS_URL set, as CI does; skipped without."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from governance import views as governance_views
from governance.models import ImportStatus, RaidImport, Risk
from tests.governance.test_import_export import URL, row, workbook

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
]


def _wait_until_finished(timeout: float = 60) -> RaidImport | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = RaidImport.objects.first()
        if job is not None and not job.running:
            return job
        time.sleep(0.2)
    return None


@pytest.mark.django_db(transaction=True)
def test_a_large_raid_file_is_imported_by_a_real_worker(
    settings, monkeypatch, logs_world, client_as
):
    monkeypatch.setattr(governance_views, "BACKGROUND_BYTES", 0)  # every file counts as large
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", settings.REDIS_URL)
    app._pool = None  # fresh connection pools, whatever an earlier test did to the app's
    app.amqp._producer_pool = None
    app.control.purge()  # nothing left over from other runs on this Redis db
    client = client_as(logs_world["people"]["manager"])

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = client.post(URL, {"file": workbook([row(), row(Title="Second risk")])})
        job = _wait_until_finished()

    assert job is not None, "the worker did not finish the import"
    assert response["Location"].endswith(f"/raid/import/{job.pk}/")
    assert job.status == ImportStatus.IMPORTED
    assert Risk.objects.filter(programme=logs_world["programme"]).count() == 2
    assert "2 risks imported" in client.get(response["Location"]).content.decode()

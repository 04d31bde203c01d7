"""The check and the import run in a real Celery worker (another process, over Redis and
PostgreSQL): the preview page's htmx poll shows the progress until the worker is done, then
asks for the page again; the rows the worker writes name the PMO who confirmed."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exports import xlsx_bytes
from onboarding.exporting import template_tables
from onboarding.models import OnboardingUpload, UploadStatus
from portfolio.models import Programme
from tests.onboarding.builders import fill, realistic
from tests.security.test_killed_worker import workers  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.REDIS_URL
        or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="a real worker needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
]
TIMEOUT = 90


def poll(client, upload: OnboardingUpload) -> list[str]:
    """Ask for the status fragment as htmx does until the worker is done; the fragments seen."""
    seen = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        response = client.get(f"/onboarding/uploads/{upload.pk}/status/", HTTP_HX_REQUEST="true")
        if response.status_code == 204:
            assert response["HX-Refresh"] == "true"
            return seen
        assert response.status_code == 200
        seen.append(response.content.decode())
        time.sleep(0.2)
    pytest.fail(f"the worker did not finish within {TIMEOUT}s")


def test_a_real_worker_checks_and_imports_the_workbook(workers, people, places, pmo_client):  # noqa: F811
    data = fill(xlsx_bytes(template_tables()), realistic(people))
    response = pmo_client.post("/onboarding/", {"file": SimpleUploadedFile("o.xlsx", data)})
    assert response.status_code == 302
    upload = OnboardingUpload.objects.get()
    # Queued, no worker yet: the poll answers with the progress bar, polling on.
    waiting = pmo_client.get(f"/onboarding/uploads/{upload.pk}/status/", HTTP_HX_REQUEST="true")
    assert "Waiting to be checked" in waiting.content.decode()
    assert 'hx-trigger="every 2s"' in waiting.content.decode()

    worker = workers.start()
    poll(pmo_client, upload)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.PREVIEWED, (upload.failure, upload.problems)
    assert not Programme.objects.exists()

    assert pmo_client.post(f"/onboarding/uploads/{upload.pk}/confirm/").status_code == 302
    poll(pmo_client, upload)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.CONFIRMED, upload.failure
    front = Programme.objects.get(reference="TP-001")
    assert front.history.get().history_user == people["pmo"]
    assert worker.poll() is None  # still serving

"""The demo's quarterly reports as a newcomer meets them: the seed's Q3 2019/20 review is
published, so the scrutiny sign-in has a report to download on its first visit; the Q4 2019/20
draft waits for the PMO."""

import hashlib

import pytest
from django.urls import reverse

from accounts.models import User
from reports.models import QuarterlyReport, VersionStatus

pytestmark = pytest.mark.django_db


def test_scrutiny_sees_and_downloads_the_published_q3_2019_20_report(demo, client):
    report = QuarterlyReport.objects.get(financial_year=2019, quarter_number=3)
    version = report.versions.get()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_by.username == "pmo"
    assert version.data["resourcing"]["business_case"] == "17900000.00"  # the seed's £17.9m

    client.force_login(User.objects.get(username="scrutiny"))
    home = client.get("/", follow=True).content.decode()
    assert "Q3 2019/20 — October to December 2019" in home
    pdf_url = reverse(
        "reports:report_download", kwargs={"quarter": "2019-20-q3", "number": 1, "fmt": "pdf"}
    )
    assert pdf_url in home
    response = client.get(pdf_url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == version.pdf_sha256
    workbook = client.get(
        reverse(
            "reports:report_download",
            kwargs={"quarter": "2019-20-q3", "number": 1, "fmt": "xlsx"},
        )
    )
    assert workbook.status_code == 200


def test_the_q4_2019_20_draft_exists_unpublished_for_the_pmo(demo, client):
    draft = QuarterlyReport.objects.get(financial_year=2019, quarter_number=4)
    assert not draft.versions.exists()
    assert draft.committee == "Transformation Sub-Committee"
    assert draft.sections.get().title == "Refreshing the change programme"
    assert draft.progress.count() == 7  # the 2019/20 workstreams, to be written

    client.force_login(User.objects.get(username="scrutiny"))
    assert client.get("/reports/2019-20-q4/").status_code == 404
    assert "Q4 2019/20" not in client.get("/reports/").content.decode()

    client.force_login(User.objects.get(username="pmo"))
    page = client.get("/reports/2019-20-q4/").content.decode()
    assert "Generate the PDF and workbook" in page


def test_the_published_report_is_not_rebuilt_by_a_second_load(demo):
    from django.core.management import call_command

    version = QuarterlyReport.objects.get(quarter_number=3).versions.get()
    call_command("load_demo", quiet=True)
    assert QuarterlyReport.objects.count() == 2
    assert QuarterlyReport.objects.get(quarter_number=3).versions.get() == version

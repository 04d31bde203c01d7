"""The quarterly report's lessons annex: the PMO chooses lessons from the library; the PDF prints
them as Annex 3 and the workbook as a sheet; scrutiny reads them only there, once published."""

import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from accounts.models import User
from core.errors import ServiceError
from governance.lessons import lesson_adopt, lesson_merge, lesson_record
from governance.models import LessonTheme
from portfolio.models import Programme
from reports.models import QuarterlyReport, ReportVersion, VersionStatus
from reports.quarterly import render_pdf, report_data, report_tables
from reports.services import report_lessons_choose
from tests.reports.test_reports import Q4, pdf_text, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    if Path(settings.MEDIA_ROOT).is_dir():
        shutil.copytree(settings.MEDIA_ROOT, tmp_path / "media")
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def chosen(demo):
    """Two lessons of the demo's Commercial programme, one adopted into practice."""
    pmo = User.objects.get(username="pmo")
    programme = Programme.objects.get(slug="commercial")
    first = lesson_record(
        programme=programme, title="Name a procurement lead before Gate 3",
        what_happened="The framework was late and delivery waited three months.",
        why="Nobody owned procurement.", next_time="Name the lead in the Initial Brief.",
        polarity="negative", themes=LessonTheme.objects.filter(slug="commercial"),
        actor=programme.manager,
    )  # fmt: skip
    second = lesson_record(
        programme=programme, title="Early supplier days paid off",
        what_happened="Suppliers bid on time.", polarity="positive", actor=programme.manager,
    )  # fmt: skip
    lesson_adopt(lesson=first, what_changed="The Initial Brief asks for a lead.", actor=pmo)
    return pmo, [first, second]


def test_the_pmo_chooses_lessons_and_the_report_prints_them_as_an_annex(
    chosen, client, django_capture_on_commit_callbacks
):
    pmo, (first, second) = chosen
    client.force_login(pmo)
    detail = client.get(url("report_detail")).content.decode()
    assert "No lessons chosen: the report has no lessons annex." in detail
    page = client.get(url("lessons_edit")).content.decode()
    assert "Name a procurement lead before Gate 3" in page
    response = client.post(url("lessons_edit"), {"lessons": [first.pk, second.pk]})
    assert response.status_code == 302
    report = QuarterlyReport.objects.get(financial_year=2019, quarter_number=4)
    assert set(report.lessons.all()) == {first, second}
    assert "2 lessons chosen" in client.get(url("report_detail")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("report_generate"))
    version = ReportVersion.objects.filter(report=report).latest("number")
    assert version.status == VersionStatus.GENERATED, version.error
    text = " ".join(pdf_text(version.pdf.read()).split())
    assert "Annex 3: Lessons learned" in text
    assert "Name a procurement lead before Gate 3" in text
    assert "Adopted into practice: The Initial Brief asks for a lead." in text
    version.xlsx.open()
    sheet = load_workbook(io.BytesIO(version.xlsx.read()))["Lessons learned"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Lesson", "Title", "Programme")
    assert {row[1] for row in rows[1:]} == {first.title, second.title}


def test_no_lessons_no_annex_and_a_merged_lesson_cannot_be_chosen(chosen, client):
    pmo, (first, second) = chosen
    report = QuarterlyReport.objects.get(financial_year=2019, quarter_number=4)
    data = report_data(Q4, report)
    assert data["lessons"] == []
    assert "lessons" not in [table.slug for table in report_tables(data)]
    assert "Annex 3: Lessons learned" not in " ".join(pdf_text(render_pdf(data)).split())
    lesson_merge(lesson=second, into=first, actor=pmo)
    client.force_login(pmo)
    response = client.post(url("lessons_edit"), {"lessons": [second.pk]})
    assert response.status_code == 200
    assert not report.lessons.exists()
    with pytest.raises(ServiceError, match="merged into another"):
        report_lessons_choose(report=report, lessons=[second], actor=pmo)


def test_scrutiny_reads_lessons_only_in_the_published_report(chosen, client):
    scrutiny = User.objects.get(username="scrutiny")
    client.force_login(scrutiny)
    assert client.get("/lessons/").status_code == 403
    assert client.get(chosen[1][0].get_absolute_url()).status_code == 403
    assert client.get(url("lessons_edit")).status_code == 403
    assert "Lessons" not in [item["label"] for item in client.get("/reports/").context["nav_items"]]


@pytest.mark.parametrize("bad", ["²", "①", "-1", "9" * 30])
def test_a_lesson_id_that_is_not_digits_0_to_9_is_a_form_error_not_a_500(chosen, client, bad):
    """Found by tests/security/test_hostile_inputs.py: "²" passed ``str.isdigit`` and ``int``
    refused it, a 500."""
    pmo, (first, _second) = chosen
    client.force_login(pmo)
    response = client.post(url("lessons_edit"), {"lessons": [first.pk, bad]})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not QuarterlyReport.objects.get(financial_year=2019, quarter_number=4).lessons.exists()

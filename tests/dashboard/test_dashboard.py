import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from governance.models import Risk
from portfolio.models import Stage
from tests.portfolio.factories import MilestoneFactory, ProgrammeFactory

READERS = [Role.PMO, Role.PROGRAMME_MANAGER, Role.SRO, Role.BOARD_MEMBER, Role.VIEWER]


@pytest.fixture
def pmo_client(client_as, make_user):  # type: ignore[no-untyped-def]
    return client_as(make_user(Role.PMO))


@pytest.mark.django_db
def test_pmo_lands_on_the_dashboard(pmo_client, demo):
    text = pmo_client.get("/").content.decode()
    assert "Transformation Dashboard" in text
    assert "Where are we?" in text


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.VIEWER])
def test_other_staff_land_on_where_are_we(client_as, make_user, demo, role):
    text = client_as(make_user(role)).get("/").content.decode()
    assert "Transformation Dashboard" not in text
    assert "Programmes by stage" in text


@pytest.mark.django_db
@pytest.mark.parametrize("role", READERS)
def test_portfolio_readers_may_open_the_dashboard(client_as, make_user, demo, role):
    assert client_as(make_user(role)).get("/dashboard/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/export/pipeline.csv"])
def test_scrutiny_members_and_no_role_users_are_refused(client_as, make_user, demo, path):
    assert client_as(make_user(Role.SCRUTINY_MEMBER)).get(path).status_code == 403
    assert client_as(make_user()).get(path).status_code == 403


@pytest.mark.django_db
def test_pipeline_shows_the_seed_programmes_by_stage(pmo_client, demo):
    text = pmo_client.get("/dashboard/").content.decode()
    assert "20 programmes." in text
    for name in ["Corporate Landlord", "SEND", "Organisational Design", "Provision Cycle"]:
        assert name in text
    assert "days in stage" in text


@pytest.mark.django_db
def test_filters_narrow_the_dashboard_and_stay_in_the_url(pmo_client, demo):
    response = pmo_client.get("/dashboard/?portfolio=place-shaper-of-choice")
    text = response.content.decode()
    assert "2 programmes match these filters." in text
    assert "Oxfordshire Way" in text
    assert "Commercial" not in text
    assert 'value="place-shaper-of-choice" selected' in text


@pytest.mark.django_db
def test_htmx_filter_returns_only_the_panels(pmo_client, demo):
    response = pmo_client.get(
        "/dashboard/?category=C", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-panels"
    )
    text = response.content.decode()
    assert "<html" not in text
    assert "Organisational Design" in text
    assert "1 programme match" in text


@pytest.mark.django_db
def test_roadmap_shows_annex_1_quarters_by_default(pmo_client, demo):
    text = pmo_client.get("/dashboard/").content.decode()
    assert "Milestones by quarter, Q4 2019/20 to Q3 2020/21." in text
    assert "Structure go-live for corporate team" in text
    assert "Back office" in text
    assert "Front office" in text


@pytest.mark.django_db
def test_roadmap_follows_the_chosen_financial_year(pmo_client, demo):
    text = pmo_client.get("/dashboard/?financial_year=2020/21").content.decode()
    assert "Milestones by quarter, Q1 2020/21 to Q4 2020/21." in text
    assert "Phase 2 begins" in text
    assert "Structure go-live for corporate team" not in text


@pytest.mark.django_db
def test_escalated_risks_and_overdue_reviews(pmo_client, demo):
    text = pmo_client.get("/dashboard/").content.decode()
    assert "Pace and capacity" in text
    assert "High (16)" in text
    assert "review was due 31 March 2020" in text


@pytest.mark.django_db
def test_pipeline_downloads_as_csv_with_the_filters(pmo_client, demo):
    response = pmo_client.get("/dashboard/export/pipeline.csv?portfolio=place-shaper-of-choice")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Portfolio",
        "Programme",
        "Stage",
        "Category",
        "Light touch",
        "Days in stage",
    ]
    assert sorted(r[1] for r in rows[1:]) == ["Agile Accommodation", "Oxfordshire Way"]


@pytest.mark.django_db
def test_roadmap_downloads_as_xlsx(pmo_client, demo):
    response = pmo_client.get("/dashboard/export/roadmap.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:3] == ["Group", "Programme", "Q4 2019/20"]
    assert sheet.freeze_panes == "A2"
    programmes = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Strategic Capability" in programmes


@pytest.mark.django_db
def test_unknown_table_or_format_is_404(pmo_client, demo):
    assert pmo_client.get("/dashboard/export/nothing.csv").status_code == 404
    assert pmo_client.get("/dashboard/export/pipeline.pdf").status_code == 404


def _grow(count: int) -> None:
    for i in range(count):
        programme = ProgrammeFactory(stage=Stage.DELIVER, workstream_group="back_office")
        MilestoneFactory(programme=programme, due_date=date(2020, 1, 1) + timedelta(days=i))
        Risk.objects.create(
            programme=programme, portfolio=programme.portfolio, title=f"Risk {i}",
            inherent_likelihood=4, inherent_impact=4, residual_likelihood=3, residual_impact=4,
            target_likelihood=2, target_impact=2, escalated=True, review_date=date(2020, 1, 1),
        )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/?portfolio=portfolio-0"])
def test_query_count_is_the_same_at_10_and_200_programmes(pmo_client, path):
    _grow(10)
    with CaptureQueriesContext(connection) as small:
        assert pmo_client.get(path).status_code == 200
    _grow(190)
    with CaptureQueriesContext(connection) as large:
        assert pmo_client.get(path).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)

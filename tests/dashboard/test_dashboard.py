import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.roles import Role
from core import exports
from governance.models import Risk
from portfolio.models import Stage
from tests.portfolio.factories import MilestoneFactory, ProgrammeFactory

READERS = [Role.PMO, Role.PROGRAMME_MANAGER, Role.SRO, Role.BOARD_MEMBER, Role.VIEWER]


@pytest.fixture
def pmo_client(client_as, make_user):
    return client_as(make_user(Role.PMO))


@pytest.mark.django_db
def test_pmo_lands_on_the_dashboard(demo, pmo_client):
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
def test_pipeline_shows_the_seed_programmes_by_stage(demo, pmo_client):
    text = pmo_client.get("/dashboard/").content.decode()
    assert "20 programmes." in text
    for name in ["Corporate Landlord", "SEND", "Organisational Design", "Provision Cycle"]:
        assert name in text
    assert "days in stage" in text


@pytest.mark.django_db
def test_filters_narrow_the_dashboard_and_stay_in_the_url(demo, pmo_client):
    response = pmo_client.get("/dashboard/?portfolio=place-shaper-of-choice")
    text = response.content.decode()
    assert "2 programmes match these filters." in text
    assert "Oxfordshire Way" in text
    assert "Commercial" not in text
    assert 'value="place-shaper-of-choice" selected' in text


@pytest.mark.django_db
def test_htmx_filter_returns_only_the_panels(demo, pmo_client):
    response = pmo_client.get(
        "/dashboard/?category=C", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-panels"
    )
    text = response.content.decode()
    assert "<html" not in text
    assert "Organisational Design" in text
    assert "1 programme match" in text


@pytest.mark.django_db
def test_roadmap_shows_annex_1_quarters_by_default(demo, pmo_client):
    text = pmo_client.get("/dashboard/").content.decode()
    assert "Milestones by quarter, Q4 2019/20 to Q3 2020/21." in text
    assert "Structure go-live for corporate team" in text
    assert "Back office" in text
    assert "Front office" in text


@pytest.mark.django_db
def test_roadmap_follows_the_chosen_financial_year(demo, pmo_client):
    text = pmo_client.get("/dashboard/?financial_year=2020/21").content.decode()
    assert "Milestones by quarter, Q1 2020/21 to Q4 2020/21." in text
    assert "Phase 2 begins" in text
    assert "Structure go-live for corporate team" not in text


@pytest.mark.django_db
def test_escalated_risks_and_overdue_reviews(demo, pmo_client):
    text = pmo_client.get("/dashboard/").content.decode()
    assert "Pace and capacity" in text
    assert "High (16)" in text
    assert "review was due 31 March 2020" in text


@pytest.mark.django_db
def test_pipeline_downloads_as_csv_with_the_filters(demo, pmo_client):
    response = pmo_client.get("/dashboard/export/pipeline.csv?portfolio=place-shaper-of-choice")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
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
def test_roadmap_downloads_as_xlsx(demo, pmo_client):
    response = pmo_client.get("/dashboard/export/roadmap.xlsx")
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    assert [c.value for c in sheet[1]][:3] == ["Group", "Programme", "Q4 2019/20"]
    assert sheet.freeze_panes == "A2"
    programmes = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Strategic Capability" in programmes


@pytest.mark.django_db
def test_unknown_table_or_format_is_404(demo, pmo_client):
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
@pytest.mark.parametrize(
    "path", ["/dashboard/", "/dashboard/?category=B&financial_year=2020/21", "/"]
)
def test_query_count_is_the_same_at_10_and_200_programmes(pmo_client, path):
    from benefits.rollup import rollup_run

    _grow(10)
    rollup_run()
    with CaptureQueriesContext(connection) as small:
        assert pmo_client.get(path).status_code == 200
    _grow(190)
    rollup_run()
    with CaptureQueriesContext(connection) as large:
        assert pmo_client.get(path).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_savings_by_year_carry_the_seed_figures(demo, pmo_client):
    text = pmo_client.get("/dashboard/?portfolio=employer-of-choice").content.decode()
    # Employer of Choice holds Finance, Strategic Capability and Support Services (demo):
    # 2019/20 = £0.18m + £0.16m + £0.03m
    assert "£370,000" in text
    text = pmo_client.get("/dashboard/?financial_year=2019/20").content.decode()
    assert "Savings against the Medium Term Financial Plan" in text
    assert "£370,000" in text  # + Provision Cycle has nothing in 2019/20


@pytest.mark.django_db
def test_one_off_costs_show_the_business_case_against_spend(demo, pmo_client):
    text = pmo_client.get("/dashboard/").content.decode()
    # £17.9m business case (2018/19–2020/21) plus the ICT case's £2.2m; £7.9m spent
    assert "Business case £20.1m; spent £7.9m." in text
    assert "£5,960,000" in text
    assert "£3,950,000" in text


@pytest.mark.django_db
def test_one_off_costs_show_each_business_case_beside_their_sum(demo, pmo_client):
    text = pmo_client.get("/dashboard/").content.decode()
    table = text.split('id="business-cases"')[1].split("</table>")[0]
    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in table.split("</tr>")]
    # The seed's headline figures: the Transformation Programme's £17.9m estimated against
    # £7.9m spent, and the ICT Strategy's £2.2m; then their sum.
    assert "Transformation Programme (programme-wide) £17.9m £7.9m" in rows
    assert "ICT Strategy £2.2m £0m" in rows
    assert rows.index("All business cases £20.1m £7.9m") == len(rows) - 2
    assert 'href="/programmes/ict-strategy/one-off-costs/"' in table


@pytest.mark.django_db
def test_business_cases_show_the_largest_few_and_the_download_holds_every_one(pmo_client):
    from benefits.rollup import rollup_run
    from dashboard.queries import LIST_LIMIT
    from tests.benefits.factories import OneOffCostFactory

    OneOffCostFactory(programme=None, budget=Decimal("5000"))
    for n in range(LIST_LIMIT + 3):
        OneOffCostFactory(programme__name=f"Case {n:02d}", budget=Decimal(1000 * (n + 1)))
    rollup_run()
    text = pmo_client.get("/dashboard/").content.decode()
    table = text.split('id="business-cases"')[1].split("</table>")[0]
    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in table.split("</tr>")]
    shown = [r for r in rows if r.startswith("Case ")]
    # The largest estimates, largest first; the three smallest are left to the download.
    assert [r.split(" £")[0] for r in shown] == [
        f"Case {n:02d}" for n in range(LIST_LIMIT + 2, 2, -1)
    ]
    assert f"The {LIST_LIMIT} largest of {LIST_LIMIT + 3} programmes" in rows[0]
    assert rows[1].startswith("Transformation Programme (programme-wide)")
    assert "/dashboard/export/business-cases.csv" in text
    response = pmo_client.get("/dashboard/export/business-cases.csv")
    lines = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert lines[0] == ["Business case", "Estimated", "Spent"]
    assert [line[0] for line in lines[1:]] == [
        "Transformation Programme (programme-wide)",
        *(f"Case {n:02d}" for n in range(LIST_LIMIT + 2, -1, -1)),
    ]


@pytest.mark.django_db
def test_savings_figure_drills_down_to_the_programmes_behind_it(demo, pmo_client):
    text = pmo_client.get("/dashboard/").content.decode()
    assert 'href="/dashboard/savings/2019/"' in text
    detail = pmo_client.get("/dashboard/savings/2019/").content.decode()
    assert "2019/20: the programmes behind the figures" in detail
    assert "Finance" in detail
    assert "£180,000" in detail
    assert 'href="/programmes/finance/benefits/"' in detail
    download = pmo_client.get("/dashboard/savings/2019.csv")
    rows = list(csv.reader(io.StringIO(download.getvalue().decode("utf-8-sig"))))
    finance = next(r for r in rows if r[0] == "Finance")
    assert finance[2] == "180000.00"


@pytest.mark.django_db
def test_delivery_confidence_shows_the_change_since_the_previous_quarter(demo, pmo_client):
    text = pmo_client.get("/dashboard/").content.decode()
    assert "Delivery confidence" in text
    assert "Amber/Green" in text
    assert "Improved from" in text or "Worsened from" in text or "No change" in text


@pytest.mark.django_db
def test_pending_decisions_list_gate_reviews_and_change_requests(demo, pmo_client):
    text = pmo_client.get("/dashboard/").content.decode()
    assert "Gate 3: Full Programme Brief" in text
    assert "Launch the commercial offerings after market testing" in text  # CR-<pk>


@pytest.mark.django_db
def test_heat_map_and_recalculate_for_the_pmo_only(client_as, make_user, demo):
    pmo = client_as(make_user(Role.PMO)).get("/dashboard/").content.decode()
    assert "Portfolio heat map of open risks" in pmo
    assert "Recalculate now" in pmo
    viewer = client_as(make_user(Role.VIEWER, username="v2")).get("/dashboard/").content.decode()
    assert "Recalculate now" not in viewer
    assert "Roll-up as of" in viewer


@pytest.mark.django_db
def test_savings_drill_down_for_a_year_with_no_roll_up_is_404(pmo_client):
    assert pmo_client.get("/dashboard/savings/2019/").status_code == 404


@pytest.mark.django_db
def test_pipeline_shows_each_programmes_delivery_confidence(demo, pmo_client):
    text = pmo_client.get("/dashboard/?portfolio=place-shaper-of-choice").content.decode()
    pipeline = text.split('id="pipeline-heading"')[1].split("</section>")[0]
    assert "Agile Accommodation" in pipeline
    assert 'Green<span class="govuk-visually-hidden"> delivery confidence</span>' in pipeline


@pytest.mark.django_db
def test_savings_year_downloads_as_xlsx(demo, pmo_client):
    """Issue 16, row 6: "Savings 2019/20" is not a sheet title Excel accepts; it was a 500."""
    response = pmo_client.get("/dashboard/savings/2019.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="savings-2019.xlsx"'
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    assert workbook.sheetnames == ["Savings 2019-20"]
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == [
        "Programme", "MTFP line", "MTFP target", "Planned", "Forecast", "Actual", "Variance",
    ]  # fmt: skip
    finance = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Finance")
    assert finance[2].value == 180000
    assert finance[2].data_type == "n"
    assert finance[2].number_format.startswith('"£"')


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/export/pipeline.csv",
        "/dashboard/export/escalated-risks.xlsx",
        "/dashboard/savings/2019.csv",
        "/dashboard/savings/2019.xlsx",
    ],
)
def test_dashboard_downloads_stream(demo, pmo_client, path, monkeypatch):
    monkeypatch.setattr(exports, "LINES_PER_CHUNK", 1)  # a CSV then comes a row per chunk
    response = pmo_client.get(path)
    assert isinstance(response, StreamingHttpResponse)
    if path.endswith(".csv"):
        chunks = list(response.streaming_content)
        rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
        assert len(rows) > 1
        assert len(chunks) == len(rows)  # written a row at a time


@pytest.mark.django_db
def test_unfiltered_years_read_from_the_snapshot_equal_its_rows_summed(demo):
    from dashboard.queries import DashboardFilters, _by_year, _sums, latest_snapshot, snapshot_rows

    snapshot = latest_snapshot()
    rows = snapshot_rows(DashboardFilters(), snapshot)
    summed = [
        {k: v or 0 for k, v in row.items()}
        for row in rows.order_by().values("financial_year").annotate(**_sums())
        .order_by("financial_year")
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        stored = _by_year(DashboardFilters(), snapshot, rows)
    assert stored == summed
    assert len(stored) >= 3
    assert "benefits_rolluprow" not in captured[0]["sql"]

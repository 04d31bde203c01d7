"""MTFP pages: targets grid, deliverability and its override, XLSX import, recalculate now."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from accounts.models import User
from benefits.models import MTFPLine, MTFPPlan, MTFPTarget, RollupSnapshot
from portfolio.models import Stage
from tests.benefits.factories import (
    BenefitFactory,
    BenefitProfileFactory,
    MTFPLineFactory,
    MTFPTargetFactory,
)
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db
D = Decimal
PLAN = "/mtfp/mtfp-2020-21-to-2023-24/"
HEADER = ["Line", "Directorate", "Programme", "Financial year", "Target"]


def _pmo(client_as):
    return client_as(User.objects.get(username="pmo"))


def _xlsx(rows, *, sheet="Targets", header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(header)
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("targets.xlsx", buffer.getvalue())


def _targets() -> list[tuple]:
    return list(
        MTFPTarget.objects.order_by("pk").values_list("line__name", "financial_year", "amount")
    )


def test_plan_page_shows_targets_deliverability_and_the_rule(client_as, demo):
    text = client_as(User.objects.get(username="viewer")).get(PLAN).content.decode()
    assert "MTFP 2020/21–2023/24" in text
    assert "Transformation: Finance" in text
    assert "£0.37m" in text  # 2019/20 target: £0.18m + £0.16m + £0.03m
    assert "Blue" in text
    assert "needs further activity" in text
    assert "more than 10% short of the target" in text
    assert "Green" in text
    assert "Save targets" not in text
    assert "Recalculate now" not in text
    assert "Roll-up as of" in text


def test_pmo_edits_targets_in_the_grid_with_htmx(client_as, demo):
    client = _pmo(client_as)
    line = MTFPLine.objects.get(name="Transformation: Finance")
    page = client.get(PLAN).content.decode()
    assert f'name="t-{line.pk}-2019"' in page
    data = {
        f"t-{target.line_id}-{target.financial_year}": str(target.amount)
        for target in MTFPTarget.objects.all()
    }
    data[f"t-{line.pk}-2023"] = "50000"
    response = client.post(PLAN + "targets/", data, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "Targets saved" in text
    assert "<html" not in text
    assert MTFPTarget.objects.get(line=line, financial_year=2023).amount == D("50000")


def test_bad_target_is_shown_at_the_field_and_nothing_saved(client_as, demo):
    client = _pmo(client_as)
    before = _targets()
    line = MTFPLine.objects.get(name="Transformation: Finance")
    data = {f"t-{line.pk}-2019": "-1", f"t-{line.pk}-2020": "abc", f"t-{line.pk}-2021": "99"}
    response = client.post(PLAN + "targets/", data)
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text
    assert "Transformation: Finance 2019/20 target must be £0 or more" in text
    assert "Transformation: Finance 2020/21 target must be an amount in pounds" in text
    assert _targets() == before


def test_pmo_overrides_a_line_rating_with_a_reason(client_as, demo):
    client = _pmo(client_as)
    line = MTFPLine.objects.get(name="Transformation: Finance")
    url = f"{PLAN}lines/{line.pk}/deliverability/"
    client.post(url, {"rating": "amber", "reason": ""})
    line.refresh_from_db()
    assert line.rating_override == ""
    client.post(url, {"rating": "amber", "reason": "Restructure consultation delayed"})
    line.refresh_from_db()
    assert line.rating_override == "amber"
    assert line.rating_override_by.username == "pmo"
    assert line.rating_override_at is not None
    text = client.get(PLAN).content.decode()
    assert "Restructure consultation delayed" in text
    assert "(PMO override)" in text


def test_pmo_overrides_a_benefit_rating(client_as, demo):
    client = _pmo(client_as)
    benefit = BenefitFactory(programme=ProgrammeFactory())
    BenefitProfileFactory(benefit=benefit)
    url = f"/programmes/{benefit.programme.slug}/benefits/{benefit.pk}/deliverability/"
    response = client.post(url, {"rating": "red", "reason": ""})
    assert response.status_code == 400
    assert "Give the reason for overriding the rating" in response.content.decode()
    client.post(url, {"rating": "red", "reason": "Supplier withdrew"})
    benefit.refresh_from_db()
    assert (benefit.rating_override, benefit.rating_override_reason) == ("red", "Supplier withdrew")
    client.post(url, {"rating": "", "reason": ""})
    benefit.refresh_from_db()
    assert benefit.rating_override == ""
    assert benefit.rating_override_by is None


def test_valid_import_adds_every_row(client_as, demo):
    client = _pmo(client_as)
    rows = [
        ["Transformation: Finance", "Finance", "Finance", "2023/24", 25000],
        ["Transformation: Commercial", "", "Commercial", "2021/22", "£120,000"],
        ["Transformation: Commercial", "", "commercial", "2022/23", 130000.5],
    ]
    response = client.post(PLAN + "import/", {"workbook": _xlsx(rows)})
    assert response.status_code == 302
    assert MTFPTarget.objects.get(
        line__name="Transformation: Finance", financial_year=2023
    ).amount == D("25000")
    commercial = MTFPLine.objects.get(name="Transformation: Commercial")
    assert commercial.programme.slug == "commercial"
    assert {t.financial_year: t.amount for t in commercial.targets.all()} == {
        2021: D("120000"),
        2022: D("130000.5"),
    }
    assert "Imported 3 targets" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("upload", "messages"),
    [
        (
            lambda: _xlsx([["Transformation: Finance", "Nowhere", "", "2020/21", 100]]),
            ["Row 2, column Directorate: there is no directorate called “Nowhere”"],
        ),
        (
            lambda: _xlsx([["New line", "", "Ghost Programme", "2020/21", 100]]),
            ["Row 2, column Programme: there is no programme called “Ghost Programme”"],
        ),
        (
            lambda: _xlsx(
                [
                    ["Transformation: Finance", "", "", "2020/21", 1],
                    ["Transformation: Finance", "", "", "2030/31", 100],
                ]
            ),
            ["Row 3, column Financial year: 2030/31 is outside MTFP 2020/21–2023/24"],
        ),
        (
            lambda: _xlsx([["Transformation: Finance", "", "", "twenty", 100]]),
            ["Row 2, column Financial year: “twenty” is not a financial year"],
        ),
        (
            lambda: _xlsx(
                [
                    ["Transformation: Finance", "", "", "2020/21", "lots"],
                    ["Transformation: Finance", "", "", "2021/22", -5],
                ]
            ),
            [
                "Row 2, column Target: “lots” is not an amount in pounds",
                "Row 3, column Target: the target must be £0 or more",
            ],
        ),
        (
            lambda: _xlsx([["A", "", "", "2020/21"]], header=HEADER[:4]),
            ["Row 1, column Target: this column is missing from the first row"],
        ),
        (
            lambda: _xlsx([["A", "", "", "2020/21", 1]], sheet="Sheet1"),
            ["The workbook has no sheet called “Targets”"],
        ),
        (
            lambda: SimpleUploadedFile("targets.xlsx", b"Line,Target\nA,1\n"),
            ["The file is not an Excel spreadsheet (.xlsx)"],
        ),
        (
            lambda: _xlsx([]),
            ["The Targets sheet has no rows under its column names"],
        ),
    ],
)
def test_bad_import_lists_row_and_column_errors_and_imports_nothing(
    client_as, demo, upload, messages
):
    client = _pmo(client_as)
    before = _targets()
    lines = MTFPLine.objects.count()
    response = client.post(PLAN + "import/", {"workbook": upload()})
    text = response.content.decode()
    assert response.status_code == 400
    assert "nothing was imported" in text
    for message in messages:
        assert message in text
    assert _targets() == before
    assert MTFPLine.objects.count() == lines


def test_a_bad_row_stops_the_good_rows_too(client_as, demo):
    before = _targets()
    rows = [
        ["Transformation: Finance", "", "", "2023/24", 1],
        ["Brand new line", "", "", "2023/24", 2],
        ["Transformation: Finance", "", "", "2024/25", 3],
    ]
    response = _pmo(client_as).post(PLAN + "import/", {"workbook": _xlsx(rows)})
    assert "Row 4, column Financial year" in response.content.decode()
    assert _targets() == before
    assert not MTFPLine.objects.filter(name="Brand new line").exists()


def test_template_download_round_trips(client_as, demo):
    client = _pmo(client_as)
    response = client.get(PLAN + "import/template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = response.getvalue()  # a streamed file: it can be read once
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Targets"]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.max_row == MTFPTarget.objects.count() + 1
    before = _targets()
    upload = SimpleUploadedFile("t.xlsx", content)
    assert client.post(PLAN + "import/", {"workbook": upload}).status_code == 302
    assert _targets() == before


def test_recalculate_now_runs_the_rollup_and_shows_as_of(client_as, demo, monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)  # as in the embedded default
    client = _pmo(client_as)
    MTFPTarget.objects.filter(financial_year=2019).update(amount=D("1"))
    response = client.post("/mtfp/recalculate/", {"next": PLAN}, follow=True)
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == PLAN
    assert "The latest snapshot is as of" in text
    assert RollupSnapshot.objects.count() == 2
    by_year = {r["financial_year"]: r for r in RollupSnapshot.objects.latest().payload["by_year"]}
    assert by_year[2019]["target"] == "3.00"


def test_recalculate_refuses_an_offsite_next(client_as, demo):
    response = _pmo(client_as).post("/mtfp/recalculate/", {"next": "//evil.example/"})
    assert response["Location"] == "/mtfp/"


def test_mtfp_query_counts_do_not_grow_with_lines(client_as, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.roles import Role

    client = client_as(make_user(Role.PMO))
    plan = MTFPPlan.objects.create(name="P", slug="p", first_year=2020, last_year=2023)

    def add_lines(n: int) -> None:
        for _ in range(n):
            line = MTFPLineFactory(plan=plan, programme=ProgrammeFactory(stage=Stage.DELIVER))
            for year in (2020, 2021):
                MTFPTargetFactory(line=line, financial_year=year)
            BenefitProfileFactory(benefit=BenefitFactory(programme=line.programme, mtfp_line=line))

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    add_lines(2)
    small = [count("/mtfp/p/"), count("/mtfp/")]
    add_lines(8)
    assert [count("/mtfp/p/"), count("/mtfp/")] == small

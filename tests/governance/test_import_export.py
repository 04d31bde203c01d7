"""RAID import from XLSX (all or nothing) and CSV/XLSX exports of every log."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from openpyxl import Workbook, load_workbook

from core import exports
from governance import services
from governance.imports import HEADERS, _date
from governance.models import ChangeRequest, Risk
from tests.governance.factories import ActionFactory, RiskFactory

pytestmark = pytest.mark.django_db

URL = "/programmes/commercial/raid/import/"


def row(**overrides):
    values = dict(zip(HEADERS, [
        "Supplier capacity", "Single supplier", "Supplier cannot staff phase 2", "Delay",
        4, 4, 3, 4, 2, 3, "Weekly meeting", "Second supplier", "manager", "31/03/2030",
        "Next quarter", "Treat", "No",
    ], strict=True))  # fmt: skip
    values.update(overrides)
    return [values[h] for h in HEADERS]


def workbook(rows, sheet="Risks", headers=HEADERS) -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(headers)
    for values in rows:
        ws.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("raid.xlsx", buffer.getvalue())


@pytest.fixture
def manager_client(logs_world, client_as):
    return client_as(logs_world["people"]["manager"])


def test_a_valid_file_imports_every_row(logs_world, manager_client):
    upload = workbook(
        [row(), row(Title="Second risk", Owner=logs_world["people"]["sro"].get_full_name())]
    )
    response = manager_client.post(URL, {"file": upload})
    assert response.status_code == 302
    risks = Risk.objects.filter(programme=logs_world["programme"]).order_by("title")
    assert [r.title for r in risks] == ["Second risk", "Supplier capacity"]
    assert risks[1].residual_score == 12
    assert risks[0].owner == logs_world["people"]["sro"]
    assert str(risks[1].review_date) == "2030-03-31"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"Review date": "31 Febtember"},
            "Row 3, column Review date: “31 Febtember” is not a date",
        ),
        ({"Owner": "nobody.here"}, "Row 3, column Owner: no user has the username or full name"),
        (
            {"Residual impact": 6},
            "Row 3, column Residual impact: must be a whole number from 1 to 5",
        ),
        (  # str.isdigit takes "²", int refuses it
            {"Residual impact": "²"},
            "Row 3, column Residual impact: must be a whole number from 1 to 5",
        ),
        ({"Title": ""}, "Row 3, column Title: enter the risk"),
        ({"Response": "Ignore"}, "Row 3, column Response: must be Tolerate"),
    ],
)
def test_any_bad_row_lists_row_and_column_and_imports_nothing(
    logs_world, manager_client, overrides, message
):
    response = manager_client.post(URL, {"file": workbook([row(), row(**overrides)])})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nothing was imported" in text
    assert message in text
    assert not Risk.objects.exists()


def test_a_workbook_without_a_risks_sheet_is_refused(manager_client):
    response = manager_client.post(URL, {"file": workbook([row()], sheet="Sheet1")})
    assert "has no sheet named &quot;Risks&quot;" in response.content.decode()
    assert not Risk.objects.exists()


def test_missing_required_columns_are_named(manager_client):
    response = manager_client.post(URL, {"file": workbook([["x"]], headers=["Title", "Cause"])})
    assert "Row 1: missing columns Inherent likelihood" in response.content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused(manager_client):
    upload = SimpleUploadedFile("risks.xlsx", b"Title,Cause\nA,B\n")
    response = manager_client.post(URL, {"file": upload})
    assert response.status_code == 200
    assert "is not an Excel spreadsheet" in response.content.decode()
    assert not Risk.objects.exists()


def test_a_file_over_5_mb_is_refused(manager_client):
    upload = SimpleUploadedFile("big.xlsx", b"0" * (5 * 1024 * 1024 + 1))
    response = manager_client.post(URL, {"file": upload})
    assert "larger than 5 MB" in response.content.decode()


def test_the_template_downloads_with_the_right_headers(manager_client):
    response = manager_client.get("/raid/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.getvalue()))["Risks"]
    assert [c.value for c in sheet[1]] == HEADERS


def test_risk_csv_export_has_the_page_columns_and_respects_filters(logs_world, manager_client):
    RiskFactory(programme=logs_world["programme"], title="Open one")
    RiskFactory(programme=logs_world["programme"], title="Closed one", status="closed")
    response = manager_client.get("/programmes/commercial/raid/risks/export.csv?status=open")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert rows[0][0] == "Risk"
    assert "Programme" not in rows[0]  # as on the programme's page
    assert "Existing controls" in rows[0]
    assert "Residual" in rows[0]
    assert [r[0] for r in rows[1:]] == ["Open one"]
    assert rows[1][rows[0].index("Residual")] == "3×3 = 9 (Medium)"


def test_action_xlsx_export_cells(logs_world, manager_client):
    ActionFactory(programme=logs_world["programme"], title='=HYPERLINK("x")')
    ActionFactory(programme=logs_world["programme"], title="Plain action")
    response = manager_client.get("/programmes/commercial/actions/export.xlsx?sort=title")
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    assert sheet.title == "Actions"
    assert sheet["A1"].value == "Action"
    assert sheet["B1"].value == "Description"
    titles = [sheet.cell(row=r, column=1).value for r in (2, 3)]
    assert titles == ['\'=HYPERLINK("x")', "Plain action"]


@pytest.mark.parametrize(
    "url",
    [
        "/programmes/commercial/raid/assumptions/export.csv",
        "/programmes/commercial/raid/issues/export.csv",
        "/programmes/commercial/raid/dependencies/export.xlsx",
        "/programmes/commercial/decisions/export.csv",
        "/programmes/commercial/change-requests/export.xlsx",
        "/portfolios/partner/raid/export.csv",
        "/raid/export.xlsx",
    ],
)
def test_every_log_exports(manager_client, url):
    response = manager_client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_change_request_exports_keep_impacts_as_numbers(logs_world, manager_client):
    """A negative cost or time impact is a number in a download, never text that could be read
    as a formula (and never guarded with an apostrophe)."""
    services.change_request_raise(
        change_request=ChangeRequest(
            programme=logs_world["programme"], title="-1+2 cheaper", kind="cost",
            description="=HYPERLINK(\"x\")", cost_impact=Decimal("-1500"), time_impact_days=-3,
            benefits_impact=Decimal("250.50"),
        ),
        actor=logs_world["people"]["manager"],
    )  # fmt: skip
    url = "/programmes/commercial/change-requests/export"
    rows = list(csv.reader(io.StringIO(manager_client.get(f"{url}.csv").getvalue().decode(
        "utf-8-sig"))))  # fmt: skip
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Change"] == "'-1+2 cheaper"
    assert record["Cost impact"] == "-1500.00"
    assert record["Time impact (days)"] == "-3"
    assert record["Benefits impact"] == "250.50"
    sheet = load_workbook(io.BytesIO(manager_client.get(f"{url}.xlsx").getvalue())).active
    cells = {header.value: cell for header, cell in zip(sheet[1], sheet[2], strict=True)}
    assert cells["Change"].value == "'-1+2 cheaper"
    assert cells["Change"].data_type == "s"
    assert cells["Cost impact"].value == -1500
    assert cells["Cost impact"].data_type == "n"
    assert cells["Cost impact"].number_format.startswith('"£"')
    assert cells["Time impact (days)"].value == -3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_log_exports_stream_from_the_database(logs_world, manager_client, fmt, monkeypatch):
    monkeypatch.setattr(exports, "LINES_PER_CHUNK", 2)
    for i in range(5):
        RiskFactory(programme=logs_world["programme"], title=f"Risk {i}")
    response = manager_client.get(f"/programmes/commercial/raid/risks/export.{fmt}")
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response.streaming_content)
    if fmt == "csv":
        # The header and five risks, sent two lines at a time: written as they are read.
        assert [chunk.count(b"\r\n") for chunk in chunks] == [2, 2, 2]
    else:
        sheet = load_workbook(io.BytesIO(b"".join(chunks))).active
        assert sheet.max_row == 6


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-31", "2026-3-1", "31/03/2026", "1/3/2026", "29/02/2028", "29/02/2027",
        "2026-13-01", "2026-00-10", "00/01/2026", "32/01/2026", "2026-03- 1", "31-03-2026",
        "2026/03/31", "20260331", "", "tomorrow", "31/03/26", "٣١/٠٣/٢٠٢٦",
    ],
)  # fmt: skip
def test_a_review_date_reads_as_strptime_reads_it(text):
    """The digits-only fast path gives the same date (or the same refusal) as strptime."""
    expected = None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            expected = datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    try:
        read = _date(text)
    except ValueError:
        read = None  # refused: the import reports the row's date as not a date
    assert read == expected

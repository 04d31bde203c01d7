"""The plan as a sheet: downloaded (XLSX, CSV, formula-safe), edited and imported back through
the same preview; an unchanged download comes back unchanged; bad sheets refused by row and
column, nothing written."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from portfolio.models import Milestone, MilestoneStatus
from portfolio.plan_sheet import HEADERS
from tests.portfolio.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

PLAN = "/programmes/commercial/plan/"
IMPORT = f"{PLAN}import/"


@pytest.fixture
def plan(logs_world):
    sro = logs_world["people"]["sro"]
    sro.email = "sro@council.example"
    sro.save()
    programme = logs_world["programme"]
    return [
        MilestoneFactory(programme=programme, reference="M-01", title="=HYPERLINK(\"x\",\"y\")",
                         due_date=dt.date(2026, 6, 30), baseline_date=dt.date(2026, 6, 30),
                         position=1, stage="design"),
        MilestoneFactory(programme=programme, reference="M-02", title="Go live",
                         due_date=dt.date(2027, 3, 31), baseline_date=dt.date(2027, 2, 28),
                         position=2, owner=sro, status=MilestoneStatus.IN_PROGRESS),
        MilestoneFactory(programme=programme, reference="M-03", title="Business case",
                         due_date=dt.date(2026, 1, 5), baseline_date=dt.date(2026, 1, 5),
                         completed_on=dt.date(2026, 1, 5), status=MilestoneStatus.COMPLETE,
                         position=3),
    ]  # fmt: skip


def upload(client, data: bytes, name: str):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data)})


def download(client, fmt: str) -> bytes:
    response = client.get(f"{PLAN}export.{fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_unchanged_download_comes_back_unchanged(plan, logs_world, client_as, fmt):
    client = client_as(logs_world["people"]["manager"])
    data = download(client, fmt)
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(data))["Plan"]
        assert [c.value for c in sheet[1]] == HEADERS
        assert sheet["B2"].value == '\'=HYPERLINK("x","y")'  # neutralised, not a formula
        assert sheet["B2"].data_type == "s"
    else:
        assert "'=HYPERLINK" in data.decode("utf-8-sig")
    text = upload(client, data, f"plan.{fmt}").content.decode()
    assert "0 milestones to add, 0 to update, 3 unchanged" in text


def sheet_bytes(rows, title="Plan") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_edited_sheet_updates_adds_and_takes_a_formula_as_text(plan, logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    rows = [
        HEADERS,
        ["M-01", "Design signed off", "Design", "", "2026-06-30", "2026-06-30", ""],
        ["M-02", "Go live", "Deliver", "SRO@council.example", "28/02/2027", "15/04/2027", ""],
        ["M-03", "Business case", "", "", "2026-01-05", "2026-01-05", "2026-01-05"],
        ["M-04", "=1+2", "deliver", "", "", "01/06/2027", ""],
    ]
    preview = upload(client, sheet_bytes(rows), "plan.xlsx")
    text = preview.content.decode()
    assert "1 milestone to add, 2 to update, 1 unchanged" in text
    response = client.post(
        f"{IMPORT}confirm/", {"rows": preview.context["confirm"].initial["rows"]}
    )
    assert response.status_code == 302
    added = Milestone.objects.get(reference="M-04")
    assert added.title == "=1+2"  # the formula's text, never evaluated
    assert (added.stage, added.due_date, added.position) == ("deliver", dt.date(2027, 6, 1), 4)
    live = Milestone.objects.get(reference="M-02")
    assert (live.due_date, live.status, live.days_late) == (
        dt.date(2027, 4, 15),
        MilestoneStatus.IN_PROGRESS,
        46,
    )
    assert "'=1+2" in download(client, "csv").decode("utf-8-sig")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([HEADERS, ["M-09", "X", "", "", "", "31/02/2026", ""]],
         "Row 2, column Forecast date: “31/02/2026” is not a date"),
        ([HEADERS, ["M-09", "X", "Launch", "", "", "2026-05-01", ""]],
         "Row 2, column Stage or gate: “Launch” is not a stage"),
        ([HEADERS, ["", "X", "", "", "", "2026-05-01", ""]],
         "Row 2, column Reference: enter the reference."),
        ([HEADERS, ["M-09", "X", "", "", "", "2026-05-01", ""],
          ["M-09", "Y", "", "", "", "2026-05-02", ""]],
         "the reference M-09 is used twice in the file"),
        ([HEADERS, ["M-09", "X", "", "nobody@council.example", "", "2026-05-01", ""]],
         "nobody@council.example is not a person in Delivery Hub"),
        ([["Reference", "Milestone"], ["M-09", "X"]],
         "has no column “Forecast date” in its first row"),
    ],
    ids=["31 February", "unknown stage", "no reference", "reference twice", "unknown person",
         "missing column"],
)  # fmt: skip
def test_a_bad_sheet_is_refused_by_row_and_column(plan, logs_world, client_as, rows, message):
    client = client_as(logs_world["people"]["manager"])
    for data, name in ((sheet_bytes(rows), "plan.xlsx"), (_csv(rows), "plan.csv")):
        text = upload(client, data, name).content.decode()
        assert "Nothing was imported" in text
        assert message in text.replace("&#x27;", "'"), name
    assert Milestone.objects.count() == 3


def _csv(rows) -> bytes:
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode()


def test_hostile_files_are_refused_naming_the_limit(plan, logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    wrong_sheet = sheet_bytes([HEADERS], title="Sheet1")
    assert (
        "The spreadsheet has no sheet named “Plan”"
        in upload(client, wrong_sheet, "plan.xlsx").content.decode()
    )
    big = b"PK" + b"\0" * (50 * 1024 * 1024)
    assert "The file is larger than 5 MB" in upload(client, big, "plan.xlsx").content.decode()
    assert (
        "The file is larger than 5 MB"
        in upload(client, b"a," * (3 * 1024 * 1024), "plan.csv").content.decode()
    )
    for data, message in (
        (b"Reference,Milestone\n\xff\xfe\x00bad", "The CSV file is not UTF-8 text"),
        (b"a," * 40 + b"\n", "a row of more than 30 cells"),
        (b"Reference,Milestone,Forecast date\n" + b"M,x,2026-01-01\n" * 600,
         "more than 500 milestones"),
        (b"Reference,Milestone,Forecast date\nM-1,\x00,2026-01-01\n", "Nothing was imported"),
    ):  # fmt: skip
        assert message in upload(client, data, "plan.csv").content.decode(), message
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (41 * 1024 * 1024))
    text = upload(client, bomb.getvalue(), "plan.xlsx").content.decode()
    assert "The spreadsheet unpacks to more than 40 MB" in text
    assert Milestone.objects.count() == 3

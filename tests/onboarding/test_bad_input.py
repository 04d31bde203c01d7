"""Every bad input of issue #18's list, shown on the preview with where it is, and nothing
written: wrong or missing sheets and columns, an impossible date, money with letters, a
reference used twice, a programme or person that does not exist, an XML bomb or external entity,
a zip bomb, a 50 MB file; a formula taken as its text and exported again neutralised; an error
in the last sheet (found at the preview, or at the confirmation) writes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from core.exports import xlsx_bytes
from governance.models import RaciAssignment, Risk
from onboarding import run
from onboarding.exporting import template_tables
from onboarding.models import OnboardingUpload, UploadStatus
from onboarding.services import OnboardingError, onboarding_confirm
from onboarding.sheets import SHEETS
from portfolio.models import Milestone, Programme
from tests.onboarding.builders import edit, fill, realistic
from tests.support.workbooks import with_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def blank():
    return xlsx_bytes(template_tables())


@pytest.fixture
def good(people, places, blank):
    return fill(blank, realistic(people))


def where(upload):
    return {(p["sheet"], p["row"], p["column"]): p["message"] for p in upload.problems}


def nothing_written():
    return not Programme.objects.exists() and not Risk.objects.exists()


@pytest.mark.parametrize(
    ("sheet", "index", "header", "value", "message"),
    [
        ("Milestones", 0, "Forecast date", "31/02/2026", "“31/02/2026” is not a date"),
        ("Benefit profiles", 1, "Planned", "12k", "“12k” is not an amount of money"),
        ("Benefit profiles", 1, "Forecast", "-5", "must not be negative"),
        ("Risks", 0, "Inherent impact", 6, "must be a whole number from 1 to 5"),
        ("Risks", 0, "Inherent impact", "²", "must be a whole number from 1 to 5"),
        (
            "Risks",
            0,
            "Programme ref",
            "TP-404",
            "Programme ref “TP-404” is not the reference of a programme",
        ),
        (
            "Risks",
            0,
            "Owner email",
            "ghost@example.org",
            "Owner email “ghost@example.org” is not the email address of anyone",
        ),
        (
            "Programmes",
            0,
            "SRO email",
            "manager-onboard@example.org",
            "whose role does not allow this duty",
        ),
        (
            "Programmes",
            1,
            "Portfolio",
            "Imaginary",
            "Portfolio “Imaginary” is not the name of a portfolio.",
        ),
        ("Issues", 0, "Priority", "Urgent", "“Urgent” is not one of: High, Medium, Low"),
        ("Benefits", 0, "Type", "", "Type is empty"),
        ("Dependencies", 1, "Outside body", "", "name the programme it depends on"),
    ],
)
def test_a_bad_cell_is_shown_by_sheet_row_and_column_and_nothing_is_written(
    people, places, blank, upload, sheet, index, header, value, message
):
    rows = realistic(people)
    rows[sheet][index][header] = value
    checked = upload(fill(blank, rows))
    assert checked.status == UploadStatus.INVALID
    problems = where(checked)
    assert message in problems[(sheet, index + 2, header)]
    assert nothing_written()


def test_a_reference_used_twice_is_an_error_on_the_second_row(people, places, blank, upload):
    rows = realistic(people)
    rows["Risks"][1] |= {"Programme ref": "TP-001", "Reference": "R-001"}
    checked = upload(fill(blank, rows))
    assert "used twice on the sheet (first on row 2)" in where(checked)[("Risks", 3, "Reference")]
    assert nothing_written()


def test_unknown_people_are_listed_not_invented(people, places, blank, upload, pmo_client):
    rows = realistic(people)
    rows["Risks"][0]["Owner email"] = "new.starter@example.org"
    rows["Actions"][0]["Owner email"] = "New.Starter@example.org"
    checked = upload(fill(blank, rows))
    assert checked.summary["unknown_people"] == [
        {"email": "new.starter@example.org", "where": ["Risks row 2", "Actions row 2"], "count": 2}
    ]
    page = pmo_client.get(checked.get_absolute_url()).content.decode()
    assert "People without an account" in page
    assert "Risks row 2; Actions row 2" in page
    assert not type(people["pmo"]).objects.filter(email__iexact="new.starter@example.org").exists()


def test_a_missing_sheet_an_unknown_sheet_and_wrong_columns_are_errors(
    people, places, good, upload
):
    book = load_workbook(io.BytesIO(good))
    del book["Issues"]
    book.create_sheet("Notes")
    book["Risks"]["C1"] = "Risk title"  # was Title
    book["Actions"].cell(row=1, column=20, value="Colour")
    out = io.BytesIO()
    book.save(out)
    checked = upload(out.getvalue())
    problems = where(checked)
    assert "has no sheet named “Issues”" in problems[("Issues", None, "")]
    assert "sheet named “Notes” that is not part" in problems[("Notes", None, "")]
    assert "Column “Title” is missing" in problems[("Risks", 1, "Title")]
    assert "Column “Risk title” is not a column" in problems[("Risks", 1, "Risk title")]
    assert "Column “Colour” is not a column" in problems[("Actions", 1, "Colour")]
    assert nothing_written()


XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row><c t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;">]><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>'
    b'<c t="inlineStr"><is><t>&c;</t></is></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize("xml", [XXE, LAUGHS], ids=["external entity", "XML bomb"])
def test_an_xml_bomb_or_external_entity_is_refused(good, upload, xml):
    checked = upload(with_part(good, "xl/worksheets/sheet2.xml", xml))
    assert checked.status == UploadStatus.INVALID
    assert "damaged and cannot be read" in checked.problems[0]["message"]
    assert nothing_written()


def test_a_zip_bomb_is_refused_by_its_declared_size(good, upload):
    bomb = with_part(good, "xl/media/padding.bin", b"\0" * (81 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024
    checked = upload(bomb)
    assert checked.status == UploadStatus.INVALID
    assert (
        "unpacks to more than 200 MB (or one part to more than 80 MB)"
        in (checked.problems[0]["message"])
    )
    assert nothing_written()


def test_a_50_mb_file_is_refused_with_the_limit_named(pmo_client):
    big = SimpleUploadedFile("portfolio.xlsx", b"PK" + b"\0" * (50 * 1024 * 1024))
    response = pmo_client.post("/onboarding/", {"file": big})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The file is larger than 20 MB, the limit for an onboarding workbook" in page
    assert not OnboardingUpload.objects.exists()


def test_a_formula_is_taken_as_text_and_exported_again_neutralised(
    people, places, blank, upload, confirm, pmo_client
):
    rows = realistic(people)
    rows["Risks"][0]["Title"] = '=HYPERLINK("http://evil.example","Click")'
    rows["Risks"][0]["Cause"] = "=1+1"
    checked = upload(fill(blank, rows))
    assert checked.status == UploadStatus.PREVIEWED, checked.problems
    confirm(checked)
    risk = Risk.objects.get(reference="R-001", programme__reference="TP-001")
    assert risk.title == '=HYPERLINK("http://evil.example","Click")'
    assert risk.cause == "=1+1"
    exported = b"".join(pmo_client.get("/onboarding/portfolio.xlsx").streaming_content)
    book = load_workbook(io.BytesIO(exported))
    titles = [row[2].value for row in book["Risks"].iter_rows(min_row=2)]
    assert '\'=HYPERLINK("http://evil.example","Click")' in titles
    assert all(cell.data_type != "f" for row in book["Risks"].iter_rows() for cell in row)
    again = upload(exported)
    assert again.totals["update"] == 0
    assert again.totals["create"] == 0


def test_an_error_in_the_last_sheet_writes_nothing(people, places, blank, upload):
    rows = realistic(people)
    rows["RACI"][1]["Role"] = "A"  # two people Accountable for one activity
    checked = upload(fill(blank, rows))
    assert checked.status == UploadStatus.INVALID
    assert checked.problem_count == 1
    assert "would have 2 people Accountable" in checked.problems[0]["message"]
    assert SHEETS[-1].name == "RACI"
    assert nothing_written()
    assert not Milestone.objects.exists()


def test_the_confirmation_checks_again_and_writes_nothing_if_the_data_moved_on(
    people, places, good, upload, confirm
):
    checked = upload(good)
    assert checked.status == UploadStatus.PREVIEWED
    people["sro"].is_active = False  # named on RACI, the last sheet; left since the preview
    people["sro"].save()
    done = confirm(checked)
    assert done.status == UploadStatus.INVALID
    assert ("RACI", 2, "Person email") in where(done)
    assert nothing_written()
    assert not RaciAssignment.objects.exists()


def test_a_failure_while_writing_the_last_sheet_rolls_every_sheet_back(
    people, places, good, upload, confirm, monkeypatch
):
    checked = upload(good)
    real = run._create

    def failing(model, objs):
        if model is RaciAssignment:
            raise RuntimeError("the database went away")
        real(model, objs)

    monkeypatch.setattr(run, "_create", failing)
    done = confirm(checked)
    assert done.status == UploadStatus.FAILED
    assert done.failure.startswith("Nothing was imported.")
    assert nothing_written()
    assert not Milestone.objects.exists()


def test_a_second_confirmation_is_refused(people, places, good, upload, pmo_client):
    checked = upload(good)
    first = onboarding_confirm(upload=checked, actor=people["pmo"])
    assert first.status == UploadStatus.CONFIRMING
    with pytest.raises(OnboardingError, match="already imported, or being imported"):
        onboarding_confirm(upload=checked, actor=people["pmo"])


def test_a_sheet_uploaded_as_csv_is_read_like_the_workbooks(people, places, good, upload, confirm):
    confirm(upload(good))
    header = ",".join(SHEETS[4].headers)
    line = "TP-001,R-002,Vendor lock-in,,,,1,2,3,4,1,2,,,,,,,,No"
    csv_file = f"\ufeff{header}\r\n{line}\r\n".encode()
    checked = upload(csv_file, "risks.csv")
    assert checked.status == UploadStatus.PREVIEWED, checked.problems
    assert checked.totals == {"create": 1, "update": 0, "unchanged": 0}
    confirm(checked)
    assert Risk.objects.get(reference="R-002").residual_impact == 4


def test_a_csv_matching_no_sheet_names_the_closest(upload):
    checked = upload(b"Title,Colour\r\nx,y\r\n", "mystery.csv")
    assert checked.status == UploadStatus.INVALID
    assert "does not match the columns of any sheet" in checked.problems[0]["message"]


def test_an_edited_workbook_updates_only_what_changed(
    people, places, good, upload, confirm, pmo_client
):
    confirm(upload(good))
    exported = b"".join(pmo_client.get("/onboarding/portfolio.xlsx").streaming_content)
    changed = upload(edit(exported, "Programmes", 3, "Name", "Digital front door (phase 2)"))
    assert changed.totals == {"create": 0, "update": 1, "unchanged": 19}
    confirm(changed)
    assert Programme.objects.get(reference="TP-001").name == "Digital front door (phase 2)"
    assert Programme.objects.count() == 2


def test_a_baseline_in_deliver_moves_only_by_a_change_request(
    people, places, good, upload, confirm, pmo_client
):
    confirm(upload(good))
    Programme.objects.filter(reference="TP-001").update(stage="deliver")
    exported = b"".join(pmo_client.get("/onboarding/portfolio.xlsx").streaming_content)
    book = load_workbook(io.BytesIO(exported))
    row = next(
        r[0].row
        for r in book["Milestones"].iter_rows(min_row=2)
        if r[2].value == "Discovery complete"
    )
    moved = upload(edit(exported, "Milestones", row, "Baseline date", "2027-05-01"))
    assert (
        "moves only through an approved change request"
        in (where(moved)[("Milestones", row, "Baseline date")])
    )
    forecast = upload(edit(exported, "Milestones", row, "Forecast date", "2027-05-01"))
    assert forecast.status == UploadStatus.PREVIEWED, forecast.problems
    assert forecast.totals["update"] == 1

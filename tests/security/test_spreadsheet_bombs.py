"""Rows 1, 1b and 7 of the outside test: hostile workbooks built here with zipfile.

A sheet of one row of 2,000,000 cells without ``r=`` attributes (small compressed), a zip that
declares a huge part, a cell at XFD1048576, truncated sheet XML and junk after </sheetData>,
a shared-strings bomb, DTDs, and an MTFP file naming 600 unknown directorates. Each is refused
quickly with a clear message naming the limit, never a 500, and nothing is imported."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from accounts.roles import Role
from benefits import imports as mtfp_imports
from benefits.models import MTFPTarget
from core import spreadsheets
from core.spreadsheets import SpreadsheetError, SpreadsheetLimits, bounded_xml_events
from governance import imports as raid_imports
from governance.models import Risk
from tests.benefits.factories import MTFPPlanFactory
from tests.portfolio.factories import ProgrammeFactory
from tests.support.workbooks import with_part

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_PART = "xl/worksheets/sheet1.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def workbook(sheet: str, rows: list[list[object]]) -> bytes:
    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_xml(body: bytes) -> bytes:
    return HEAD + b"<sheetData>" + body + b"</sheetData></worksheet>"


def one_wide_row(sheet: str, cells: int, cell: bytes = b"<c/>") -> bytes:
    """One row of ``cells`` cells without r= attributes: tiny once deflated."""
    xml = sheet_xml(b"<row>" + cell * cells + b"</row>")
    return with_part(workbook(sheet, [["x"]]), SHEET_PART, xml)


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("hostile.xlsx", data, content_type=XLSX)


def refused(call, *args, **kwargs) -> tuple[str, float]:
    """The refusal's message and the CPU seconds this process spent reaching it: "refused
    quickly" means little work done, which other processes loading the machine do not change
    (wall-clock time under a loaded CI machine did)."""
    started = time.process_time()
    with pytest.raises(SpreadsheetError) as caught:
        call(*args, **kwargs)
    return caught.value.message, time.process_time() - started


# --- row 1: cells, rows and sizes are bounded before openpyxl builds anything -----------------


def test_a_row_of_two_million_cells_is_refused_quickly_naming_the_limit():
    data = one_wide_row("Risks", 2_000_000)
    assert len(data) < 100_000  # the attack is small on the wire
    message, seconds = refused(spreadsheets.read_sheet, io.BytesIO(data), sheet="Risks")
    assert message == (
        "The sheet “Risks” has a row of more than 100 cells: delete the columns the import "
        "does not use and upload it again."
    )
    assert seconds < 2


def test_six_million_valued_cells_are_refused_by_their_unpacked_size():
    data = one_wide_row("Targets", 6_000_000, b"<c><v>1</v></c>")
    assert len(data) < 500_000
    message, seconds = refused(spreadsheets.read_sheet, io.BytesIO(data), sheet="Targets")
    assert message.startswith("The spreadsheet unpacks to more than 40 MB")
    assert seconds < 1


def test_both_importers_refuse_the_wide_row_with_a_clear_error_and_import_nothing():
    programme = ProgrammeFactory()
    plan = MTFPPlanFactory()
    started = time.process_time()
    raid = raid_imports.raid_import_check(
        programme=programme, upload=upload(one_wide_row("Risks", 2_000_000))
    )
    mtfp = mtfp_imports.parse_targets(upload(one_wide_row("Targets", 2_000_000)), plan=plan)
    assert time.process_time() - started < 5
    assert raid.errors == [
        "The sheet “Risks” has a row of more than 50 cells: delete the columns the import does "
        "not use and upload it again."
    ]
    assert mtfp.errors == [
        "The sheet “Targets” has a row of more than 50 cells: delete the columns the import "
        "does not use and upload it again."
    ]
    assert not raid.risks
    assert not mtfp.rows


def test_the_raid_import_page_shows_the_limit_and_saves_nothing(client_as, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    programme = ProgrammeFactory(manager=manager)
    url = reverse("governance:raid_import", kwargs={"slug": programme.slug})
    response = client_as(manager).post(url, {"file": upload(one_wide_row("Risks", 2_000_000))})
    page = response.content.decode()
    assert response.status_code in (200, 400)
    assert "govuk-error-summary" in page
    assert "more than 50 cells" in page
    assert not Risk.objects.exists()


def test_many_rows_of_few_cells_are_refused_at_the_cell_or_row_limit():
    body = b"<row><c/><c/></row>" * 12_000
    data = with_part(workbook("Risks", [["x"]]), SHEET_PART, sheet_xml(body))
    limits = SpreadsheetLimits(max_rows=100_000, max_cells=20_000)
    message, seconds = refused(
        spreadsheets.read_sheet, io.BytesIO(data), sheet="Risks", limits=limits
    )
    assert message == "The sheet “Risks” has more than 20,000 cells: split it into smaller files."
    assert seconds < 3
    message, _ = refused(spreadsheets.read_sheet, io.BytesIO(data), sheet="Risks")
    assert message == "The sheet “Risks” has more than 10,000 rows: split it into smaller files."


def test_a_cell_far_beyond_the_data_is_refused_so_no_padding_is_built():
    for reference in (b"XFD1", b"A1048576"):
        body = b'<row r="1"><c r="' + reference + b'"><v>1</v></c></row>'
        data = with_part(workbook("Risks", [["x"]]), SHEET_PART, sheet_xml(body))
        message, seconds = refused(spreadsheets.read_sheet, io.BytesIO(data), sheet="Risks")
        assert "delete" in message
        assert seconds < 1


def test_a_hostile_dimension_does_not_pad_the_rows():
    data = workbook("Risks", [["Title"], ["A risk"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(SHEET_PART)
    xml = xml.replace(b'<dimension ref="A1:A2"/>', b'<dimension ref="A1:XFD1048576"/>')
    rows = spreadsheets.read_sheet(io.BytesIO(with_part(data, SHEET_PART, xml)), sheet="Risks")
    assert rows == [("Title",), ("A risk",)]


def test_a_part_that_unpacks_to_more_than_the_limit_is_refused_before_it_is_read():
    data = with_part(workbook("Risks", [["x"]]), "xl/media/padding.bin", b"\0" * (41 * 1024 * 1024))
    assert len(data) < 100_000
    message, seconds = refused(spreadsheets.read_sheet, io.BytesIO(data), sheet="Risks")
    assert message.startswith("The spreadsheet unpacks to more than 40 MB")
    assert seconds < 1


def test_a_shared_strings_bomb_is_refused():
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b"<si><t>x</t></si>" * 150_000
        + b"</sst>"
    )
    data = with_part(workbook("Risks", [["Title"]]), "xl/sharedStrings.xml", strings)
    message, _ = refused(spreadsheets.read_sheet, io.BytesIO(data), sheet="Risks")
    assert "more than 100,000 pieces of text" in message


def test_the_parse_time_is_capped():
    data = workbook("Risks", [["Title"], *([f"Risk {n}"] for n in range(2000))])
    message, _ = refused(
        spreadsheets.read_sheet,
        io.BytesIO(data),
        sheet="Risks",
        limits=SpreadsheetLimits(max_seconds=0),
    )
    assert message.startswith("The spreadsheet took longer than 0 seconds to read")


def test_the_upload_size_is_capped_before_it_is_read_whole():
    class Endless(io.RawIOBase):
        served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            buffer[: len(buffer)] = b"\0" * len(buffer)
            self.served += len(buffer)
            return len(buffer)

    source = Endless()
    message, _ = refused(spreadsheets.read_sheet, io.BufferedReader(source), sheet="Risks")
    assert message.startswith("The file is larger than 5 MB")
    assert source.served < 6 * 1024 * 1024


# --- row 1b: malformed XML is a form error, never a 500 ---------------------------------------

MALFORMED = {
    "truncated sheet XML": HEAD + b"<sheetData><row><c><v>1</v></c><row><c t=",
    "junk after </sheetData>": sheet_xml(b"<row><c><v>1</v></c></row>") + b"<<junk>>&",
    "a DTD": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + sheet_xml(b""),
    "not XML at all": b"\x00\xff\xfe binary",
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_damaged_sheet_is_a_clear_error_on_both_importers(kind, client_as, make_user):
    manager, pmo = make_user(Role.PROGRAMME_MANAGER), make_user(Role.PMO)
    programme, plan = ProgrammeFactory(manager=manager), MTFPPlanFactory()
    targets_before = MTFPTarget.objects.count()
    raid = reverse("governance:raid_import", kwargs={"slug": programme.slug})
    mtfp = reverse("benefits:mtfp_import", kwargs={"slug": plan.slug})
    for user, url, field, sheet in [
        (manager, raid, "file", "Risks"),
        (pmo, mtfp, "workbook", "Targets"),
    ]:
        data = with_part(workbook(sheet, [["x"]]), SHEET_PART, MALFORMED[kind])
        response = client_as(user).post(url, {field: upload(data)})
        page = response.content.decode()
        assert response.status_code in (200, 400), (url, kind)
        assert "is damaged and cannot be read" in page, (url, kind)
    assert not Risk.objects.exists()
    assert MTFPTarget.objects.count() == targets_before


def test_malformed_workbook_parts_are_a_clear_error():
    base = workbook("Risks", [["x"]])
    for part in ("xl/workbook.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels"):
        data = with_part(base, part, b"<broken")
        with pytest.raises(SpreadsheetError):
            spreadsheets.read_sheet(io.BytesIO(data), sheet="Risks")


def test_plain_xml_uploads_get_the_same_bounds():
    """The guard for Microsoft Project XML (MSPDI) and other plain XML."""
    many = b"<Project>" + b"<Task/>" * 5000 + b"</Project>"
    with pytest.raises(SpreadsheetError, match="more than 1,000 XML elements"):
        list(bounded_xml_events(io.BytesIO(many), what="The plan", max_elements=1000))
    laughs = b'<!DOCTYPE P [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;">]><Project>&l2;</Project>'
    with pytest.raises(SpreadsheetError, match="is damaged"):
        list(bounded_xml_events(io.BytesIO(laughs), what="The plan", max_elements=1000))


# --- imports parse outside the write transaction -----------------------------------------------


def test_the_raid_import_reads_the_file_outside_any_transaction(make_user, monkeypatch):
    programme = ProgrammeFactory()
    depth = len(connection.atomic_blocks)
    seen = []
    real = raid_imports.read_sheet

    def watching(*args, **kwargs):
        seen.append(len(connection.atomic_blocks))
        return real(*args, **kwargs)

    monkeypatch.setattr(raid_imports, "read_sheet", watching)
    data = workbook("Risks", [raid_imports.HEADERS, ["A risk", "", "", "", 3, 3, 2, 2, 1, 1]])
    result = raid_imports.raid_import(
        programme=programme, upload=upload(data), actor=make_user(Role.PMO)
    )
    assert result.ok, result.errors
    assert seen == [depth]
    assert Risk.objects.filter(programme=programme).count() == 1


# --- row 7: unknown directorates are row errors, looked up in bounded batches -------------------


def test_six_hundred_unknown_directorates_are_row_errors_in_few_queries(
    django_assert_max_num_queries,
):
    plan = MTFPPlanFactory(first_year=2020, last_year=2023)
    rows = [list(mtfp_imports.COLUMNS)] + [
        [f"Line {n}", f"Nowhere directorate {n}", "", "2020/21", 1000] for n in range(600)
    ]
    with django_assert_max_num_queries(4):
        result = mtfp_imports.parse_targets(upload(workbook("Targets", rows)), plan=plan)
    assert len(result.errors) == 600
    assert (
        result.errors[0]
        == "Row 2, column Directorate: there is no directorate called “Nowhere directorate 0”"
    )
    assert not result.rows

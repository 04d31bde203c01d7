"""The bounded reader (core.spreadsheets) reads each part once and gives the values openpyxl's
read-only mode gives: compared here cell for cell on a workbook of every kind of cell."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from core import spreadsheets
from core.spreadsheets import SpreadsheetError
from tests.support.workbooks import with_part

SHEET_PART = "xl/worksheets/sheet1.xml"
# Cells openpyxl does not write itself: inline strings (rich and phonetic runs), booleans,
# errors, a formula's text result, shared and array formulas, ISO dates, cells without a
# reference, an empty value, a row out of order and a row whose last cell is not its widest.
RAW_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>inline</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><r><t>ri</t></r><r><t>ch</t></r>'
    b'<rPh sb="0" eb="1"><t>PH</t></rPh></is></c>'
    b'<c r="D1" t="b"><v>1</v></c><c r="E1" t="e"><v>#N/A</v></c>'
    b'<c r="F1" t="str"><f>A1</f><v>inline</v></c></row>'
    b'<row r="3"><c r="A3"><f t="shared" ref="A3:A5" si="0">B3+1</f><v>2</v></c>'
    b'<c r="B3"><v>1</v></c><c r="C3"><f t="array" ref="C3">SUM(B3:B4)</f><v>3</v></c></row>'
    b'<row r="4"><c r="A4"><f t="shared" si="0"/><v>3</v></c><c><v>9</v></c><c><v>10</v></c>'
    b'<c r="E4" t="d"><v>2026-03-31T10:00:00</v></c></row>'
    b'<row><c r="B5" t="inlineStr"></c><c r="C5"><v></v></c></row>'
    b'<row r="2"><c r="A2"><v>99</v></c></row>'
    b'<row r="7"><c r="C7" s="0"><v>1.0</v></c><c r="B7"><v>5E3</v></c></row>'
    b"</sheetData></worksheet>"
)


def save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def every_kind_of_cell() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Risks"
    sheet.append([
        "Title", 1, 2.5, 1e20, True, False, None, "x", datetime.date(2026, 3, 31),
        datetime.datetime(2026, 3, 31, 12, 30), datetime.time(12, 30),
        datetime.timedelta(hours=30),
    ])  # fmt: skip
    sheet.append([])
    sheet.append([None, None, "gap"])
    sheet["A10"] = "far"
    sheet["E12"] = "=SUM(B1:C1)"
    sheet.append(["x005F_ test", "  spaced  ", "line\nbreak", "“quotes” ünïcødé", -3, 0, 0.1])
    sheet["G20"].number_format = "0.00%"
    sheet["G20"] = 0.5
    sheet["H20"].number_format = "dd/mm/yyyy"
    sheet["H20"] = 45000
    sheet["I20"].number_format = "[h]:mm:ss"
    sheet["I20"] = 1.5
    sheet["J20"] = CellRichText(["plain ", TextBlock(InlineFont(b=True), "bold")])
    other = book.create_sheet("Other")
    other.append(["a", 3])
    other["C5"] = 7
    return save(book)


def mac_dates() -> bytes:
    book = Workbook()
    book.active.title = "Risks"
    book.epoch = datetime.datetime(1904, 1, 1)
    book.active.append([datetime.date(2026, 1, 1), 5])
    return save(book)


def raw_cells() -> bytes:
    book = Workbook()
    book.active.title = "Risks"
    return with_part(save(book), SHEET_PART, RAW_SHEET)


def comparable(value: object) -> object:
    if hasattr(value, "ref") and hasattr(value, "text"):  # an array formula
        return ("array", value.ref, value.text)
    return value


def openpyxl_rows(data: bytes, sheet: str, formulas: bool) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    worksheet = book[sheet]
    worksheet.reset_dimensions()
    rows = [tuple(map(comparable, row)) for row in worksheet.iter_rows(values_only=True)]
    book.close()
    return rows


@pytest.mark.parametrize("formulas", [False, True])
@pytest.mark.parametrize(
    ("build", "sheet"),
    [
        (every_kind_of_cell, "Risks"),
        (every_kind_of_cell, "Other"),
        (mac_dates, "Risks"),
        (raw_cells, "Risks"),
    ],
)
def test_the_reader_gives_the_values_openpyxl_read_only_gives(build, sheet, formulas):
    data = build()
    rows = spreadsheets.read_sheet(io.BytesIO(data), sheet=sheet, formulas=formulas)
    assert [tuple(map(comparable, row)) for row in rows] == openpyxl_rows(data, sheet, formulas)
    assert rows  # something was read


def test_a_prefixed_sheet_reads_as_an_unprefixed_one():
    prefixed = (
        RAW_SHEET.replace(b'<worksheet xmlns="', b'<x:worksheet xmlns:x="')
        .replace(b"</worksheet>", b"</x:worksheet>")
        .replace(b"<sheetData>", b"<x:sheetData>")
        .replace(b"</sheetData>", b"</x:sheetData>")
    )
    for tag in (b"row", b"c", b"v", b"f", b"is", b"t", b"r", b"rPh"):
        prefixed = prefixed.replace(b"<" + tag + b">", b"<x:" + tag + b">")
        prefixed = prefixed.replace(b"<" + tag + b" ", b"<x:" + tag + b" ")
        prefixed = prefixed.replace(b"</" + tag + b">", b"</x:" + tag + b">")
    book = Workbook()
    book.active.title = "Risks"
    data = with_part(save(book), SHEET_PART, prefixed)
    assert spreadsheets.read_sheet(io.BytesIO(data), sheet="Risks") == spreadsheets.read_sheet(
        io.BytesIO(raw_cells()), sheet="Risks"
    )


def test_every_sheet_of_an_opened_workbook_is_read_in_one_pass():
    workbook = spreadsheets.open_workbook(io.BytesIO(every_kind_of_cell()))
    assert workbook.sheetnames == ["Risks", "Other"]
    assert workbook.rows("Other") == [("a", 3), (), (), (), (None, None, 7)]


def test_an_undecodable_cell_refuses_its_sheet_only_when_it_is_read():
    bad = RAW_SHEET.replace(b"<v>99</v>", b"<v>not a number</v>")
    book = Workbook()
    book.active.title = "Risks"
    book.create_sheet("Other").append(["fine"])
    data = with_part(save(book), SHEET_PART, bad)
    workbook = spreadsheets.open_workbook(io.BytesIO(data))
    assert workbook.rows("Other") == [("fine",)]
    with pytest.raises(SpreadsheetError) as caught:
        workbook.rows("Risks")
    assert caught.value.message == (
        "The sheet “Risks” has a cell that cannot be read: save it again from Excel and upload "
        "the new file."
    )


def test_an_invalid_cell_reference_is_refused_naming_it():
    body = RAW_SHEET.replace(b'<c r="A2">', b'<c r="2A">')
    book = Workbook()
    book.active.title = "Risks"
    data = with_part(save(book), SHEET_PART, body)
    with pytest.raises(SpreadsheetError) as caught:
        spreadsheets.read_sheet(io.BytesIO(data), sheet="Risks")
    assert caught.value.message == (
        "The sheet “Risks” has a cell with the invalid reference “2A”: save it again from Excel "
        "and upload the new file."
    )

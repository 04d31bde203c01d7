"""The one export module: the formula guard, typed cells, sheet titles, file names, streaming."""

import csv
import dataclasses
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.http import FileResponse, StreamingHttpResponse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from core import exports
from core.exports import (
    GBP_FORMAT,
    MAX_CELL_TEXT,
    Table,
    csv_cell,
    csv_chunks,
    csv_response,
    download,
    guard,
    safe_filename,
    sheet_title,
    xlsx_bytes,
    xlsx_response,
)

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def _workbook(table: Table):
    return load_workbook(io.BytesIO(xlsx_bytes([table])))


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("text", HOSTILE)
def test_guard_prefixes_every_formula_trigger_with_an_apostrophe(text):
    assert guard(text) == "'" + text


@pytest.mark.parametrize("text", ["Plain", "", "'=already quoted", " =leading space", "£5", "—"])
def test_guard_leaves_other_text_alone(text):
    assert guard(text) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_text_cells_beginning_with_a_trigger_are_quoted(text):
    assert csv_cell(text) == "'" + text


def test_csv_cells_that_are_not_text_keep_their_values():
    assert csv_cell(Decimal("-1500")) == "-1500.00"
    assert csv_cell(Decimal("180000")) == "180000.00"
    assert csv_cell(-3) == "-3"
    assert csv_cell(2.5) == "2.5"
    assert csv_cell(None) == ""
    assert csv_cell(True) == "Yes"
    assert csv_cell(date(2020, 3, 31)) == "2020-03-31"


def test_a_non_string_object_is_text_and_is_guarded():
    class Name:
        def __str__(self) -> str:
            return "=1+1"

    assert csv_cell(Name()) == "'=1+1"


def test_csv_lines_are_guarded_and_parse_back():
    table = Table("t", "T", ["=Header", "Amount"], [[text, Decimal("-2")] for text in HOSTILE])
    text = "".join(csv_chunks(table))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert rows[0] == ["'=Header", "Amount"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE]
    assert all(r[1] == "-2.00" for r in rows[1:])


def _csv_writer_text(headers: list[str], rows: list[list[object]]) -> str:
    """What csv.writer writes for the cells csv_cell makes: the CSV a download must equal."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(h) for h in headers])
    writer.writerows([[csv_cell(v) for v in row] for row in rows])
    return "\ufeff" + buffer.getvalue()


CELLS = [
    "",
    "plain",
    " edge ",
    "a,b",
    'say "hi"',
    "two\nlines",
    "cr\r",
    "=1+1",
    "@x",
    "-3",
    "\t=1",
    "'quoted",
    "£5 — ×",
    None,
    0,
    -3,
    2.5,
    Decimal("1.5"),
    True,
    False,
    date(2020, 3, 31),
    datetime(2020, 7, 1, 9, 30, tzinfo=UTC),
]


@pytest.mark.parametrize("width", [1, 2, 3])
def test_a_csv_is_exactly_what_csv_writer_writes_for_each_cell(width, monkeypatch):
    monkeypatch.setattr(exports, "LINES_PER_CHUNK", 4)
    rows = [
        [CELLS[(i * 7 + j * 3) % len(CELLS)] for j in range(width)] for i in range(len(CELLS) * 2)
    ]
    rows += [[CELLS[i]] * width for i in range(len(CELLS))]  # a column of one kind each
    rows.append(["spacer"] * (width + 1))  # a row longer than the others
    headers = [f"=H{j}" for j in range(width)]
    text = "".join(csv_chunks(Table("t", "T", headers, iter(rows))))
    assert text == _csv_writer_text(headers, rows)


def test_csv_is_written_a_chunk_of_lines_at_a_time(monkeypatch):
    monkeypatch.setattr(exports, "LINES_PER_CHUNK", 2)
    read = []

    def rows():
        for i in range(3):
            read.append(i)
            yield [f"row {i}", i]
        raise AssertionError("the table was read past the rows asked for")

    chunks = csv_chunks(Table("t", "T", ["Name", "N"], rows()))
    assert next(chunks) == "\ufeffName,N\r\nrow 0,0\r\n"
    assert read == [0]  # the header and one row: the first chunk of two lines
    assert next(chunks) == "row 1,1\r\nrow 2,2\r\n"
    assert read == [0, 1, 2]


def test_a_csv_download_is_sent_lines_per_chunk_lines_at_a_time(monkeypatch):
    monkeypatch.setattr(exports, "LINES_PER_CHUNK", 3)
    table = Table("t", "T", ["Name"], ([f"row {i}"] for i in range(7)))
    chunks = list(csv_chunks(table))
    assert [chunk.count("\r\n") for chunk in chunks] == [3, 3, 2]
    assert "".join(chunks) == _csv_writer_text(["Name"], [[f"row {i}"] for i in range(7)])


def test_a_csv_of_no_rows_is_its_header():
    assert "".join(csv_chunks(Table("t", "T", ["A", "B"], []))) == "\ufeffA,B\r\n"


def test_csv_response_streams_with_a_safe_file_name():
    response = csv_response(Table("savings-2019", "Savings 2019/20", ["A"], iter([["=1"]])))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="savings-2019.csv"'
    assert response.getvalue().decode("utf-8-sig") == "A\r\n'=1\r\n"


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_text_cells_are_strings_never_formulas(text):
    data = xlsx_bytes([Table("t", "T", ["Text"], [[text]])])
    cell = load_workbook(io.BytesIO(data)).active["A2"]
    assert cell.data_type == "s"
    # the XML may carry a carriage return as itself or (when written bare) read back as a newline
    assert cell.value in {"'" + text, "'" + text.replace("\r", "\n")}
    assert "<f>" not in _sheet_xml(data)


def test_xlsx_never_types_text_as_a_formula_or_an_error_even_unguarded():
    # "#N/A" does not begin with a trigger, but openpyxl would type it as an error cell
    sheet = _workbook(Table("t", "T", ["Text"], [["#N/A"], ["#REF!"]])).active
    assert [(c.value, c.data_type) for (c,) in sheet.iter_rows(min_row=2)] == [
        ("#N/A", "s"),
        ("#REF!", "s"),
    ]


def test_xlsx_numbers_stay_numbers_and_money_is_in_pounds():
    table = Table(
        "t",
        "T",
        ["Name", "Amount", "Count", "Due"],
        [["Saving", Decimal("-1500.50"), -3, date(2020, 3, 31)]],
        money_columns=frozenset({1}),
    )
    sheet = _workbook(table).active
    name, amount, count, due = sheet[2]
    assert amount.data_type == "n"
    assert amount.value == pytest.approx(-1500.50)
    assert amount.number_format == GBP_FORMAT
    assert count.data_type == "n"
    assert count.value == -3
    assert count.number_format == "General"
    assert due.value.date() == date(2020, 3, 31)
    assert name.value == "Saving"


def test_xlsx_header_is_bold_frozen_and_guarded():
    sheet = _workbook(Table("t", "T", ["Name", "=Header"], [["a", "b"]])).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["B1"].value == "'=Header"


def test_xlsx_drops_characters_xml_cannot_carry_and_caps_cell_length():
    table = Table("t", "T", ["Text"], [["a\x00b\x1fc"], ["x" * (MAX_CELL_TEXT + 10)]])
    sheet = _workbook(table).active
    assert sheet["A2"].value == "abc"
    assert len(sheet["A3"].value) == MAX_CELL_TEXT


def test_xlsx_datetimes_are_written_as_local_wall_clock_time():
    moment = datetime(2020, 7, 1, 9, 30, tzinfo=UTC)
    sheet = _workbook(Table("t", "T", ["When"], [[moment]])).active
    assert sheet["A2"].value == datetime(2020, 7, 1, 10, 30)  # Europe/London, BST


def test_xlsx_column_widths_come_from_the_header_and_first_rows_or_are_given():
    sheet = _workbook(Table("t", "T", ["A", "B"], [["x" * 20, "y"]])).active
    assert sheet.column_dimensions["A"].width == 22
    assert sheet.column_dimensions["B"].width == 3
    fixed = _workbook(Table("t", "T", ["A", "B"], [["x", "y"]], widths=(40, 12))).active
    assert fixed.column_dimensions["A"].width == 40
    assert fixed.column_dimensions["B"].width == 12


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Savings 2019/20", "Savings 2019-20"),
        ("a\\b?c*d[e]f:g", "a-b-c-d-e-f-g"),
        ("'quoted'", "quoted"),
        ("x" * 40, "x" * 31),
        ("", "Sheet"),
        ("Compare with previous quarter", "Compare with previous quarter"),
    ],
)
def test_sheet_titles_are_ones_excel_accepts(title, expected):
    assert sheet_title(title) == expected


def test_a_sheet_titled_with_a_financial_year_opens():
    workbook = _workbook(Table("s", "Savings 2019/20", ["A"], [["a"]]))
    assert workbook.sheetnames == ["Savings 2019-20"]


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("pipeline", "pipeline.csv"),
        ("commercial-risks", "commercial-risks.csv"),
        ('a"b\r\nContent-Type: x', "ab-content-type-x.csv"),
        ("../../etc/passwd", "etc-passwd.csv"),
        ("Savings 2019/20", "savings-2019-20.csv"),
        ("", "download.csv"),
        ("—", "download.csv"),
    ],
)
def test_file_names_are_safe(stem, expected):
    assert safe_filename(stem, "csv") == expected


def test_xlsx_response_streams_a_workbook_from_a_file():
    tables = [Table("report", "One", ["A"], [["=1"]]), Table("two", "Two", ["B"], [[2]])]
    response = xlsx_response(tables, "quarterly review")
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == 'attachment; filename="quarterly-review.xlsx"'
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    assert workbook.sheetnames == ["One", "Two"]
    assert workbook["One"]["A2"].value == "'=1"


def test_an_xlsx_of_a_generator_reads_each_row_once():
    rows = ([f"row {i}", i] for i in range(250))  # more than the width sample
    sheet = _workbook(Table("t", "T", ["Name", "N"], rows)).active
    assert sheet.max_row == 251
    assert sheet["A251"].value == "row 249"


def test_download_picks_the_format_and_refuses_others():
    table = Table("t", "T", ["A"], [])
    assert download(table, "csv")["Content-Type"].startswith("text/csv")
    assert isinstance(download(Table("t", "T", ["A"], []), "xlsx"), FileResponse)
    with pytest.raises(ValueError, match="pdf"):
        download(table, "pdf")


def _read_back(value: object) -> object:
    """What openpyxl reads from an XLSX cell written for ``value``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.astimezone(exports.timezone.get_current_timezone()).replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return guard(value)  # a carriage return too (written as &#13;)
    return value


XLSX_CELLS = [
    *CELLS,
    "a & b < c > d",
    "\ttabbed",
    "trailing ",
    "x\x01y",
    date(1900, 2, 28),
    date(1900, 3, 1),
    datetime(2020, 7, 1, 9, 30),
    Decimal("-1500.50"),
]


@pytest.mark.parametrize("width", [1, 3])
def test_an_xlsx_reads_back_as_each_cell_was_given(width, monkeypatch):
    """Written a column at a time (columns of one kind) or a cell at a time (mixed columns,
    a row of another length), every cell reads back in openpyxl as the value it was given."""
    monkeypatch.setattr(exports, "LINES_PER_CHUNK", 5)
    rows = [
        [XLSX_CELLS[(i * 7 + j * 3) % len(XLSX_CELLS)] for j in range(width)]
        for i in range(len(XLSX_CELLS) * 2)
    ]
    rows += [[XLSX_CELLS[i]] * width for i in range(len(XLSX_CELLS))]  # a column of one kind
    rows += [[v] * width for v in XLSX_CELLS if v not in (None, "")] * 5  # a chunk of one kind
    rows.append(["spacer"] * (width + 1))
    sheet = _workbook(Table("t", "T", [f"H{j}" for j in range(width)], iter(rows))).active
    read = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    expected = [[_read_back(v) for v in row] for row in rows]
    assert [r[: len(e)] for r, e in zip(read, expected, strict=True)] == [
        [v.replace("\x01", "") if isinstance(v, str) else v for v in e] for e in expected
    ]


def test_xlsx_keeps_spaces_at_the_edges_of_text():
    sheet = _workbook(Table("t", "T", ["A"], [[" lead"], ["trail "], ["both"]])).active
    assert [sheet["A2"].value, sheet["A3"].value, sheet["A4"].value] == [" lead", "trail ", "both"]


def test_sheets_with_the_same_title_are_numbered():
    tables = [Table("a", "Risks", ["A"], [["1"]]), Table("b", "risks", ["A"], [["2"]])]
    workbook = load_workbook(io.BytesIO(xlsx_bytes(tables)))
    assert workbook.sheetnames == ["Risks", "risks1"]
    assert workbook["risks1"]["A2"].value == "2"


def test_a_workbook_of_no_tables_or_no_rows_opens():
    assert load_workbook(io.BytesIO(xlsx_bytes([]))).sheetnames == ["Sheet"]
    sheet = _workbook(Table("t", "T", ["A", "B"], [])).active
    assert [c.value for c in sheet[1]] == ["A", "B"]
    assert sheet.max_row == 1


def test_lines_copy_wrote_in_its_text_format_are_unescaped():
    """COPY's text format escapes a newline, a carriage return, a tab, a backslash (and \\b
    \\f \\v) inside a line: a chunk of lines is given back as the lines held them."""
    escaped = b"a\\tb\\\\n\\\\\\n\\r\n" + b"\\b\\f\\v\n"
    assert exports._unescaped(escaped, b"\r\n") == b"a\tb\\n\\\n\r\r\n\b\f\v\r\n"
    assert exports._unescaped(b"plain\nlines\n", b"") == b"plainlines"


def test_xlsx_escapes_text_once_in_a_column_of_text_and_empty_cells():
    """A chunk's column holding text and empty cells is written a cell at a time: its text,
    escaped already, is not escaped a second time ("a &amp; b")."""
    sheet = _workbook(Table("t", "T", ["A", "B"], [["a & b <c>", "x"], ["", "y"]])).active
    assert [sheet["A2"].value, sheet["A3"].value] == ["a & b <c>", None]


def test_a_text_starting_past_the_triggers_needs_no_guard():
    """The SQL twins skip the guard for a text whose first character's code is past every
    formula trigger and every character XML cannot carry: letters are."""
    assert ord("A") >= exports._PAST_TRIGGERS
    assert all(ord(trigger) < exports._PAST_TRIGGERS for trigger in exports.FORMULA_TRIGGERS)
    assert all(code < exports._PAST_TRIGGERS for code in exports._ILLEGAL_BYTES)


# --- COPY's lines read from libpq (PostgreSQL) -------------------------------------------------
needs_copy = pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
NO_ROWS = exports.SqlRows(source="", params=[], cells=[])


def _copy_of(sql: str) -> list[bytes]:
    return [bytes(line) for chunk in exports._copied(NO_ROWS, (sql, [])) for line in chunk]


def _answers_next_query() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


@needs_copy
@pytest.mark.django_db
def test_copy_reads_every_line_in_order_and_leaves_the_connection_ready():
    lines = _copy_of("SELECT n, repeat('x', n % 7) FROM generate_series(1, 5000) n")
    assert lines == [f"{n}\t{'x' * (n % 7)}\n".encode() for n in range(1, 5001)]
    assert _answers_next_query()


@needs_copy
@pytest.mark.django_db
def test_an_error_in_the_middle_of_a_copy_is_the_databases_error_and_nothing_hangs():
    from psycopg.errors import DivisionByZero

    with pytest.raises(DivisionByZero), transaction.atomic():
        _copy_of("SELECT 1 / (n - 4000) FROM generate_series(1, 5000) n")
    assert _answers_next_query()


@needs_copy
@pytest.mark.django_db
def test_a_copy_left_unread_ends_and_the_connection_is_ready():
    with transaction.atomic():  # in a request's own transaction, the cancel ends it
        chunks = exports._copied(NO_ROWS, ("SELECT n FROM generate_series(1, 100000) n", []))
        assert len(next(chunks)) == exports.LINES_PER_CHUNK
        chunks.close()  # a download the browser stopped reading: the COPY cancelled
        transaction.set_rollback(True)
    assert _answers_next_query()


@pytest.mark.parametrize(
    ("lines", "empty_cells"),
    [
        (b"\tb\n", 1),  # the first field empty
        (b"a\t\n", 1),  # the last
        (b"a\tb\n\t\n", 2),  # a whole line of them
        (b"\x1f\tb\n", 1),  # left empty once what XML cannot carry is dropped
        (b"\\b\tb\n", 1),  # the same, escaped by COPY
        (b"a\tb\nc\td\n", 0),
    ],
)
def test_an_empty_text_in_copys_lines_is_an_empty_cell(lines, empty_cells):
    sql = exports.SqlRows(source="", params=[], cells=[exports.SqlCell("x"), exports.SqlCell("y")])
    markup = exports._cell_markup(Table("t", "t", ["A", "B"]), sql)
    xml = exports._marked_up(lines, markup, 2)
    assert exports._EMPTY_TEXT not in xml
    assert xml.count(exports._EMPTY_BYTES) == empty_cells


# A text field as COPY's text format writes it: plain characters, what XML escapes or cannot
# carry (among them the bytes the sheet's own markers use), COPY's escapes, or nothing at all.
_COPY_TEXT = st.lists(
    st.sampled_from(
        [b"a", b" ", b"&", b"<", b">", b"\x01", b"\x02", b"\x03", b"\x1f", b"\\n", b"\\t",
         b"\\\\", b"\\b", b"\\r", "é".encode()]
    ),
    max_size=4,
).map(b"".join)  # fmt: skip


@given(st.lists(st.lists(_COPY_TEXT, min_size=3, max_size=3), min_size=1, max_size=6))
def test_a_sheet_of_text_alone_is_marked_up_as_any_sheet_is(lines):
    """The rows of a sheet of text alone (marked a byte a cell, ``_Markup.text``) are the very
    bytes the markup of any sheet makes of the same lines, empty and escaped texts included."""
    block = b"".join(b"\t".join(fields) + b"\n" for fields in lines)
    sql = exports.SqlRows(source="", params=[], cells=[exports.SqlCell(c) for c in "xyz"])
    markup = exports._cell_markup(Table("t", "t", ["A", "B", "C"]), sql)
    assert markup.text is not None
    general = dataclasses.replace(markup, text=None)
    assert exports._marked_up(block, markup, 2) == exports._marked_up(block, general, 2)

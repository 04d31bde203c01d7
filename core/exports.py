"""Every CSV and XLSX the app writes goes through here: dashboard tables, log exports, import
templates and the quarterly report's workbook.

One guard against spreadsheet formula injection: a text cell beginning with ``= + - @``, a tab
or a carriage return is written prefixed with ``'``, and an XLSX text cell is always typed as a
string (openpyxl would otherwise store any ``str`` beginning ``=`` as a live formula). Numbers,
dates and empty cells are not text: money stays a number (negative amounts too).

Downloads stream: a CSV is written a row at a time from an iterator of rows (give ``Table`` a
generator over ``QuerySet.iterator()``), an XLSX is built by openpyxl's write-only mode into a
temporary file that is then streamed, so memory does not grow with the number of rows.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
GBP_FORMAT = '"£"#,##0;[Red]-"£"#,##0'

# What makes Excel, LibreOffice or Sheets read a cell as a formula (OWASP, "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # so Excel reads a CSV as UTF-8 (£, ×)
MAX_CELL_TEXT = 32_767  # Excel's limit on the characters in one cell
SHEET_TITLE_LENGTH = 31
INVALID_SHEET_TITLE = re.compile(r"[\\/?*\[\]:]")
FILENAME_SEPARATORS = re.compile(r"[/\\.:]")
WIDTH_SAMPLE = 100  # rows read ahead to size an XLSX sheet's columns
MAX_WIDTH = 60
CHUNK_SIZE = 2000  # rows a download reads from the database at a time (QuerySet.iterator)
LINES_PER_CHUNK = 500  # CSV lines a download sends at a time
SPOOL_BYTES = 1024 * 1024  # an XLSX larger than this is built on disk, not in memory
FILENAME_LENGTH = 100


@dataclass
class Table:
    """A table as shown on a page or sheet: a slug for its file name, a title for its sheet,
    headers and rows of values. ``rows`` may be any iterable, read once: a generator over a
    queryset's ``iterator()`` lets a download stream. ``money_columns`` (0-based) get the £
    format in XLSX; ``widths`` fixes the XLSX column widths instead of sizing them from the
    first rows."""

    slug: str
    title: str
    headers: list[str]
    rows: Iterable[Sequence[object]] = field(default_factory=list)
    money_columns: frozenset[int] = frozenset()
    widths: tuple[int, ...] = ()


# --- The guard ----------------------------------------------------------------------------------
def guard(text: str) -> str:
    """``text`` as a spreadsheet will read it as text, never as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _naive(value: datetime) -> datetime:
    """Local wall-clock time: spreadsheets have no time zones."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def csv_cell(value: object) -> str:
    """One CSV field: money to the penny, numbers and dates as themselves, text guarded."""
    if type(value) is str:  # most cells: checked first, guarded inline (a download's hot path)
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return f"{value:.2f}"  # pence-exact: SQLite's sums lose a Decimal's scale
    if _is_number(value):
        return str(value)
    if isinstance(value, datetime):
        return _naive(value).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return guard(str(value))


def xlsx_text(value: object) -> str:
    """Text as an XLSX cell holds it: characters XML cannot carry dropped, guarded, and no
    longer than Excel accepts."""
    return guard(ILLEGAL_CHARACTERS_RE.sub("", str(value)))[:MAX_CELL_TEXT]


def xlsx_cell(sheet: WriteOnlyWorksheet, value: object, *, money: bool = False) -> WriteOnlyCell:
    """One XLSX cell: numbers stay numbers (in £ format if ``money``), dates stay dates, and
    anything else is a string cell, typed as one explicitly so it is never a formula."""
    if value is None:
        return WriteOnlyCell(sheet, None)
    if isinstance(value, bool):
        value = "Yes" if value else "No"
    if _is_number(value):
        cell = WriteOnlyCell(sheet, value)
        if money:
            cell.number_format = GBP_FORMAT
        return cell
    if isinstance(value, datetime):
        return WriteOnlyCell(sheet, _naive(value))
    if isinstance(value, date):
        return WriteOnlyCell(sheet, value)
    cell = WriteOnlyCell(sheet, xlsx_text(value))
    cell.data_type = "s"  # openpyxl types "=…" as a formula and "#N/A" as an error otherwise
    return cell


# --- Names ----------------------------------------------------------------------------------
def sheet_title(title: str) -> str:
    """A title Excel accepts for a sheet: none of ``\\ / ? * [ ] :``, no apostrophe at either
    end, at most 31 characters ("Savings 2019/20" → "Savings 2019-20")."""
    cleaned = INVALID_SHEET_TITLE.sub("-", title).strip().strip("'")
    return cleaned[:SHEET_TITLE_LENGTH].strip() or "Sheet"


def safe_filename(stem: str, extension: str) -> str:
    """A download's file name: lower-case ASCII letters, digits and hyphens, then the
    extension; nothing a browser or a header could misread."""
    cleaned = slugify(FILENAME_SEPARATORS.sub("-", stem))[:FILENAME_LENGTH].strip("-_")
    cleaned = cleaned or "download"
    return f"{cleaned}.{extension}"


# --- CSV ------------------------------------------------------------------------------------
class _Line:
    """A file-like object whose ``write`` hands back what the csv writer wrote: one line."""

    def write(self, line: str) -> str:
        return line


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV, one line at a time (the first with a byte-order mark): rows are read
    from ``table.rows`` as the lines are asked for, never all held at once."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([csv_cell(h) for h in table.headers])
    for row in table.rows:
        yield writer.writerow(list(map(csv_cell, row)))


def csv_chunks(table: Table) -> Iterator[str]:
    """The table's CSV lines joined ``LINES_PER_CHUNK`` at a time: what a download sends. A
    chunk per line cost more in the response's own handling of each chunk than in writing
    the line (`make bench`, the export rows)."""
    lines = csv_lines(table)
    while chunk := "".join(islice(lines, LINES_PER_CHUNK)):
        yield chunk


def csv_response(table: Table, filename: str = "") -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(table), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, safe_filename(filename or table.slug, "csv")
    )
    return response


# --- XLSX -----------------------------------------------------------------------------------
def _widths(table: Table, head: list[Sequence[object]]) -> list[int]:
    if table.widths:
        return list(table.widths)
    widths = []
    for index, header in enumerate(table.headers):
        longest = max(
            [len(str(header)), *(len(str(row[index] or "")) for row in head if index < len(row))]
        )
        widths.append(min(longest + 2, MAX_WIDTH))
    return widths


def _write_sheet(workbook: Workbook, table: Table) -> None:
    """``table`` on a new sheet: bold frozen header row, money as numbers in £ format. Column
    widths are sized from the first ``WIDTH_SAMPLE`` rows; the rest are written as read."""
    sheet = workbook.create_sheet(sheet_title(table.title))
    rows = iter(table.rows)
    head = list(islice(rows, WIDTH_SAMPLE))
    for index, width in enumerate(_widths(table, head), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for label in table.headers:
        cell = xlsx_cell(sheet, label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    money = table.money_columns
    for row in chain(head, rows):
        sheet.append([xlsx_cell(sheet, v, money=i in money) for i, v in enumerate(row)])


def write_xlsx(tables: Iterable[Table], target: IO[bytes]) -> None:
    """A workbook with a sheet per table, written to ``target`` in openpyxl's write-only mode
    (each sheet's rows go to a temporary file as they are read, not into memory)."""
    workbook = Workbook(write_only=True)
    for table in tables:
        _write_sheet(workbook, table)
    workbook.save(target)


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    """The workbook as bytes, for a file that is stored (a report version) or small (a
    template)."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as handle:
        write_xlsx(tables, handle)
        handle.seek(0)
        return handle.read()


def xlsx_response(tables: Table | Sequence[Table], filename: str = "") -> FileResponse:
    """A workbook download, streamed from a temporary file (in memory up to ``SPOOL_BYTES``)."""
    if isinstance(tables, Table):
        tables = [tables]
    handle: Any = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    write_xlsx(tables, handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=safe_filename(filename or tables[0].slug, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )


def download(table: Table, fmt: str, filename: str = "") -> StreamingHttpResponse:
    """``table`` as a CSV or XLSX download (``fmt`` one of ``FORMATS``: views check it before
    building the table, and answer 404 otherwise)."""
    if fmt == "csv":
        return csv_response(table, filename)
    if fmt == "xlsx":
        return xlsx_response(table, filename)
    raise ValueError(f"{fmt!r} is not one of {FORMATS}")

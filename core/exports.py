"""Every CSV and XLSX the app writes goes through here: dashboard tables, log exports, import
templates and the quarterly report's workbook.

One guard against spreadsheet formula injection: a text cell beginning with ``= + - @``, a tab
or a carriage return is written prefixed with ``'``, and an XLSX text cell is always typed as a
string (an inline string: never a formula, never an error value such as ``#N/A``). Numbers,
dates and empty cells are not text: money stays a number (negative amounts too).

Downloads stream: rows are read from an iterator (give ``Table`` a generator over
``QuerySet.iterator()``) ``LINES_PER_CHUNK`` at a time and each chunk is written a column at a
time; a CSV is sent chunk by chunk, an XLSX is written as SpreadsheetML into a zip archive in a
temporary file that is then streamed, so memory does not grow with the number of rows.

On PostgreSQL a table may also say how SQL makes its cells (``SqlRows``): the database then
writes each line of the CSV, guarded as here, or each row's cells' values for the sheet, and
the download streams them from ``COPY ... TO STDOUT`` with no Python work per row (a sheet's
markup and escaping are put in a chunk at a time by a few byte replaces). The CSV's bytes and
the sheet's cells are the same (the tests compare both ways on hostile values)."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, count, islice, repeat, zip_longest
from operator import is_not
from types import NoneType
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from django.db import connections
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.datetime import to_excel
from psycopg.errors import error_from_result
from psycopg.pq import ExecStatus

from .archive import Archive

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
# Lines a download sends at a time (a sheet: makes XML of at a time, while PostgreSQL writes the
# next): 800 risks' sheet took 1.95x a COPY of its rows beyond one programme's at 500 lines,
# 1.53x at 200 (bench/experiments/xlsx_chunk_lines.py)
LINES_PER_CHUNK = 200
SPOOL_BYTES = 1024 * 1024  # an XLSX larger than this is built on disk, not in memory
FILENAME_LENGTH = 100


@dataclass(frozen=True)
class SqlCell:
    """One column's cells as an SQL expression over ``SqlRows.source``: text (NULL for an
    empty cell), text that is always safe as it is (``kind`` "safe": never guarded, never
    holding what XML cannot carry, never too long for a cell), or a number (``kind``
    "decimal" or "integer") that stays a number."""

    sql: str
    params: Sequence[object] = ()
    kind: str = "text"


@dataclass(frozen=True)
class SqlRows:
    """A table's rows as PostgreSQL makes them: ``source`` is a FROM item (the rows' own
    query, in its order) and each of ``cells`` one column's cells over it."""

    source: str
    params: Sequence[object]
    cells: list[SqlCell]
    using: str = "default"


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
    sql: SqlRows | None = None  # the same rows as SQL makes them (PostgreSQL only)


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
# A download's hot path works a column of a chunk of rows at a time, so that most cells cost no
# Python call of their own: a column is searched once for what would need work on some of its
# cells (a formula trigger at the start of a cell, a character that makes the csv module quote
# a field), and only then are its cells looked at one by one. The lines are exactly what
# ``csv.writer`` writes for the cells ``csv_cell`` makes (the tests compare the two).
# A trigger at a cell's start, in "\n" + the column joined by "\n" (one scan: quicker than six)
_LINE_START_TRIGGER = re.compile("\n[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")
_QUOTED_FOR = (",", '"', "\r", "\n")  # what makes csv.writer (QUOTE_MINIMAL) quote a field
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
_TEXT_AS_IS = frozenset({int, float, date})  # str() of these is what csv_cell makes
_TEXT_OR_NONE = frozenset({str, NoneType})


def _csv_texts(values: Sequence[object]) -> Sequence[str]:
    """One column's cells as ``csv_cell`` makes them."""
    kinds = set(map(type, values))
    if kinds <= _TEXT_OR_NONE:
        texts: Sequence[str] = values  # type: ignore[assignment]
        if NoneType in kinds:
            texts = [value or "" for value in texts]
        column = "\n" + "\n".join(texts)  # a cell's start follows a "\n" (and some others)
        if _LINE_START_TRIGGER.search(column):
            return [guard(text) for text in texts]
        return texts
    if kinds <= _TEXT_AS_IS:
        return list(map(str, values))
    return list(map(csv_cell, values))


def _csv_fields(values: Sequence[object]) -> Sequence[str]:
    """One column's fields as ``csv.writer`` writes them: quoted where they must be."""
    texts = _csv_texts(values)
    column = "".join(texts)
    if any(special in column for special in _QUOTED_FOR):
        return [_quoted(text) if _NEEDS_QUOTES.search(text) else text for text in texts]
    return texts


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _csv_rows(rows: list[Sequence[object]]) -> str:
    """Some rows as CSV lines."""
    widths = set(map(len, rows))
    if len(widths) == 1 and widths.pop() > 1:  # a lone empty field is written as ""
        columns = map(_csv_fields, zip(*rows, strict=True))
        return "\r\n".join(map(",".join, zip(*columns, strict=True))) + "\r\n"
    buffer = io.StringIO()  # rows of different lengths (a spacer row) or one column: as is
    csv.writer(buffer).writerows([list(map(csv_cell, row)) for row in rows])
    return buffer.getvalue()


def csv_chunks(table: Table) -> Iterator[str | bytes]:
    """The table as CSV (the first line with a byte-order mark), ``LINES_PER_CHUNK`` lines a
    chunk (the header and the first rows, then rows): what a download sends. Rows are read
    from ``table.rows`` a chunk at a time, never all held at once; or, where the table says
    how SQL makes them (and has more than one column), as PostgreSQL writes them."""
    if table.sql is not None and len(table.headers) > 1:
        chunks = _copied(table.sql, _csv_lines_sql(table.sql), csv=True, first=LINES_PER_CHUNK - 1)
        with closing(chunks):  # the COPY ended, even if the download stops on an error
            yield (BOM + _csv_rows([table.headers])).encode() + _crlf(next(chunks, []))
            for lines in chunks:
                yield _crlf(lines)
        return
    rows = iter(table.rows)
    first = list(islice(rows, LINES_PER_CHUNK - 1))
    yield BOM + _csv_rows([table.headers]) + (_csv_rows(first) if first else "")
    while chunk := list(islice(rows, LINES_PER_CHUNK)):
        yield _csv_rows(chunk)


def csv_response(table: Table, filename: str = "") -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(table), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        True, safe_filename(filename or table.slug, "csv")
    )
    return response


# --- XLSX -----------------------------------------------------------------------------------
# A workbook is written here as SpreadsheetML by hand, a chunk of rows at a time, straight into
# a zip archive: every cell's XML is made a column at a time as a CSV's fields are (a column is
# searched once for what needs work on some of its cells), text as inline strings (nothing is
# held for a shared-strings table), one style each for the bold header, money, dates and
# date-times. openpyxl reads these files back in the tests, as Excel and LibreOffice do.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BOLD, _MONEY, _DATE, _DATETIME = 1, 2, 3, 4  # the cellXfs of _STYLES, in order
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="3"><numFmt numFmtId="164" formatCode={quoteattr(GBP_FORMAT)}/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="166" formatCode="yyyy-mm-dd h:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_SHEET_START = (
    f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheetViews>'
    '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView>'
    '</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
)
_ROW = '<row r="{}">{}</row>'.format
_EMPTY = "<c/>"
_TEXT = '<c t="inlineStr"><is><t>'
_TEXT_SPACED = '<c t="inlineStr"><is><t xml:space="preserve">'
_TEXT_END = "</t></is></c>"
_XML_ESCAPED = ("&", "<", ">", "\r")  # a carriage return as itself would be read as "\n"
_NUMBER_KINDS = frozenset({int, float, Decimal, NoneType})
_EXCEL_EPOCH = date(1899, 12, 30)
_LEAP_BUG_END = date(1900, 3, 1)  # Excel counts a 29 February 1900: earlier days are one less


# What ILLEGAL_CHARACTERS_RE matches (no byte of UTF-8's multi-byte characters is among them).
_ILLEGAL_BYTES = bytes(code for code in range(32) if ILLEGAL_CHARACTERS_RE.match(chr(code)))


def _holds_illegal(text: str) -> bool:
    """Whether ``text`` holds a character XML cannot carry (a byte-wise scan: quicker than the
    regular expression over a whole column)."""
    encoded = text.encode(errors="surrogatepass")
    return len(encoded.translate(None, _ILLEGAL_BYTES)) != len(encoded)


def _xml_text(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _text_cell(text: str, style: int = 0) -> str:
    """One cell of text (XML-clean and guarded already), typed as a string: never a formula,
    never an error value such as ``#N/A``."""
    if not text:
        return _EMPTY
    styled = f' s="{style}"' if style else ""
    return f'<c t="inlineStr"{styled}><is><t xml:space="preserve">{_xml_text(text)}{_TEXT_END}'


def _serial(value: date) -> int:
    """A date as Excel's serial number of days."""
    days = (value - _EXCEL_EPOCH).days
    return days - 1 if value < _LEAP_BUG_END and days > 0 else days


def _xlsx_cell(value: object, money: bool = False) -> str:
    """One cell: numbers stay numbers (in £ format if ``money``), dates stay dates, and
    anything else is text."""
    if value is None:
        return _EMPTY
    if isinstance(value, bool):
        return _text_cell("Yes" if value else "No")
    if _is_number(value):
        return f'<c s="{_MONEY}"><v>{value}</v></c>' if money else f"<c><v>{value}</v></c>"
    if isinstance(value, datetime):
        return f'<c s="{_DATETIME}"><v>{to_excel(_naive(value))}</v></c>'
    if isinstance(value, date):
        return f'<c s="{_DATE}"><v>{_serial(value)}</v></c>'
    return _text_cell(xlsx_text(value))


def _xlsx_column(values: Sequence[object], money: bool) -> tuple[str, Sequence[object] | None]:
    """One column of a chunk of rows, as ``_xlsx_cell`` makes each cell: the XML each row
    holds for it (with ``{}`` where the row's own value goes) and the values to put there
    (None when every row holds the same XML, as in a column of empty cells). A column all of
    text, all of numbers or all of dates is made a column at a time, the rest a cell at a
    time."""
    kinds = set(map(type, values))
    if kinds <= _TEXT_OR_NONE:
        texts = _xlsx_texts(values)  # type: ignore[arg-type]
        if all(texts):
            # str.strip hands back the very same text when there is nothing to strip
            spaced = any(map(is_not, texts, map(str.strip, texts)))
            return (_TEXT_SPACED if spaced else _TEXT) + "{}" + _TEXT_END, texts
        if not any(texts):
            return _EMPTY, None
        # escaped already: not through _text_cell, which would escape them again
        return "{}", [_TEXT_SPACED + text + _TEXT_END if text else _EMPTY for text in texts]
    if NoneType not in kinds:
        if kinds <= _NUMBER_KINDS:
            return (f'<c s="{_MONEY}"><v>{{}}</v></c>' if money else "<c><v>{}</v></c>"), values
        if kinds == {date}:
            return f'<c s="{_DATE}"><v>{{}}</v></c>', list(map(_serial, values))  # type: ignore[arg-type]
    return "{}", [_xlsx_cell(value, money) for value in values]


def _xlsx_texts(values: Sequence[str | None]) -> Sequence[str]:
    """A column of text as XLSX cells hold it (``xlsx_text``), XML-escaped."""
    texts: Sequence[str] = [value or "" for value in values] if None in values else values  # type: ignore[assignment]
    column = "\n" + "\n".join(texts)
    if _holds_illegal(column) or max(map(len, texts)) >= MAX_CELL_TEXT:
        texts = [xlsx_text(text) for text in texts]
    elif _LINE_START_TRIGGER.search(column):
        texts = [guard(text) for text in texts]
    if any(special in column for special in _XML_ESCAPED):
        texts = list(map(_xml_text, texts))
    return texts


# --- Rows PostgreSQL writes -----------------------------------------------------------------
# Each cell is made by SQL as ``csv_cell`` and ``_xlsx_cell`` make it in Python. A column's
# cells come from a subquery (each computed once however often a line refers to it). A CSV's
# lines are sent by COPY in its CSV format (which quotes a field as csv.writer does); a sheet's
# rows in COPY's text format, where every newline, carriage return, tab and backslash inside a
# line is escaped: a chunk of lines is unescaped with a few replaces, and the characters XML
# cannot carry are dropped from it (what no row's markup holds) in one pass.
_TRIGGER_CODES = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)
# What ILLEGAL_CHARACTERS_RE matches (PostgreSQL's text holds no NUL), as an SQL literal
_XML_ILLEGAL = "E'" + "".join(f"\\x{code:02x}" for code in _ILLEGAL_BYTES if code) + "'"
_COPY_ESCAPES = tuple(
    (b"\\" + letter, char)
    for letter, char in (
        (b"n", b"\n"), (b"r", b"\r"), (b"t", b"\t"), (b"b", b"\b"), (b"f", b"\f"), (b"v", b"\v")
    )
)  # fmt: skip


# A sheet's rows from COPY's text format: a carriage return inside a text is written as XML's
# character reference (as ``_xml_text`` writes it), every other escape as its character.
_XML_COPY_ESCAPES = tuple(
    (escaped, b"&#13;" if char == b"\r" else char.translate(None, _ILLEGAL_BYTES))
    for escaped, char in _COPY_ESCAPES
)
_TEXT_KINDS = ("text", "safe")
_EMPTY_BYTES = _EMPTY.encode()
_EMPTY_TEXT = (_TEXT_SPACED + _TEXT_END).encode()  # a text left empty: an empty cell


def _guard_sql(text: str, first: str = "") -> str:
    """``guard`` in SQL (``first``: the code of the character looked at, if not the first)."""
    first = first or f"ascii({text})"
    return f"CASE WHEN {first} IN ({_TRIGGER_CODES}) THEN '''' || {text} ELSE {text} END"


# Every formula trigger, and every character XML cannot carry, comes before "A" (65): a text
# that starts with a letter needs no guard (most cells, looked at first).
_PAST_TRIGGERS = max(map(ord, FORMULA_TRIGGERS)) + 1


def _cells_sql(rows: SqlRows, numbered: bool = False) -> tuple[str, list[object]]:
    """The rows with each cell a column ``c0``, ``c1`` … (and ``n``, each row's number from
    1, if ``numbered``), in the rows' order. The SQL's text is made of the rows' own query
    (the ORM's), the cells' SQL twins (constant fragments and the field's aliases) and this
    module's constants; every value goes as a parameter."""
    cells = ", ".join(f"{cell.sql} AS c{i}" for i, cell in enumerate(rows.cells))
    params = [param for cell in rows.cells for param in cell.params]
    number = "row_number() OVER () AS n, " if numbered else ""
    # OFFSET 0: the subquery is not merged into the query over it (its cells computed once)
    sql = f"SELECT {number}{cells} FROM {rows.source} OFFSET 0"  # noqa: S608 (see below)
    return sql, [*params, *rows.params]


def _csv_field_sql(cell: SqlCell, name: str) -> str:
    """``csv_cell`` in SQL (NULL for an empty field: COPY writes it unquoted)."""
    if cell.kind == "decimal":
        return f"round({name}, 2)"
    if cell.kind == "safe":
        return f"NULLIF({name}, '')"
    if cell.kind != "text":
        return name
    guarded = f"WHEN ascii({name}) = 0 THEN NULL ELSE {_guard_sql(name)}"
    return f"CASE WHEN ascii({name}) >= {_PAST_TRIGGERS} THEN {name} {guarded} END"


def _csv_lines_sql(rows: SqlRows) -> tuple[str, list[object]]:
    """Each row's fields as a CSV line holds them (COPY's CSV format quotes them as
    ``csv.writer`` does)."""
    cells, params = _cells_sql(rows)
    fields = ", ".join(_csv_field_sql(cell, f"c.c{i}") for i, cell in enumerate(rows.cells))
    return f"SELECT {fields} FROM ({cells}) AS c", params  # noqa: S608 (see _cells_sql)


def _xlsx_text_sql(name: str) -> str:
    """``xlsx_text`` in SQL ("" for NULL), but for dropping the characters XML cannot carry,
    which is done to the rows as they are read (``_marked_up``): the guard looks at the first
    character that stays. A text that may be too long has them dropped here."""
    first = f"CASE WHEN ascii({name}) < 32 THEN ascii(ltrim({name}, {_XML_ILLEGAL})) END"
    short = _guard_sql(name, f"COALESCE({first}, ascii({name}))")
    clean = f"translate({name}, {_XML_ILLEGAL}, '')"
    long = f"left({_guard_sql(clean)}, {MAX_CELL_TEXT})"
    fits = f"octet_length({name}) < {MAX_CELL_TEXT}"
    plain = f"ascii({name}) >= {_PAST_TRIGGERS} AND {fits}"
    cases = f"WHEN {plain} THEN {name} WHEN {fits} THEN {short} WHEN {name} IS NULL THEN ''"
    return f"CASE {cases} ELSE {long} END"


def _xlsx_fields_sql(rows: SqlRows) -> tuple[str, list[object]]:
    """Each row's cells' values: text as ``_xlsx_text_sql`` makes it, a number as itself or
    NULL. The markup around them is put in by ``_marked_up``, a chunk at a time."""
    cells, params = _cells_sql(rows)
    values = ", ".join(
        _xlsx_text_sql(f"c{i}") if cell.kind == "text" else f"c{i}"
        for i, cell in enumerate(rows.cells)
    )
    return f"SELECT {values} FROM ({cells}) AS c", params  # noqa: S608 (see _cells_sql)


def _copied(
    rows: SqlRows, query: tuple[str, list[object]], csv: bool = False, first: int | None = None
) -> Iterator[list[Any]]:
    """The lines ``query`` makes, as COPY writes them in its text or CSV format, a list of
    ``LINES_PER_CHUNK`` at a time (of ``first`` the first time, if given)."""
    sql, params = query
    database = connections[rows.using]
    database.ensure_connection()
    options = " (FORMAT csv)" if csv else ""
    with (
        database.connection.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT{options}", params) as copy,
    ):
        lines = _copy_lines(copy, cursor.connection)
        yield list(islice(lines, LINES_PER_CHUNK if first is None else first))
        while chunk := list(islice(lines, LINES_PER_CHUNK)):
            yield chunk


def _copy_lines(copy: Any, connection: Any) -> Iterator[bytes]:
    """A COPY's lines, a line each (libpq hands its data over a row at a time): each line
    already received taken straight from libpq (``PQgetCopyData`` without waiting), the
    others waited for by psycopg's ``Copy.read``. psycopg's own iteration waits through a
    generator for every line, the XLSX's dearest step once its SQL got cheaper: 80,000 risks'
    sheet took 430 ms this way against 475 ms (bench/experiments/copy_lines.py). At the end
    the COPY's result is read here, an error raised as psycopg raises it."""
    pgconn = connection.pgconn
    while True:
        size, line = pgconn.get_copy_data(1)
        if size > 0:
            yield line
        elif size == 0:  # nothing received yet: psycopg waits for it (or for the end)
            line = copy.read()
            if not line:
                return
            yield line
        else:  # the end, seen here: the COPY's results read (the connection idle again)
            results = list(iter(pgconn.get_result, None))
            for result in results:
                if result.status != ExecStatus.COMMAND_OK:
                    raise error_from_result(result, encoding=connection.info.encoding)
            return


def _crlf(lines: list[Any]) -> bytes:
    """CSV lines as COPY writes them (each ending "\\n") as ``csv.writer`` does ("\\r\\n")."""
    block = b"".join(lines)
    if not lines or block.count(b"\n") == len(lines):  # no field holds a newline
        return block.replace(b"\n", b"\r\n")
    return b"\r\n".join([line[:-1] for line in lines]) + b"\r\n"


def _unescaped(block: bytes, end: bytes, escapes: tuple = _COPY_ESCAPES) -> bytes:
    """Lines as COPY's text format writes them, each line's newline made ``end`` and the
    escapes within them (of newlines, tabs, backslashes …) undone, as ``escapes`` says."""
    if b"\\" not in block:
        return block.replace(b"\n", end)
    parts = block.split(b"\\\\")  # escaped backslashes: every other backslash starts an escape
    for i, part in enumerate(parts):
        part = part.replace(b"\n", end)
        if b"\\" in part:
            for escaped, char in escapes:
                part = part.replace(escaped, char)
        parts[i] = part
    return b"\\".join(parts)


def _length(value: object) -> int:
    """How long a cell is, to size its column: its text as the cell holds it."""
    return len(xlsx_text(value)) if type(value) is str else len(str(value or ""))


def _lines_lengths(lines: list[bytes], cells: list[SqlCell]) -> list[list[int]]:
    """``_length`` of each cell of some lines of ``_xlsx_fields_sql``: where they hold no
    backslash (no escape, no NULL: most first rows), measured a line at a time."""
    if not lines or b"\\" in b"".join(lines):
        return [_field_lengths(line, cells) for line in lines]
    texts = b"\n".join(lines).translate(None, _ILLEGAL_BYTES).decode().split("\n")
    lengths = [list(map(len, text.split("\t"))) for text in texts]
    numbers = [i for i, cell in enumerate(cells) if cell.kind not in _TEXT_KINDS]
    for row, line in zip(lengths, lines, strict=True):
        values = line.split(b"\t") if numbers else []
        for i in numbers:
            row[i] = row[i] if Decimal(values[i].decode()) else 0
    return lengths


def _field_lengths(line: bytes, cells: list[SqlCell]) -> list[int]:
    """``_length`` of each cell of a line of ``_xlsx_fields_sql``, from its fields."""
    lengths = []
    for value, cell in zip(line.split(b"\t"), cells, strict=True):
        if value == b"\\N":
            lengths.append(0)
        elif cell.kind in _TEXT_KINDS:
            text = _unescaped(value, b"\n").translate(None, _ILLEGAL_BYTES)
            lengths.append(len(text.decode()))
        else:
            lengths.append(len(value) if Decimal(value.decode()) else 0)
    return lengths


def _widths(table: Table, lengths: Iterable[Sequence[int]]) -> list[int]:
    """The columns' widths: ``table.widths``, or each sized to fit its header and the lengths
    of its first cells."""
    if table.widths:
        return list(table.widths)
    # a column at a time (a row shorter than the headers adds nothing to the columns it lacks)
    columns = zip_longest(*lengths, fillvalue=0)
    return [
        min(max(len(str(header)), *column) + 2, MAX_WIDTH)
        for header, column in zip(table.headers, chain(columns, repeat((0,))), strict=False)
    ]


def _sheet_start(table: Table, widths: list[int]) -> str:
    """A sheet's XML up to its rows: the columns' widths and the bold frozen header row."""
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
        for i, width in enumerate(widths, start=1)
    )
    header = "".join(_text_cell(xlsx_text(label), _BOLD) for label in table.headers)
    return (
        f"{_SHEET_START}{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
        f'<row r="1">{header}</row>'
    )


_SHEET_END = "</sheetData></worksheet>"


def _sheet_rows(table: Table) -> Iterator[bytes]:
    """A sheet's XML, a chunk of rows at a time: bold frozen header row, money as numbers in
    £ format. Column widths are sized from the first ``WIDTH_SAMPLE`` rows; the rest are
    written as read."""
    if table.sql is not None:
        yield from _copied_sheet_rows(table, table.sql)
        return
    rows = iter(table.rows)
    head = list(islice(rows, WIDTH_SAMPLE))
    lengths = ([_length(value) for value in row] for row in head)
    yield _sheet_start(table, _widths(table, lengths)).encode()
    money = table.money_columns
    number = 2
    rows = chain(head, rows)
    while chunk := list(islice(rows, LINES_PER_CHUNK)):
        widths = set(map(len, chunk))
        if len(widths) == 1 and widths.pop():
            pieces, columns = zip(
                *(
                    _xlsx_column(values, i in money)
                    for i, values in enumerate(zip(*chunk, strict=True))
                ),
                strict=True,
            )
            row = '<row r="{}">' + "".join(pieces) + "</row>"
            yield "".join(map(row.format, count(number), *filter(None, columns))).encode()
        else:  # rows of different lengths (a spacer row): a row at a time
            cells = ("".join(_xlsx_cell(v, i in money) for i, v in enumerate(r)) for r in chunk)
            yield "".join(map(_ROW, count(number), cells)).encode()
        number += len(chunk)
    yield _SHEET_END.encode()


@dataclass(frozen=True)
class _Markup:
    """What makes a line of ``_xlsx_fields_sql``'s fields a ``<row>`` element: what goes
    before its first field (with ``%d`` for the row's number), between each two fields and
    after the last, and what a NULL number is written as (COPY's ``\\N`` in its markup).
    ``text`` is the markup of a row of text alone (every cell text: no NULL, one markup),
    with ``_OPENS`` and ``_CLOSES`` for each cell's markup (see ``_marked_up``)."""

    start: bytes
    between: tuple[bytes, ...]
    end: bytes
    nulls: tuple[bytes, ...]
    text: _Markup | None = None


# In a sheet of text alone, each cell is first marked by one byte that opens it and one that
# closes it, bytes no text holds (both are among those XML cannot carry, dropped from the rows
# first): an empty text is then an opening byte straight before a closing one, made an empty
# cell by one replace of two bytes before the markup goes in, rather than by seeking an empty
# text's whole markup (58 bytes) through the rows' XML afterwards.
_OPENS, _CLOSES, _EMPTIES = b"\x02", b"\x01", b"\x03"


def _cell_markup(table: Table, rows: SqlRows) -> _Markup:
    opens, closes, nulls = [], [], set()
    for i, cell in enumerate(rows.cells):
        if cell.kind in _TEXT_KINDS:
            opens.append(_TEXT_SPACED)
            closes.append(_TEXT_END)
        else:
            opens.append(f'<c s="{_MONEY}"><v>' if i in table.money_columns else "<c><v>")
            closes.append("</v></c>")
            nulls.add(f"{opens[-1]}\\N{closes[-1]}".encode())
    between = tuple(
        f"{closed}{opened}".encode() for closed, opened in zip(closes[:-1], opens[1:], strict=True)
    )
    start = f'<row r="%d">{opens[0]}'.encode()
    end = f"{closes[-1]}</row>".encode()
    text = None
    if all(cell.kind in _TEXT_KINDS for cell in rows.cells):
        compact = _CLOSES + _OPENS
        text = _Markup(b'<row r="%d">' + _OPENS, (compact,) * len(between), _CLOSES + b"</row>", ())
    return _Markup(start, between, end, tuple(nulls), text)


def _marked_up(block: bytes, markup: _Markup, number: int) -> bytes:
    """Lines of ``_xlsx_fields_sql``'s fields, as COPY's text format writes them, made the
    rows' XML (numbered from ``number``) with no Python work per cell: the characters XML
    cannot carry dropped, the text escaped, the markup put between the fields (a table of
    text alone: one replace of every tab), empty cells made ``<c/>`` and COPY's escapes
    undone. Every tab and newline in COPY's text is a field's or a line's end (those inside
    a text are escaped), and no markup holds anything a later step changes."""
    block = block.translate(None, _ILLEGAL_BYTES)
    block = block.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
    xml = _rows_xml(block, markup.text or markup, number)
    if markup.text is not None:
        # 800 risks' rows: 3.64 ms this way, 4.00 ms with each cell's markup put in at once and
        # the empty ones sought in it; 80,000 risks': 367 ms, 388 ms
        # (bench/experiments/xlsx_markup.py)
        xml = xml.replace(_OPENS + _CLOSES, _EMPTIES)
        xml = xml.replace(_CLOSES, _TEXT_END.encode()).replace(_OPENS, _TEXT_SPACED.encode())
        xml = xml.replace(_EMPTIES, _EMPTY_BYTES)
    for null in markup.nulls:
        xml = xml.replace(null, _EMPTY_BYTES)
    if b"\\" in xml:
        xml = _unescaped(xml, b"\n", _XML_COPY_ESCAPES)
    elif markup.text is not None:
        return xml  # its empty texts made empty cells above
    # an empty text (or one left empty once COPY's escapes are undone): an empty cell
    return xml.replace(_EMPTY_TEXT, _EMPTY_BYTES)


def _rows_xml(block: bytes, markup: _Markup, number: int) -> bytes:
    """The lines' fields with ``markup`` around and between them, each line a numbered row."""
    rows = block.count(b"\n")
    starts = [markup.start % n for n in range(number, number + rows)]
    if len(set(markup.between)) <= 1:
        between = markup.between[0] if markup.between else b""
        lines = block.replace(b"\t", between).split(b"\n")
        columns: list[Iterable[bytes]] = [starts, lines[:rows], repeat(markup.end)]
    else:
        fields = block[:-1].replace(b"\n", b"\t").split(b"\t")
        width = len(markup.between) + 1
        columns = [starts]
        for i, between in enumerate((*markup.between, markup.end)):
            columns += [fields[i::width], repeat(between)]
    return b"".join(chain.from_iterable(zip(*columns)))  # noqa: B905 (ends with the rows)


def _copied_sheet_rows(table: Table, rows: SqlRows) -> Iterator[bytes]:
    """``_sheet_rows`` as PostgreSQL writes the rows (each line a row's cells' values), made
    XML by ``_marked_up``; the columns are sized from the first ``WIDTH_SAMPLE`` lines, all
    in the first chunk."""
    first = max(LINES_PER_CHUNK, WIDTH_SAMPLE)
    copied = _copied(rows, _xlsx_fields_sql(rows), first=first)
    with closing(copied):  # the COPY ended, even if the sheet stops on an error
        chunks = (b"".join(lines) for lines in copied)
        head = next(chunks, b"")
        lines = head.split(b"\n", WIDTH_SAMPLE)[: min(WIDTH_SAMPLE, head.count(b"\n"))]
        lengths = _lines_lengths(lines, rows.cells)
        yield _sheet_start(table, _widths(table, lengths)).encode()
        markup, number = _cell_markup(table, rows), 2  # under the header
        for chunk in chain([head] if head else [], chunks):
            yield _marked_up(chunk, markup, number)
            number += chunk.count(b"\n")
    yield _SHEET_END.encode()


def _unique_title(title: str, taken: set[str]) -> str:
    """The sheet's title, numbered if another sheet has it already (Excel ignores case)."""
    candidate, number = title, 0
    while candidate.lower() in taken:
        number += 1
        candidate = title[: SHEET_TITLE_LENGTH - len(str(number))] + str(number)
    taken.add(candidate.lower())
    return candidate


def write_xlsx(tables: Iterable[Table], target: IO[bytes]) -> None:
    """A workbook with a sheet per table, written to ``target`` a chunk of rows at a time
    (each sheet's XML is compressed into the archive as it is made, not held in memory)."""
    titles: list[str] = []
    taken: set[str] = set()
    with Archive(target) as archive:
        for table in tables:
            titles.append(_unique_title(sheet_title(table.title), taken))
            with (
                archive.part(f"xl/worksheets/sheet{len(titles)}.xml") as write,
                closing(_sheet_rows(table)) as sheet,  # its COPY ended, even on an error
            ):
                for xml in sheet:
                    write(xml)
        if not titles:  # a workbook needs a sheet
            titles.append("Sheet")
            archive.write("xl/worksheets/sheet1.xml", b"".join(_sheet_rows(Table("", "", []))))
        numbers = range(1, len(titles) + 1)
        sheets = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{n}" r:id="rId{n}"/>'
            for n, title in zip(numbers, titles, strict=True)
        )
        archive.write(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><bookViews>'
            f"<workbookView/></bookViews><sheets>{sheets}</sheets></workbook>",
        )
        relationships = "".join(
            f'<Relationship Id="rId{n}" Type="{_RELATIONSHIPS}/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in numbers
        )
        archive.write(
            "xl/_rels/workbook.xml.rels",
            f'{_XML}<Relationships xmlns="{_PACKAGE}">{relationships}'
            f'<Relationship Id="rId{len(titles) + 1}" Type="{_RELATIONSHIPS}/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        archive.write("xl/styles.xml", _STYLES)
        archive.write(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
            f'Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in numbers
        )
        archive.write(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )


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

"""Untrusted spreadsheets and XML, read within bounds: the one reader every importer uses.

A small upload can unfold into a great deal of work: a 63 KB .xlsx can hold one row of two
million cells, a zip can declare gigabytes, a sheet can be truncated or have junk after its
data. This module checks, in order:

1. the upload's size (``max_upload_bytes``);
2. the zip: its number of parts and their declared uncompressed sizes, each and together
   (zipfile never inflates a part beyond its declared size, so the declared sizes bound the work);
3. every XML part (sheets, shared strings, styles), streamed through expat (no DTDs, no
   entities, as defusedxml refuses them): elements, rows, cells per row, cells per sheet, the
   highest row and column a cell names, pieces of text — and the XML must be well formed to
   its end;
4. the time: one deadline from opening the file to the last value read (``max_seconds``).

The values are read in that same pass, one parse per part: the shared strings and the styles
first, then each sheet's cells, decoded as openpyxl's read-only mode decodes them (its own
helpers turn numbers into dates and formulas into text), and nothing is returned before every
part has been checked. A cell that cannot be decoded makes its sheet unreadable. Every refusal
is a ``SpreadsheetError`` whose message names the limit and can be shown on the form as it is.

``bounded_xml_events`` is the XML bound for plain XML uploads (Microsoft Project MSPDI) and the
workbook's small index parts, where a parsed element is handier than a stream of names.
"""

from __future__ import annotations

import io
import posixpath
import re
import time
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, NoReturn
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl.formula.translate import Translator
from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from core.numbers import whole_number

MIB = 1024 * 1024


@dataclass(frozen=True)
class SpreadsheetLimits:
    """The bounds on one upload. The defaults fit every importer's template many times over."""

    max_upload_bytes: int = 5 * MIB
    max_parts: int = 200
    max_part_bytes: int = 20 * MIB
    max_uncompressed_bytes: int = 40 * MIB
    max_rows: int = 10_000  # rows in a sheet, and the highest row number a cell may name
    max_columns: int = 100  # cells in one row, and the highest column a cell may name
    max_cells: int = 100_000  # cells in one sheet, and strings in the shared strings part
    max_seconds: float = 10.0  # from opening the file to the last value read

    @property
    def max_elements(self) -> int:
        """XML elements in one part: a cell is a handful (c, v, is, t, f), plus the rest."""
        return self.max_cells * 6 + 10_000


LIMITS = SpreadsheetLimits()


class SpreadsheetError(ValueError):
    """The upload was refused; ``str(error)`` is the message to show on the form."""

    @property
    def message(self) -> str:
        return str(self)


class NotASpreadsheet(SpreadsheetError):
    """Not an .xlsx at all (not a zip, or a zip without a workbook in it)."""


class SpreadsheetTooLarge(SpreadsheetError):
    """Over the upload size limit."""


class SheetMissing(SpreadsheetError):
    def __init__(self, name: str, sheetnames: list[str]) -> None:
        super().__init__(f"The spreadsheet has no sheet named “{name}”.")
        self.name = name
        self.sheetnames = sheetnames


@dataclass
class _Deadline:
    seconds: float
    started: float = field(default_factory=time.monotonic)

    def check(self) -> None:
        if time.monotonic() - self.started > self.seconds:
            raise SpreadsheetError(
                f"The spreadsheet took longer than {self.seconds:g} seconds to read: "
                "remove what the import does not need, or split it into smaller files."
            )


def deadline(seconds: float) -> _Deadline:
    """A deadline for reading one upload (``bounded_xml_events`` checks it as it goes)."""
    return _Deadline(seconds)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def bounded_xml_events(
    source: IO[bytes],
    *,
    what: str,
    max_elements: int,
    deadline: _Deadline | None = None,
    ends: bool = False,
) -> Iterator[tuple[str, Element]]:
    """``iterparse`` start events of untrusted XML (attributes set, children not yet read),
    refusing DTDs and entities, more than ``max_elements`` elements, running past the deadline,
    and any malformed or truncated XML. Each element is cleared at its end, so memory stays
    bounded by the element count. With ``ends`` the end events are yielded too (an element's
    text is read there, before it is cleared), for XML that keeps its values in text."""
    deadline = deadline or _Deadline(LIMITS.max_seconds)
    count = 0
    try:
        for event, element in iterparse(source, events=("start", "end"), forbid_dtd=True):
            if event == "end":
                if ends:
                    yield event, element
                element.clear()
                continue
            count += 1
            if count > max_elements:
                raise SpreadsheetError(
                    f"{what} has more than {max_elements:,} XML elements: "
                    "remove what the import does not need, or split it into smaller files."
                )
            if count % 1024 == 0:
                deadline.check()
            yield event, element
    except SpreadsheetError:
        raise
    except (ParseError, DefusedXmlException, zipfile.BadZipFile, EOFError, OSError) as error:
        raise SpreadsheetError(
            f"{what} is damaged and cannot be read (the XML is malformed or cut short): "
            "save it again from Excel and upload the new file."
        ) from error


REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
STYLES = "xl/styles.xml"  # where Excel keeps the styles (and openpyxl looks for them)
CHUNK = 64 * 1024  # bytes of a part given to the parser at a time
# A cell reference as openpyxl reads one (``$`` allowed), and its column letters' numbers.
_REFERENCE = re.compile(r"^[$]?([A-Za-z]{1,3})[$]?(\d+)$").match
_COLUMNS = {get_column_letter(number): number for number in range(1, 18_279)}
DAMAGED_CELL = "has a cell that cannot be read: save it again from Excel and upload the new file."


class _Damaged(Exception):
    """A DTD or an entity declaration in a part: refused as malformed XML is."""


def _refuse(*_args: Any) -> NoReturn:
    raise _Damaged


def _parser() -> Any:
    """An expat parser refusing DTDs and entities (as defusedxml's does); names arrive as
    ``namespace}local``, so a prefixed part (``<x:row>``) reads as an unprefixed one."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    return parser


def _feed(parser: Any, source: IO[bytes], *, what: str, deadline: _Deadline) -> None:
    """Parse ``source`` to its end, a chunk at a time (the deadline checked between chunks);
    malformed or truncated XML, a DTD or an entity is a :class:`SpreadsheetError`."""
    try:
        while chunk := source.read(CHUNK):
            parser.Parse(chunk, False)
            deadline.check()
        parser.Parse(b"", True)
    except SpreadsheetError:
        raise
    except (_Damaged, expat.ExpatError, zipfile.BadZipFile, EOFError, OSError) as error:
        raise SpreadsheetError(
            f"{what} is damaged and cannot be read (the XML is malformed or cut short): "
            "save it again from Excel and upload the new file."
        ) from error


def _cast_number(text: str) -> int | float:
    """A number cell's text as openpyxl reads it: a float if it has a point or an exponent."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


@dataclass
class _Styles:
    """Which cell styles (their index in ``cellXfs``) format a number as a date or a duration,
    decided as openpyxl decides it."""

    dates: set[int] = field(default_factory=set)
    durations: set[int] = field(default_factory=set)


@dataclass
class _Values:
    """What decoding a sheet's cells needs from the rest of the workbook."""

    strings: list[str]
    styles: _Styles
    epoch: datetime
    formulas: bool


@dataclass
class _Sheet:
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    damaged: bool = False  # a cell could not be decoded: refused when the sheet is read


class _PartScan:
    """One bounded pass over each XML part of one workbook (expat, no DTDs, no entities):
    elements, rows, cells per row, cells per sheet, the highest row and column a cell names,
    pieces of text, the deadline; and in the same pass what the caller reads from the part:
    a sheet's values, the shared strings, the date styles."""

    def __init__(self, limits: SpreadsheetLimits, deadline: _Deadline) -> None:
        self.limits = limits
        self.deadline = deadline
        self.strings = 0

    def part(
        self,
        source: IO[bytes],
        *,
        what: str,
        values: _Values | None = None,
        strings: list[str] | None = None,
        styles: _Styles | None = None,
    ) -> _Sheet:
        """Scan one part within the limits. With ``values`` its sheet's rows are decoded as
        openpyxl's read-only ``iter_rows(values_only=True)`` gives them (no padding beyond a
        row's last cell, an empty tuple for a missing row); with ``strings`` the shared strings
        are appended to it; with ``styles`` the date styles are collected."""
        limits, deadline = self.limits, self.deadline
        max_elements, max_rows = limits.max_elements, limits.max_rows
        max_columns, max_cells = limits.max_columns, limits.max_cells
        sheet = _Sheet()
        out = sheet.rows
        count = rows = cells = in_row = 0
        row_number = column = 0
        next_row = 1  # the next row number to emit (a gap emits empty rows, as openpyxl does)
        row_cells: list[tuple[int, Any]] = []
        kind = "n"
        style = ""
        value: str | None = None
        formula: str | None = None
        formula_attrs: dict[str, str] = {}
        inline: list[str] | None = None
        texts: list[str] | None = None  # the character data of the element being read
        phonetic = 0  # inside <rPh>: its text is not the cell's
        in_cell = in_formats = in_xfs = False
        custom: dict[int, str] = {}
        xf_formats: list[int] = []
        shared_formulas: dict[str, Translator] = {}
        cell_reference: str | None = None
        tags: dict[str, str] = {}  # {expat's name: local name}

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal count, rows, cells, in_row, row_number, column, kind, style, value
            nonlocal formula, inline, texts, phonetic, in_cell, row_cells, formula_attrs
            nonlocal in_formats, in_xfs, cell_reference
            count += 1
            if count > max_elements:
                raise SpreadsheetError(
                    f"{what} has more than {max_elements:,} XML elements: "
                    "remove what the import does not need, or split it into smaller files."
                )
            if not count & 1023:
                deadline.check()
            tag = tags.get(name) or _tag(tags, name)
            if tag == "c":
                cells += 1
                in_row += 1
                if in_row > max_columns:
                    raise SpreadsheetError(
                        f"{what} has a row of more than {max_columns:,} cells: "
                        "delete the columns the import does not use and upload it again."
                    )
                if cells > max_cells:
                    raise SpreadsheetError(
                        f"{what} has more than {max_cells:,} cells: split it into smaller files."
                    )
                reference = attrs.get("r")
                if reference is None:
                    column += 1
                else:
                    column = self._column(reference, what)
                if values is not None:
                    cell_reference = reference
                    in_cell = True
                    kind = attrs.get("t", "n")
                    style = attrs.get("s", "")
                    value = formula = inline = None
            elif tag == "v":
                if in_cell and value is None:
                    texts = []
            elif tag == "row":
                rows += 1
                in_row = column = 0
                if rows > max_rows:
                    raise SpreadsheetError(
                        f"{what} has more than {max_rows:,} rows: split it into smaller files."
                    )
                number = attrs.get("r")
                if number is not None and whole_number(number, max_rows) is None:
                    raise SpreadsheetError(
                        f"{what} has a row numbered past {max_rows:,}: "
                        "delete the empty rows below the data and upload it again."
                    )
                row_number = int(number) if number is not None else row_number + 1
                row_cells = []
            elif tag == "si":
                self.strings += 1
                if self.strings > max_cells:
                    raise SpreadsheetError(
                        f"The spreadsheet holds more than {max_cells:,} pieces of text: "
                        "split it into smaller files."
                    )
                if strings is not None:
                    inline = []
            elif tag == "t":
                if inline is not None and not phonetic:
                    texts = []
            elif tag == "is":
                if in_cell:
                    inline = []
            elif tag == "f":
                if in_cell:
                    texts = []
                    formula_attrs = attrs
            elif tag == "rPh":
                phonetic += 1
            elif styles is not None:
                if tag == "numFmts":
                    in_formats = True
                elif tag == "numFmt" and in_formats:
                    custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
                elif tag == "cellXfs":
                    in_xfs = True
                elif tag == "xf" and in_xfs:
                    xf_formats.append(int(attrs.get("numFmtId", 0)))

        def text(data: str) -> None:
            if texts is not None:
                texts.append(data)

        def end(name: str) -> None:
            nonlocal next_row, value, formula, inline, texts, phonetic, in_cell
            nonlocal in_formats, in_xfs
            tag = tags.get(name) or _tag(tags, name)
            if tag == "c":
                if in_cell and not sheet.damaged:
                    try:
                        row_cells.append((column, cell()))
                    except Exception:  # a bad number, date, style or string index
                        sheet.damaged = True
                in_cell = False
            elif tag == "v":
                if texts is not None:
                    value = "".join(texts)
                    texts = None
            elif tag == "row":
                if values is not None:
                    while next_row < row_number:
                        out.append(())
                        next_row += 1
                    if next_row <= row_number:
                        out.append(_padded(row_cells))
                        next_row += 1
            elif tag == "t":
                if texts is not None and inline is not None:
                    inline.append("".join(texts))
                    texts = None
            elif tag == "si":
                if strings is not None and inline is not None:
                    strings.append("".join(inline).replace("x005F_", ""))
                    inline = None
            elif tag == "f":
                if texts is not None:
                    formula = "".join(texts)
                    texts = None
            elif tag == "rPh":
                phonetic -= 1
            elif tag == "numFmts":
                in_formats = False
            elif tag == "cellXfs":
                in_xfs = False

        def cell() -> Any:
            """The value openpyxl's read-only sheet gives the cell just read."""
            if values is None:
                return None
            if values.formulas and formula is not None:
                return _formula(formula, formula_attrs, shared_formulas, cell_reference)
            if kind == "inlineStr":
                return None if inline is None else "".join(inline)
            if not value:
                return None
            if kind == "n":
                number = _cast_number(value)
                index = int(style) if style else 0
                if index in values.styles.dates:
                    try:
                        return from_excel(
                            number, values.epoch, timedelta=index in values.styles.durations
                        )
                    except (OverflowError, ValueError):
                        return "#VALUE!"  # as openpyxl: a date serial out of range
                return number
            if kind == "s":
                return values.strings[int(value)]
            if kind == "b":
                return bool(int(value))
            if kind == "d":
                return from_ISO8601(value)
            return value  # "str" (a formula's text result), "e" (an error such as #N/A)

        parser = _parser()
        parser.StartElementHandler = start
        if values is not None or strings is not None or styles is not None:
            parser.EndElementHandler = end
            parser.CharacterDataHandler = text
        try:
            _feed(parser, source, what=what, deadline=deadline)
        except (KeyError, ValueError) as error:  # a style's number format that is not a number
            if isinstance(error, SpreadsheetError):
                raise
            raise NotASpreadsheet(
                "The file is not an Excel spreadsheet (.xlsx), or it is damaged."
            ) from error
        if styles is not None:
            for index, number_format in enumerate(xf_formats):
                code = custom.get(number_format) or builtin_format_code(number_format)
                if is_date_format(code):
                    styles.dates.add(index)
                if is_timedelta_format(code):
                    styles.durations.add(index)
        return sheet

    def _column(self, reference: str, what: str) -> int:
        """The column a cell reference names, refused beyond the limits or if invalid."""
        match = _REFERENCE(reference)
        column = match and (_COLUMNS.get(match[1]) or _COLUMNS.get(match[1].upper()))
        row = int(match[2]) if match else 0
        if not column or not row:
            raise SpreadsheetError(
                f"{what} has a cell with the invalid reference “{reference[:20]}”: "
                "save it again from Excel and upload the new file."
            )
        if column > self.limits.max_columns or row > self.limits.max_rows:
            raise SpreadsheetError(
                f"{what} has a cell beyond column {self.limits.max_columns:,} or row "
                f"{self.limits.max_rows:,} ({reference[:20]}): delete what is outside the "
                "data and upload it again."
            )
        return column


def _tag(tags: dict[str, str], name: str) -> str:
    """The local name of an element (``namespace}row`` → ``row``), remembered for the part's
    next ones (up to a few hundred distinct names)."""
    tag = name[name.rfind("}") + 1 :]
    if len(tags) < 512:
        tags[name] = tag
    return tag


def _padded(cells: list[tuple[int, Any]]) -> tuple[Any, ...]:
    """A row's values up to its last cell, None where a column has no cell."""
    if not cells:
        return ()
    width = cells[-1][0]
    if len(cells) == width:
        columns = [column for column, _ in cells]
        if columns == list(range(1, width + 1)):
            return tuple(value for _, value in cells)
    row: list[Any] = [None] * width
    for column, value in cells:
        if column <= width:
            row[column - 1] = value
    return tuple(row)


def _formula(
    text: str, attrs: dict[str, str], shared: dict[str, Translator], reference: str | None
) -> Any:
    """A formula cell as openpyxl gives it when formulas are read as text."""
    value = "=" + text
    kind = attrs.get("t")
    if kind == "array":
        return ArrayFormula(ref=attrs.get("ref"), text=value)
    if kind == "shared":
        index = attrs.get("si")
        if index in shared:
            return shared[index].translate_formula(reference)
        if value != "=":
            shared[index or ""] = Translator(value, reference)
        return value
    if kind == "dataTable":
        return DataTableFormula(**attrs)
    return value


@dataclass
class _Book:
    sheets: dict[str, str] = field(default_factory=dict)  # {part name: sheet name}, in order
    strings: str = "xl/sharedStrings.xml"
    epoch: datetime = WINDOWS_EPOCH


def _book(archive: zipfile.ZipFile, scan: _PartScan) -> _Book:
    """The sheets (part name and name), the shared strings' part and the date system, from the
    workbook and its relationships (both bounded)."""
    book = _Book()
    names = set(archive.namelist())
    if "xl/_rels/workbook.xml.rels" not in names:
        return book
    targets: dict[str, str] = {}
    with archive.open("xl/_rels/workbook.xml.rels") as source:
        for event, element in bounded_xml_events(
            source, what="The spreadsheet", max_elements=scan.limits.max_elements
        ):
            if event == "start" and _local(element.tag) == "Relationship":
                target = element.get("Target") or ""
                path = posixpath.normpath(target[1:] if target.startswith("/") else f"xl/{target}")
                targets[element.get("Id") or ""] = path
                if (element.get("Type") or "").endswith("/sharedStrings"):
                    book.strings = path
    with archive.open("xl/workbook.xml") as source:
        for event, element in bounded_xml_events(
            source, what="The spreadsheet", max_elements=scan.limits.max_elements
        ):
            if event != "start":
                continue
            tag = _local(element.tag)
            if tag == "sheet":
                part = targets.get(element.get(f"{REL_NS}id") or "")
                if part and part in names:
                    book.sheets[part] = element.get("name") or part
            elif tag == "workbookPr" and element.get("date1904") in ("1", "true"):
                book.epoch = MAC_EPOCH
    return book


class BoundedWorkbook:
    """An .xlsx opened within ``limits``: its sheet names, and each sheet's values row by row.

    Every XML part is read once, within the limits, before anything is returned: the shared
    strings and the styles first, then each sheet, whose values (of the sheets in ``sheets``,
    or of every sheet) are decoded in that same pass, as openpyxl's read-only mode would give
    them (its own helpers turn numbers into dates and formulas into text)."""

    def __init__(
        self,
        data: bytes,
        *,
        limits: SpreadsheetLimits,
        formulas: bool = False,
        sheets: Collection[str] | None = None,
    ) -> None:
        self.limits = limits
        self.deadline = _Deadline(limits.max_seconds)
        archive = _checked_zip(data, limits)
        self._sheets: dict[str, _Sheet] = {}
        with archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise NotASpreadsheet("The file is not an Excel spreadsheet (.xlsx).")
            scan = _PartScan(limits, self.deadline)
            book = _book(archive, scan)
            strings: list[str] = []
            styles = _Styles()
            first = [(book.strings, {"strings": strings}), (STYLES, {"styles": styles})]
            for name, reading in first:
                if name in names:
                    with archive.open(name) as source:
                        scan.part(source, what="The spreadsheet", **reading)  # type: ignore[arg-type]
            values = _Values(strings, styles, book.epoch, formulas)
            done = {book.strings, STYLES}
            for info in archive.infolist():
                if info.filename in done or not info.filename.endswith((".xml", ".rels")):
                    continue
                sheet = book.sheets.get(info.filename)
                what = f"The sheet “{sheet}”" if sheet else "The spreadsheet"
                keep = sheet is not None and (sheets is None or sheet in sheets)
                with archive.open(info) as source:
                    read = scan.part(source, what=what, values=values if keep else None)
                if keep and sheet is not None:
                    self._sheets[sheet] = read
        self.deadline.check()
        self.sheetnames: list[str] = list(book.sheets.values())

    def rows(self, name: str) -> list[tuple[Any, ...]]:
        """Every row of the sheet as a tuple of values (no padding to the sheet's dimensions)."""
        if name not in self.sheetnames:
            raise SheetMissing(name, self.sheetnames)
        sheet = self._sheets.get(name)
        if sheet is None:
            raise ValueError(f"The sheet “{name}” was not read: name it when opening the file.")
        if sheet.damaged:
            raise SpreadsheetError(f"The sheet “{name}” {DAMAGED_CELL}")
        self.deadline.check()
        return sheet.rows

    def close(self) -> None:
        """Nothing stays open (the parts were read whole); kept so callers need not know."""


def _checked_zip(data: bytes, limits: SpreadsheetLimits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise NotASpreadsheet("The file is not an Excel spreadsheet (.xlsx).") from error
    if len(parts) > limits.max_parts:
        raise SpreadsheetError(
            f"The spreadsheet has more than {limits.max_parts} parts: "
            "save it again from Excel without embedded objects."
        )
    biggest = max((part.file_size for part in parts), default=0)
    total = sum(part.file_size for part in parts)
    if biggest > limits.max_part_bytes or total > limits.max_uncompressed_bytes:
        raise SpreadsheetError(
            f"The spreadsheet unpacks to more than {limits.max_uncompressed_bytes // MIB} MB "
            f"(or one part to more than {limits.max_part_bytes // MIB} MB): "
            "remove images and unused sheets, or split it into smaller files."
        )
    return archive


def open_workbook(
    upload: IO[bytes],
    *,
    limits: SpreadsheetLimits = LIMITS,
    formulas: bool = False,
    sheets: Collection[str] | None = None,
) -> BoundedWorkbook:
    """Open an uploaded .xlsx within ``limits``, or raise a :class:`SpreadsheetError`; the
    values of the sheets named in ``sheets`` (default: every sheet) are read."""
    data = upload.read(limits.max_upload_bytes + 1)
    if len(data) > limits.max_upload_bytes:
        raise SpreadsheetTooLarge(
            f"The file is larger than {limits.max_upload_bytes // MIB} MB: split it into "
            "smaller files or remove images."
        )
    if not data:
        raise NotASpreadsheet("The file is empty: choose an Excel spreadsheet (.xlsx).")
    return BoundedWorkbook(data, limits=limits, formulas=formulas, sheets=sheets)


def read_sheet(
    upload: IO[bytes], *, sheet: str, limits: SpreadsheetLimits = LIMITS, formulas: bool = False
) -> list[tuple[Any, ...]]:
    """Every row of one sheet of an uploaded .xlsx, within ``limits`` (``formulas``: a formula
    cell's text, not its cached value)."""
    workbook = open_workbook(upload, limits=limits, formulas=formulas, sheets=[sheet])
    try:
        return workbook.rows(sheet)
    finally:
        workbook.close()


__all__ = [
    "LIMITS",
    "BoundedWorkbook",
    "NotASpreadsheet",
    "SheetMissing",
    "SpreadsheetError",
    "SpreadsheetLimits",
    "SpreadsheetTooLarge",
    "bounded_xml_events",
    "deadline",
    "open_workbook",
    "read_sheet",
]

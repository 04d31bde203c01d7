"""Untrusted spreadsheets and XML, read within bounds: the one guard every importer uses.

A small upload can unfold into a great deal of work: a 63 KB .xlsx can hold one row of two
million cells, a zip can declare gigabytes, a sheet can be truncated or have junk after its
data. Before openpyxl builds anything this module checks, in order:

1. the upload's size (``max_upload_bytes``);
2. the zip: its number of parts and their declared uncompressed sizes, each and together
   (zipfile never inflates a part beyond its declared size, so the declared sizes bound the work);
3. every XML part (sheets, shared strings, styles), streamed through a bounded ``iterparse``
   (defusedxml: no DTDs, no entities): elements, rows, cells per row, cells per sheet, the
   highest row and column a cell names — and the XML must be well formed to its end;
4. the time: one deadline from opening the file to the last value read (``max_seconds``).

Only then does openpyxl (read-only, dimensions reset) read the values, and any error it raises
becomes a :class:`SpreadsheetError` too. Every refusal is a ``SpreadsheetError`` whose message
names the limit and can be shown on the form as it is.

``bounded_xml_events`` is the same XML bound for plain XML uploads (Microsoft Project MSPDI).
"""

from __future__ import annotations

import io
import posixpath
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

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


class _PartScan:
    """Counts, across every XML part of one workbook, what openpyxl would have to build."""

    def __init__(self, limits: SpreadsheetLimits, deadline: _Deadline) -> None:
        self.limits = limits
        self.deadline = deadline
        self.strings = 0

    def part(self, source: IO[bytes], *, what: str) -> None:
        limits = self.limits
        rows = cells = in_row = 0
        for event, element in bounded_xml_events(
            source, what=what, max_elements=limits.max_elements, deadline=self.deadline
        ):
            if event != "start":
                continue
            tag = _local(element.tag)
            if tag == "row":
                rows += 1
                in_row = 0
                if rows > limits.max_rows:
                    raise SpreadsheetError(
                        f"{what} has more than {limits.max_rows:,} rows: "
                        "split it into smaller files."
                    )
                number = element.get("r")
                if number is not None and (not number.isdigit() or int(number) > limits.max_rows):
                    raise SpreadsheetError(
                        f"{what} has a row numbered past {limits.max_rows:,}: "
                        "delete the empty rows below the data and upload it again."
                    )
            elif tag == "c":
                cells += 1
                in_row += 1
                if in_row > limits.max_columns:
                    raise SpreadsheetError(
                        f"{what} has a row of more than {limits.max_columns:,} cells: "
                        "delete the columns the import does not use and upload it again."
                    )
                if cells > limits.max_cells:
                    raise SpreadsheetError(
                        f"{what} has more than {limits.max_cells:,} cells: "
                        "split it into smaller files."
                    )
                self._reference(element.get("r"), what)
            elif tag == "si":
                self.strings += 1
                if self.strings > limits.max_cells:
                    raise SpreadsheetError(
                        f"The spreadsheet holds more than {limits.max_cells:,} pieces of text: "
                        "split it into smaller files."
                    )

    def _reference(self, reference: str | None, what: str) -> None:
        if reference is None:
            return
        try:
            column, row = coordinate_from_string(reference)
            column_number = column_index_from_string(column)
        except ValueError as error:
            raise SpreadsheetError(
                f"{what} has a cell with the invalid reference “{reference[:20]}”: "
                "save it again from Excel and upload the new file."
            ) from error
        if column_number > self.limits.max_columns or row > self.limits.max_rows:
            raise SpreadsheetError(
                f"{what} has a cell beyond column {self.limits.max_columns:,} or row "
                f"{self.limits.max_rows:,} ({reference[:20]}): delete what is outside the "
                "data and upload it again."
            )


def _sheet_parts(archive: zipfile.ZipFile, scan: _PartScan) -> dict[str, str]:
    """{part name: sheet name} from the workbook and its relationships (both bounded)."""
    names = set(archive.namelist())
    if "xl/_rels/workbook.xml.rels" not in names:
        return {}
    targets: dict[str, str] = {}
    with archive.open("xl/_rels/workbook.xml.rels") as source:
        for event, element in bounded_xml_events(
            source, what="The spreadsheet", max_elements=scan.limits.max_elements
        ):
            if event == "start" and _local(element.tag) == "Relationship":
                target = element.get("Target") or ""
                path = target[1:] if target.startswith("/") else f"xl/{target}"
                targets[element.get("Id") or ""] = posixpath.normpath(path)
    parts: dict[str, str] = {}
    with archive.open("xl/workbook.xml") as source:
        for event, element in bounded_xml_events(
            source, what="The spreadsheet", max_elements=scan.limits.max_elements
        ):
            if event == "start" and _local(element.tag) == "sheet":
                target = targets.get(element.get(f"{REL_NS}id") or "")
                if target:
                    parts[target] = element.get("name") or target
    return parts


class BoundedWorkbook:
    """An .xlsx opened within ``limits``: its sheet names, and each sheet's values row by row.

    Every XML part is scanned within the limits before openpyxl opens the workbook, because
    openpyxl reads each sheet once just to open it (to find its dimensions)."""

    def __init__(self, data: bytes, *, limits: SpreadsheetLimits, formulas: bool = False) -> None:
        self.limits = limits
        self.deadline = _Deadline(limits.max_seconds)
        archive = _checked_zip(data, limits)
        with archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise NotASpreadsheet("The file is not an Excel spreadsheet (.xlsx).")
            scan = _PartScan(limits, self.deadline)
            sheets = _sheet_parts(archive, scan)
            for info in archive.infolist():
                if info.filename.endswith((".xml", ".rels")):
                    sheet = sheets.get(info.filename)
                    what = f"The sheet “{sheet}”" if sheet else "The spreadsheet"
                    with archive.open(info) as source:
                        scan.part(source, what=what)
        try:
            # A formula is never evaluated: its cached value is read or, with ``formulas``,
            # its text (an importer that takes cells as text, like the plan sheet's).
            self.workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
        except Exception as error:  # openpyxl raises many kinds; each means "cannot read it"
            raise NotASpreadsheet(
                "The file is not an Excel spreadsheet (.xlsx), or it is damaged."
            ) from error
        self.deadline.check()
        self.sheetnames: list[str] = list(self.workbook.sheetnames)

    def rows(self, name: str) -> list[tuple[Any, ...]]:
        """Every row of the sheet as a tuple of values (no padding to the sheet's dimensions)."""
        if name not in self.sheetnames:
            raise SheetMissing(name, self.sheetnames)
        sheet = self.workbook[name]
        sheet.reset_dimensions()  # a hostile <dimension> must not pad rows
        rows: list[tuple[Any, ...]] = []
        try:
            for values in sheet.iter_rows(values_only=True):
                rows.append(tuple(values))
                if len(rows) % 256 == 0:
                    self.deadline.check()
        except SpreadsheetError:
            raise
        except Exception as error:  # a bad number, date or string index in a cell
            raise SpreadsheetError(
                f"The sheet “{name}” has a cell that cannot be read: "
                "save it again from Excel and upload the new file."
            ) from error
        self.deadline.check()
        return rows

    def close(self) -> None:
        self.workbook.close()


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
    upload: IO[bytes], *, limits: SpreadsheetLimits = LIMITS, formulas: bool = False
) -> BoundedWorkbook:
    """Open an uploaded .xlsx within ``limits``, or raise a :class:`SpreadsheetError`."""
    data = upload.read(limits.max_upload_bytes + 1)
    if len(data) > limits.max_upload_bytes:
        raise SpreadsheetTooLarge(
            f"The file is larger than {limits.max_upload_bytes // MIB} MB: split it into "
            "smaller files or remove images."
        )
    if not data:
        raise NotASpreadsheet("The file is empty: choose an Excel spreadsheet (.xlsx).")
    return BoundedWorkbook(data, limits=limits, formulas=formulas)


def read_sheet(
    upload: IO[bytes], *, sheet: str, limits: SpreadsheetLimits = LIMITS, formulas: bool = False
) -> list[tuple[Any, ...]]:
    """Every row of one sheet of an uploaded .xlsx, within ``limits`` (``formulas``: a formula
    cell's text, not its cached value)."""
    workbook = open_workbook(upload, limits=limits, formulas=formulas)
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

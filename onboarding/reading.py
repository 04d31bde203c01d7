"""An uploaded onboarding workbook, read within bounds: an .xlsx through core.spreadsheets (zip
and XML bombs, external entities, size and time limits), or a .csv holding one sheet, known by
its header row. A formula is read as its text, never evaluated."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from core.spreadsheets import MIB, SpreadsheetError, SpreadsheetLimits, open_workbook

from .sheets import ABOUT, BY_NAME, SHEETS

MAX_UPLOAD_BYTES = 20 * MIB
# 500 programmes with their plans and benefits and 20,000 RAID rows fit many times over.
LIMITS = SpreadsheetLimits(
    max_upload_bytes=MAX_UPLOAD_BYTES,
    max_parts=100,
    max_part_bytes=80 * MIB,
    max_uncompressed_bytes=200 * MIB,
    max_rows=25_001,
    max_columns=60,
    max_cells=500_000,
    max_seconds=120.0,
)
TOO_LARGE = (
    f"The file is larger than {MAX_UPLOAD_BYTES // MIB} MB, the limit for an onboarding "
    "workbook: split it (a CSV per sheet, or a workbook per group of programmes)."
)


@dataclass
class Problem:
    """One reason the upload cannot be imported, and where it is."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Upload:
    """The sheets found in an upload: each sheet's rows (the header first), in file order."""

    sheets: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def is_csv(filename: str) -> bool:
    return filename.lower().endswith(".csv")


def read_upload(data: bytes, *, filename: str) -> Upload:
    if len(data) > MAX_UPLOAD_BYTES:
        return Upload(problems=[Problem(TOO_LARGE)])
    if is_csv(filename):
        return _read_csv(data)
    return _read_xlsx(data)


def _read_xlsx(data: bytes) -> Upload:
    upload = Upload()
    try:
        workbook = open_workbook(io.BytesIO(data), limits=LIMITS, formulas=True)
    except SpreadsheetError as error:
        upload.problems.append(Problem(error.message))
        return upload
    try:
        names = [name for name in workbook.sheetnames if name != ABOUT]
        for name in names:
            if name not in BY_NAME:
                upload.problems.append(Problem(
                    f"The workbook has a sheet named “{name}” that is not part of the "
                    f"onboarding workbook: rename it to one of {', '.join(BY_NAME)}, or delete it.",
                    sheet=name,
                ))  # fmt: skip
        for sheet in SHEETS:
            if sheet.name not in names:
                upload.problems.append(Problem(
                    f"The workbook has no sheet named “{sheet.name}”: keep every sheet of the "
                    "template, with only its header row if you have nothing to put on it.",
                    sheet=sheet.name,
                ))  # fmt: skip
                continue
            upload.sheets[sheet.name] = workbook.rows(sheet.name)
    except SpreadsheetError as error:
        upload.problems.append(Problem(error.message))
    finally:
        workbook.close()
    return upload


def _read_csv(data: bytes) -> Upload:
    upload = Upload()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        upload.problems.append(Problem(
            "The CSV is not UTF-8 text: in Excel, save it as “CSV UTF-8 (Comma delimited)”."
        ))  # fmt: skip
        return upload
    if "\x00" in text:
        upload.problems.append(Problem("The file is not a CSV (it holds binary data)."))
        return upload
    rows: list[tuple[Any, ...]] = []
    try:
        for values in csv.reader(io.StringIO(text, newline="")):
            if len(values) > LIMITS.max_columns:
                raise SpreadsheetError(
                    f"Row {len(rows) + 1} of the CSV has more than {LIMITS.max_columns} cells: "
                    "delete the columns the import does not use."
                )
            rows.append(tuple(values))
            if len(rows) > LIMITS.max_rows:
                raise SpreadsheetError(
                    f"The CSV has more than {LIMITS.max_rows - 1:,} rows: split it into smaller "
                    "files."
                )
    except (csv.Error, SpreadsheetError) as error:
        upload.problems.append(Problem(str(error)))
        return upload
    if not rows:
        upload.problems.append(Problem("The CSV is empty: use a sheet of the template."))
        return upload
    header = {str(value).strip() for value in rows[0]}
    matches = [sheet for sheet in SHEETS if set(sheet.headers) == header]
    if not matches:
        best = max(SHEETS, key=lambda sheet: len(set(sheet.headers) & header))
        missing = [h for h in best.headers if h not in header]
        extra = sorted(header - set(best.headers))
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if extra:
            detail.append(f"not a column of the sheet: {', '.join(extra)}")
        upload.problems.append(Problem(
            "The CSV's first row does not match the columns of any sheet of the onboarding "
            f"workbook. Closest is “{best.name}” ({'; '.join(detail)}).",
            sheet=best.name, row=1,
        ))  # fmt: skip
        return upload
    upload.sheets[matches[0].name] = rows
    return upload

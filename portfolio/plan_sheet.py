"""A programme's plan as a sheet: the download (XLSX or CSV, through ``core.exports``) and the
same sheet read back (through ``core.spreadsheets``' guards) into plan rows, so a plan edited in
Excel comes back as a preview where unchanged milestones are reported unchanged.

The columns are documented on the import page. A cell's text is taken as text, never evaluated
(``data_only``: a formula's cached value, or nothing); the export's guard (a ``'`` before text
that starts like a formula) is taken off again on the way back in.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any

from core.exports import FORMULA_TRIGGERS, Table
from core.spreadsheets import MIB, SheetMissing, SpreadsheetError, SpreadsheetLimits, read_sheet

from .models import Programme, Stage
from .project_xml import MAX_MILESTONES, PlanRow

SHEET = "Plan"
HEADERS = [
    "Reference", "Milestone", "Stage or gate", "Owner email", "Baseline date", "Forecast date",
    "Actual date",
]  # fmt: skip
REQUIRED = ["Reference", "Milestone", "Forecast date"]
MAX_BYTES = 5 * MIB
LIMITS = SpreadsheetLimits(
    max_upload_bytes=MAX_BYTES, max_rows=MAX_MILESTONES + 1, max_columns=30, max_cells=16_000
)
STAGES = {s.label.lower(): s.value for s in Stage.pipeline()} | {
    s.value: s.value for s in Stage.pipeline()
}


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never stored (NUL breaks PostgreSQL)


class PlanSheetError(SpreadsheetError):
    pass


def plan_table(programme: Programme) -> Table:
    """The programme's plan in plan order, one milestone a row."""
    milestones = programme.milestones.in_plan_order().select_related("owner")

    def rows() -> Iterator[list[object]]:
        for m in milestones.iterator(chunk_size=500):
            yield [
                m.reference, m.title, m.get_stage_display(), m.owner.email if m.owner else "",
                m.baseline_date, m.due_date, m.completed_on,
            ]  # fmt: skip

    return Table(slug=f"{programme.slug}-plan", title=SHEET, headers=HEADERS, rows=rows())


def _unguard(text: str) -> str:
    """The export writes ``'=...`` for text that starts like a formula: read it back as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _unguard(" ".join(CONTROL.sub("", str(value)).split()))


def _day(text: str, where: str, column: str, errors: list[str]) -> str:
    if not text:
        return ""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    errors.append(
        f"{where}, column {column}: “{text[:30]}” is not a date (write 31/03/2027 or 2027-03-31)."
    )
    return ""


def _csv_rows(upload: IO[bytes]) -> list[Sequence[Any]]:
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PlanSheetError(f"The file is larger than {MAX_BYTES // MIB} MB: split it.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PlanSheetError(
            "The CSV file is not UTF-8 text: in Excel save it as “CSV UTF-8”."
        ) from error
    rows: list[Sequence[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            _bounded(rows, row)
    except csv.Error as error:  # a NUL byte, or a cell past the csv module's size limit
        raise PlanSheetError(
            f"The CSV file cannot be read ({str(error)[:80]}): save it again from Excel as "
            "“CSV UTF-8”."
        ) from error
    return rows


def _bounded(rows: list[Sequence[Any]], row: list[str]) -> None:
    """Add a CSV row, within the sheet's limits on cells and rows."""
    if len(row) > LIMITS.max_columns:
        raise PlanSheetError(
            f"The CSV file has a row of more than {LIMITS.max_columns} cells: delete the "
            "columns the import does not use."
        )
    rows.append(row)
    if len(rows) > LIMITS.max_rows:
        raise PlanSheetError(
            f"The file has more than {MAX_MILESTONES} milestones: import a smaller plan."
        )


def parse_plan_sheet(upload: IO[bytes], *, is_csv: bool) -> tuple[list[PlanRow], list[str]]:
    """The rows of a Plan sheet (XLSX) or CSV, and every error by row and column."""
    if is_csv:
        rows = _csv_rows(upload)
    else:
        try:
            rows = read_sheet(upload, sheet=SHEET, limits=LIMITS, formulas=True)
        except SheetMissing as error:
            raise PlanSheetError(
                f"{error.message} Name the sheet “{SHEET}”, as in the plan download."
            ) from error
    if not rows:
        raise PlanSheetError("The file is empty: download the plan for its columns.")
    headers = [_text(cell) for cell in rows[0]]
    missing = [h for h in REQUIRED if h not in headers]
    if missing:
        where = "The CSV file" if is_csv else f"The sheet “{SHEET}”"
        raise PlanSheetError(
            f"{where} has no column {', '.join(f'“{m}”' for m in missing)} in its first row: "
            "use the columns of the plan download."
        )
    column = {name: headers.index(name) for name in HEADERS if name in headers}
    plan: list[PlanRow] = []
    errors: list[str] = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {n: _text(values[i]) if i < len(values) else "" for n, i in column.items()}
        if not any(cells.values()):
            continue
        where = f"Row {number}"
        for name in REQUIRED:
            if not cells.get(name):
                errors.append(f"{where}, column {name}: enter the {name.lower()}.")
        if len(cells.get("Milestone", "")) > 200:
            errors.append(f"{where}, column Milestone: 200 characters at most.")
        if len(cells.get("Reference", "")) > 40:
            errors.append(f"{where}, column Reference: 40 characters at most.")
        stage = cells.get("Stage or gate", "")
        if stage and stage.lower() not in STAGES:
            errors.append(
                f"{where}, column Stage or gate: “{stage[:30]}” is not a stage (Identify, "
                "Define, Design, Deliver or Close)."
            )
        plan.append(
            PlanRow(
                reference=cells.get("Reference", "")[:40], title=cells.get("Milestone", "")[:200],
                due_date=_day(cells.get("Forecast date", ""), where, "Forecast date", errors),
                baseline_date=_day(cells.get("Baseline date", ""), where, "Baseline date", errors),
                completed_on=_day(cells.get("Actual date", ""), where, "Actual date", errors),
                stage=STAGES.get(stage.lower(), ""),
                owner_email=cells.get("Owner email", "").lower()[:254], where=where,
            )
        )  # fmt: skip
    return plan, errors

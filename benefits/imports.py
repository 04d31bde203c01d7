"""MTFP targets from XLSX: read and validate everything first, report every problem at once.

The workbook has a sheet called "Targets" whose first row names the columns (in any order):
Line, Directorate, Programme, Financial year, Target. Each further row is one line's target
in one financial year. Errors read "Row N, column X: message" (N as Excel numbers the row);
with any error nothing is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db.models import Q
from django.db.models.functions import Lower

from core.exports import CHUNK_SIZE, Table
from core.spreadsheets import (
    NotASpreadsheet,
    SheetMissing,
    SpreadsheetError,
    SpreadsheetLimits,
    SpreadsheetTooLarge,
    read_sheet,
)
from portfolio.models import Directorate, Programme
from portfolio.periods import FinancialYear

from .models import MTFPPlan, MTFPTarget
from .services import TargetImportRow

SHEET = "Targets"
COLUMNS = ("Line", "Directorate", "Programme", "Financial year", "Target")
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# Five columns are used; a header, MAX_ROWS targets, and room for a few columns of notes.
LIMITS = SpreadsheetLimits(
    max_upload_bytes=MAX_BYTES, max_rows=MAX_ROWS + 1, max_columns=50, max_cells=100_000
)


@dataclass
class ImportResult:
    rows: list[TargetImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def error(self, row: int | None, column: str | None, message: str) -> None:
        where = ", ".join(
            part
            for part in (f"Row {row}" if row else "", f"column {column}" if column else "")
            if part
        )
        self.errors.append(f"{where}: {message}" if where else message)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _money(value: Any) -> Decimal:
    """A cell as pounds: numbers as Excel stores them, or text like £1,200."""
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, float):
        value = repr(value)  # the shortest text that round-trips; never arithmetic on float
    text = _text(value).replace(",", "").removeprefix("£")
    amount = Decimal(text)
    if not amount.is_finite():
        raise InvalidOperation
    return amount


LOOKUP_BATCH = 500


def _lookup(model: type, names: set[str]) -> dict[str, Any]:
    """Directorates or programmes by lower-cased name or slug, in batches of LOOKUP_BATCH names
    (each one ``IN`` query), so a file naming thousands of unknown ones is row errors, not one
    query too large for the database."""
    wanted = sorted({name.lower() for name in names})
    found = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        batch = wanted[start : start + LOOKUP_BATCH]
        matches = model.objects.annotate(lower_name=Lower("name"), lower_slug=Lower("slug"))
        for obj in matches.filter(Q(lower_name__in=batch) | Q(lower_slug__in=batch)):
            found[obj.name.lower()] = obj
            found[obj.slug.lower()] = obj
    return found


def parse_targets(upload: IO[bytes], *, plan: MTFPPlan) -> ImportResult:
    result = ImportResult()
    try:
        rows = iter(read_sheet(upload, sheet=SHEET, limits=LIMITS))
    except SpreadsheetTooLarge:
        result.error(None, None, "The file is larger than 5 MB: upload the targets only")
        return result
    except NotASpreadsheet:
        result.error(None, None, "The file is not an Excel spreadsheet (.xlsx): use the template")
        return result
    except SheetMissing:
        result.error(None, None, f"The workbook has no sheet called “{SHEET}”: use the template")
        return result
    except SpreadsheetError as error:
        result.error(None, None, error.message)
        return result
    header = [_text(cell) for cell in next(rows, ())]
    positions = {name.lower(): i for i, name in enumerate(header) if name}
    missing = [name for name in COLUMNS if name.lower() not in positions]
    for name in missing:
        result.error(1, name, "this column is missing from the first row")
    if missing:
        return result

    raw = []
    for number, values in enumerate(rows, start=2):
        cells = {
            name: values[positions[name.lower()]] if positions[name.lower()] < len(values) else None
            for name in COLUMNS
        }
        if all(_text(v) == "" for v in cells.values()):
            continue
        raw.append((number, cells))
    if not raw:
        result.error(None, None, "The Targets sheet has no rows under its column names")
        return result

    directorates = _lookup(Directorate, {_text(c["Directorate"]) for _, c in raw} - {""})
    programmes = _lookup(Programme, {_text(c["Programme"]) for _, c in raw} - {""})
    seen: dict[tuple[str, int], int] = {}
    for number, cells in raw:
        row_errors = len(result.errors)
        line = _text(cells["Line"])
        if not line:
            result.error(number, "Line", "enter the name of the MTFP line")
        elif len(line) > 160:
            result.error(number, "Line", "the line name is longer than 160 characters")
        directorate = programme = None
        if name := _text(cells["Directorate"]):
            directorate = directorates.get(name.lower())
            if directorate is None:
                result.error(number, "Directorate", f"there is no directorate called “{name}”")
        if name := _text(cells["Programme"]):
            programme = programmes.get(name.lower())
            if programme is None:
                result.error(number, "Programme", f"there is no programme called “{name}”")
        year = None
        try:
            year = FinancialYear.parse(_text(cells["Financial year"])).start_year
        except ValueError as error:
            result.error(number, "Financial year", str(error))
        if year is not None and not plan.first_year <= year <= plan.last_year:
            result.error(
                number,
                "Financial year",
                f"{FinancialYear(year)} is outside {plan.name} "
                f"({FinancialYear(plan.first_year)} to {FinancialYear(plan.last_year)})",
            )
            year = None
        amount = None
        try:
            amount = _money(cells["Target"])
        except (InvalidOperation, ValueError):
            result.error(number, "Target", f"“{_text(cells['Target'])}” is not an amount in pounds")
        if amount is not None and amount < 0:
            result.error(number, "Target", "the target must be £0 or more")
        elif amount is not None and amount.as_tuple().exponent < -2:
            result.error(number, "Target", "the target must be in pounds and pence")
        elif amount is not None and amount >= Decimal("1e12"):
            result.error(number, "Target", "the target is too large")
        if line and year is not None:
            first = seen.setdefault((line.lower(), year), number)
            if first != number:
                result.error(
                    number, "Financial year", f"{line} {FinancialYear(year)} is also in row {first}"
                )
        if len(result.errors) == row_errors and year is not None and amount is not None:
            result.rows.append(TargetImportRow(line, directorate, programme, year, amount))
    if result.errors:
        result.rows = []
    return result


def template_table(plan: MTFPPlan) -> Table:
    """The import template, filled with the plan's current targets (one query, read as the
    rows are written)."""
    targets = (
        MTFPTarget.objects.filter(line__plan=plan)
        .select_related("line__directorate", "line__programme")
        .order_by("line__name", "line_id", "financial_year", "pk")
    )
    return Table(
        slug=f"{plan.slug}-targets",
        title=SHEET,
        headers=list(COLUMNS),
        rows=(
            [
                target.line.name,
                target.line.directorate.name if target.line.directorate else "",
                target.line.programme.name if target.line.programme else "",
                FinancialYear(target.financial_year).label,
                target.amount,
            ]
            for target in targets.iterator(chunk_size=CHUNK_SIZE)
        ),
        money_columns=frozenset({4}),
        widths=(48, 28, 28, 16, 14),
    )

"""Every dashboard table can be downloaded as CSV or XLSX with the same columns as the page."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

GBP_FORMAT = '"£"#,##0;[Red]-"£"#,##0'


@dataclass
class Table:
    """A table as shown on a page: a slug for its download link, headers and rows of values."""

    slug: str
    title: str
    headers: list[str]
    rows: list[list[object]] = field(default_factory=list)
    money_columns: frozenset[int] = frozenset()


def _csv_value(value: object) -> object:
    """Money as pence-exact text (SQLite's sums lose a Decimal's scale), nothing as blank."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def csv_response(table: Table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_value(value) for value in row])
    return response


def write_sheet(sheet: Worksheet, table: Table) -> None:
    """``table`` on ``sheet``: bold frozen header row, money as numbers in £ format."""
    sheet.title = table.title[:31]
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(list(row))
    for column in table.money_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            if isinstance(cell.value, Decimal | int | float):
                cell.number_format = GBP_FORMAT
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table.headers, start=1):
        width = max([len(str(header)), *(len(str(r[index - 1] or "")) for r in table.rows)])
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(
            width + 2, 60
        )


def xlsx_response(table: Table) -> HttpResponse:
    workbook = Workbook()
    write_sheet(workbook.active, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{table.slug}.xlsx"'
    return response

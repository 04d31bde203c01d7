"""CSV and XLSX exports of a log: the same columns as the page, the rows the filters select."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from .registers import Column, Register

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rows(columns: list[Column], objects: Iterable) -> Iterable[list[str]]:
    yield [c.label for c in columns]
    for obj in objects:
        yield [c.value(obj) for c in columns]


def csv_response(
    register: Register, columns: list[Column], objects: Iterable, filename: str
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # so Excel reads UTF-8 (£, ×) correctly
    writer = csv.writer(response)
    for row in _rows(columns, objects):
        writer.writerow([_safe(cell) for cell in row])
    return response


def xlsx_response(
    register: Register, columns: list[Column], objects: Iterable, filename: str
) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = register.title[:31]
    for row in _rows(columns, objects):
        sheet.append([_safe(cell) for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas in user text (CSV/formula injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value

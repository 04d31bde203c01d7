"""Filling the onboarding template as a PMO would in Excel: openpyxl opens the downloaded
template, drops each sheet's example row and writes the rows given, by column header."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from onboarding.sheets import BY_NAME


def fill(template: bytes, rows: dict[str, list[dict[str, Any]]]) -> bytes:
    book = load_workbook(io.BytesIO(template))
    for name, sheet_rows in rows.items():
        sheet = book[name]
        headers = [cell.value for cell in sheet[1]]
        if sheet.max_row > 1:
            sheet.delete_rows(2, sheet.max_row - 1)
        for values in sheet_rows:
            unknown = set(values) - set(BY_NAME[name].headers)
            assert not unknown, unknown
            sheet.append([values.get(header) for header in headers])
    for name in BY_NAME:
        if name not in rows and book[name].max_row > 1:
            book[name].delete_rows(2, book[name].max_row - 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def edit(workbook: bytes, sheet: str, row: int, header: str, value: Any) -> bytes:
    """Change one cell of a workbook (as downloaded) by its sheet, row number and header."""
    book = load_workbook(io.BytesIO(workbook))
    ws = book[sheet]
    headers = [cell.value for cell in ws[1]]
    ws.cell(row=row, column=headers.index(header) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def realistic(
    people: dict[str, Any], directorate: str = "Resources"
) -> dict[str, list[dict[str, Any]]]:
    """Two programmes of a council's portfolio with their plans, benefits and registers."""
    pmo, manager, sro = people["pmo"].email, people["manager"].email, people["sro"].email
    return {
        "Programmes": [
            {"Reference": "TP-001", "Name": "Digital front door",
             "Description": "One place to ask the council for anything.",
             "Portfolio": "Partner of Choice", "Lead directorate": directorate,
             "SRO email": sro, "Manager email": manager, "Category": "A"},
            {"Reference": "TP-002", "Name": "Adult social care reablement",
             "Portfolio": "Partner of Choice", "SRO email": sro, "Manager email": manager,
             "Category": "B"},
        ],
        "Milestones": [
            {"Programme ref": "TP-001", "Reference": "M-01", "Title": "Discovery complete",
             "Forecast date": "31/03/2027", "Baseline date": "2027-03-01", "Status": "In progress",
             "Owner email": manager},
            {"Programme ref": "TP-001", "Reference": "M-02", "Title": "Beta live",
             "Forecast date": "30/09/2027", "Status": "Not started"},
            {"Programme ref": "TP-002", "Reference": "M-01", "Title": "Pilot ward live",
             "Forecast date": "2027-01-15"},
        ],
        "Benefits": [
            {"Programme ref": "TP-001", "Reference": "B-01", "Title": "Fewer phone calls",
             "Type": "Cashable saving", "Status": "Planned", "Owner email": sro,
             "Measure": "Calls a month", "Baseline": "12,000", "Target": "8,000"},
            {"Programme ref": "TP-002", "Reference": "B-01", "Title": "Fewer care packages",
             "Type": "Cost avoidance"},
        ],
        "Benefit profiles": [
            {"Programme ref": "TP-001", "Benefit ref": "B-01", "Financial year": "2027/28",
             "Planned": 125000, "Forecast": "£120,000.00", "Actual": 0},
            {"Programme ref": "TP-001", "Benefit ref": "B-01", "Financial year": "2028/29",
             "Planned": 250000, "Forecast": 250000},
            {"Programme ref": "TP-002", "Benefit ref": "B-01", "Financial year": "2027/28",
             "Planned": "80000"},
        ],
        "Risks": [
            {"Programme ref": "TP-001", "Reference": "R-001", "Title": "Supplier capacity",
             "Cause": "A single supplier", "Event": "The supplier cannot staff phase 2",
             "Effect": "Delay to go-live", "Inherent likelihood": 4, "Inherent impact": 4,
             "Residual likelihood": 3, "Residual impact": 4, "Target likelihood": 2,
             "Target impact": 3, "Owner email": manager, "Review date": "31/01/2027",
             "Response": "Treat", "Status": "Open", "Escalated": "No"},
            {"Programme ref": "TP-002", "Reference": "R-001", "Title": "Care market fragility",
             "Inherent likelihood": 3, "Inherent impact": 5, "Residual likelihood": 3,
             "Residual impact": 4, "Target likelihood": 2, "Target impact": 4,
             "Escalated": "Yes"},
        ],
        "Issues": [
            {"Programme ref": "TP-001", "Reference": "I-001", "Title": "Data migration late",
             "Priority": "High", "Owner email": manager, "Status": "Open",
             "Raised on": "2026-11-02"},
        ],
        "Assumptions": [
            {"Programme ref": "TP-001", "Reference": "A-001", "Title": "Residents will use the app",
             "Validation date": "31/01/2027", "Status": "Open"},
        ],
        "Dependencies": [
            {"Programme ref": "TP-002", "Reference": "D-001", "Title": "Shared case records",
             "Depends on programme ref": "TP-001", "Needed by": "2027-06-30"},
            {"Programme ref": "TP-001", "Reference": "D-002", "Title": "Identity service",
             "Outside body": "Government Digital Service"},
        ],
        "Actions": [
            {"Programme ref": "TP-001", "Reference": "ACT-001", "Title": "Agree the supplier plan",
             "Owner email": pmo, "Due date": "18/12/2026", "Status": "Open"},
        ],
        "Decisions": [
            {"Programme ref": "TP-001", "Reference": "DEC-001",
             "Summary": "Single supplier for phase 1", "Decision": "Phase 1 goes to one supplier.",
             "Rationale": "Speed over resilience.", "Decided on": "2026-10-01"},
        ],
        "RACI": [
            {"Programme ref": "TP-001", "Activity": "Approve the business case",
             "Person email": sro, "Role": "A"},
            {"Programme ref": "TP-001", "Activity": "Approve the business case",
             "Person email": manager, "Role": "Responsible"},
        ],
    }  # fmt: skip

"""The onboarding workbook, declared once: its sheets, in the order they are read and written,
and each sheet's columns. One declaration drives the template, its "About" sheet that documents
every column, the reader that checks an upload, and the export of a programme or the portfolio.

A column names the model attribute it fills and a ``kind`` saying how a cell is read (and shown
again on export): ``text``, ``long`` (a few paragraphs), ``date``, ``money``, ``score`` (1 to 5),
``choice`` (a label of ``choices``), ``yesno``, ``person`` (an email; the person must be able to
hold ``duty``), ``programme`` (a programme's reference), ``benefit`` (a benefit's reference in the
row's programme), ``year`` (a financial year, 2026/27), ``directorate`` and ``portfolio`` (by
name), ``activity`` (a RACI activity's name in the row's programme).

Rows are matched to what Delivery Hub already holds by ``key``: a programme by its reference; a
register row by its programme and reference (or, when it has none, by its programme and
``natural`` title among the rows that have none); a benefit profile by its benefit and year; a
RACI cell by its activity and person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from benefits.models import Benefit, BenefitProfile, BenefitStatus, BenefitType
from core.limits import SHORT_TEXT
from governance.models import (
    Action,
    ActionStatus,
    Assumption,
    Decision,
    Dependency,
    Issue,
    IssuePriority,
    LogStatus,
    RaciAssignment,
    RaciRole,
    Risk,
    RiskResponse,
    RiskStatus,
)
from portfolio.models import Category, Milestone, MilestoneStatus, Programme, Stage

REFERENCE_LENGTH = 40


@dataclass(frozen=True)
class Column:
    header: str
    attr: str
    kind: str = "text"
    required: bool = False
    help: str = ""
    choices: type[models.TextChoices] | None = None
    duty: str = "owner"
    max_length: int = 200
    via: str = ""  # not a field of the row's model, but read through one (benefit.programme)

    @property
    def is_field(self) -> bool:
        return not self.via


@dataclass(frozen=True)
class Sheet:
    name: str
    model: type[models.Model]
    about: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("programme", "reference")
    natural: str = "title"  # matches a row that has no reference, within its programme
    example: tuple[Any, ...] = ()

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-")

    def column(self, attr: str) -> Column:
        return next(column for column in self.columns if column.attr == attr)


def _programme(via: str = "") -> Column:
    return Column(
        "Programme ref",
        "programme",
        "programme",
        required=True,
        via=via,
        help="The programme's reference (on the Programmes sheet, or already in Delivery Hub).",
    )


def _reference(example: str) -> Column:
    return Column(
        "Reference",
        "reference",
        "text",
        max_length=REFERENCE_LENGTH,
        help=f"Your own reference, unique in the programme (e.g. {example}). A second import "
        "updates the row with this reference instead of adding another. Left empty, the row is "
        "matched by its title among the programme's rows that have no reference.",
    )


def _owner(header: str = "Owner email", required: bool = False) -> Column:
    return Column(
        header,
        "owner",
        "person",
        required=required,
        help="The email address of someone who already has an account; nobody is invented.",
    )


def _choice(header: str, attr: str, choices: type[models.TextChoices], **kw: Any) -> Column:
    labels = ", ".join(str(label) for label in choices.labels)
    kw.setdefault("help", f"One of: {labels}.")
    return Column(header, attr, "choice", choices=choices, **kw)


def _long(header: str, attr: str, required: bool = False) -> Column:
    return Column(
        header,
        attr,
        "long",
        required=required,
        max_length=SHORT_TEXT,
        help=f"Free text, up to {SHORT_TEXT:,} characters.",
    )


SCORES = [
    ("Inherent likelihood", "inherent_likelihood"),
    ("Inherent impact", "inherent_impact"),
    ("Residual likelihood", "residual_likelihood"),
    ("Residual impact", "residual_impact"),
    ("Target likelihood", "target_likelihood"),
    ("Target impact", "target_impact"),
]

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "Programmes",
        Programme,
        "One row per programme. New programmes start in Identify with an empty Strategic "
        "Outline Case; a programme already in Delivery Hub is updated.",
        (
            Column(
                "Reference",
                "reference",
                "text",
                required=True,
                max_length=REFERENCE_LENGTH,
                help="Your own reference for the programme, unique in the portfolio (e.g. "
                "TP-014). Every other sheet names the programme by it.",
            ),
            Column(
                "Name",
                "name",
                "text",
                required=True,
                max_length=160,
                help="The programme's name, unique in Delivery Hub.",
            ),
            _long("Description", "description"),
            Column(
                "Portfolio",
                "portfolio",
                "portfolio",
                help="The name of a portfolio already in Delivery Hub.",
            ),
            Column(
                "Lead directorate",
                "directorate",
                "directorate",
                help="The name of a directorate already in Delivery Hub.",
            ),
            Column(
                "SRO email",
                "sro",
                "person",
                duty="sro",
                help="The senior responsible owner's email; they must hold the SRO role.",
            ),
            Column(
                "Manager email",
                "manager",
                "person",
                duty="programme_manager",
                help="The programme manager's email; they must hold the programme manager "
                "or PMO role.",
            ),
            _choice("Category", "category", Category),
        ),
        key=("reference",),
        natural="name",
        example=(
            "TP-014",
            "Digital front door",
            "One place to ask the council for anything.",
            "",
            "",
            "",
            "",
            "",
        ),
    ),
    Sheet(
        "Milestones",
        Milestone,
        "The programme's plan: one row per milestone.",
        (
            _programme(),
            _reference("M-01"),
            Column("Title", "title", required=True),
            Column(
                "Forecast date",
                "due_date",
                "date",
                required=True,
                help="A date: 31/03/2027 or 2027-03-31.",
            ),
            Column(
                "Baseline date",
                "baseline_date",
                "date",
                help="The date agreed at the last gate (optional).",
            ),
            Column("Actual date", "completed_on", "date", help="When it was met (optional)."),
            _choice("Status", "status", MilestoneStatus),
            _choice("Stage", "stage", Stage),
            _owner(),
        ),
        example=(
            "TP-014",
            "M-01",
            "Discovery complete",
            "2027-03-31",
            "",
            "",
            "Not started",
            "",
            "",
        ),
    ),
    Sheet(
        "Benefits",
        Benefit,
        "One row per benefit; its money by year is on Benefit profiles.",
        (
            _programme(),
            _reference("B-01"),
            Column("Title", "title", required=True),
            _long("Description", "description"),
            _choice("Type", "type", BenefitType, required=True),
            _choice("Status", "status", BenefitStatus),
            _owner(),
            Column("Measure", "measure"),
            Column("Baseline", "baseline", max_length=120),
            Column("Target", "target", max_length=120),
        ),
        example=(
            "TP-014",
            "B-01",
            "Fewer phone calls",
            "",
            "Cashable saving",
            "Planned",
            "",
            "Calls a month",
            "12,000",
            "8,000",
        ),
    ),
    Sheet(
        "Benefit profiles",
        BenefitProfile,
        "A benefit's planned, forecast and actual value in one financial year (pounds).",
        (
            _programme(via="benefit.programme"),
            Column(
                "Benefit ref",
                "benefit",
                "benefit",
                required=True,
                help="The benefit's reference (its title if it has none) in the programme.",
            ),
            Column(
                "Financial year",
                "financial_year",
                "year",
                required=True,
                help="A financial year: 2026/27.",
            ),
            Column("Planned", "planned", "money", help="Pounds, e.g. 125000 or £125,000.00."),
            Column("Forecast", "forecast", "money", help="Pounds."),
            Column("Actual", "actual", "money", help="Pounds."),
        ),
        key=("benefit", "financial_year"),
        natural="",
        example=("TP-014", "B-01", "2027/28", 125000, 125000, 0),
    ),
    Sheet(
        "Risks",
        Risk,
        "The programme's risks, scored 1 to 5 on the 5×5 matrix.",
        (
            _programme(),
            _reference("R-001"),
            Column("Title", "title", required=True),
            _long("Cause", "cause"),
            _long("Event", "event"),
            _long("Effect", "effect"),
            *(
                Column(header, attr, "score", required=True, help="A whole number from 1 to 5.")
                for header, attr in SCORES
            ),
            _long("Existing controls", "existing_controls"),
            _long("Further action", "further_action"),
            _owner(),
            Column("Review date", "review_date", "date", help="A date: 31/03/2027."),
            Column("Proximity", "proximity", max_length=100),
            _choice("Response", "response", RiskResponse),
            _choice("Status", "status", RiskStatus),
            Column("Escalated", "escalated", "yesno", help="Yes or No."),
        ),
        example=(
            "TP-014",
            "R-001",
            "Supplier capacity",
            "A single supplier",
            "The supplier cannot staff phase 2",
            "Delay to go-live",
            4,
            4,
            3,
            4,
            2,
            3,
            "Weekly supplier meeting",
            "Second supplier framework",
            "",
            "2027-03-31",
            "Next quarter",
            "Treat",
            "Open",
            "No",
        ),
    ),
    Sheet(
        "Issues",
        Issue,
        "What has happened and must be dealt with.",
        (
            _programme(),
            _reference("I-001"),
            Column("Title", "title", required=True),
            _long("Description", "description"),
            _choice("Priority", "priority", IssuePriority),
            _owner(),
            _long("Resolution", "resolution"),
            _choice("Status", "status", LogStatus),
            Column("Raised on", "raised_on", "date", help="A date: 31/03/2027."),
        ),
        example=(
            "TP-014",
            "I-001",
            "Data migration late",
            "",
            "High",
            "",
            "",
            "Open",
            "2026-11-02",
        ),
    ),
    Sheet(
        "Assumptions",
        Assumption,
        "What the programme takes as true, to be validated by a date.",
        (
            _programme(),
            _reference("A-001"),
            Column("Title", "title", required=True),
            _long("Description", "description"),
            _owner(),
            Column("Validation date", "validation_date", "date", help="A date: 31/03/2027."),
            _choice("Status", "status", LogStatus),
        ),
        example=("TP-014", "A-001", "Residents will use the app", "", "", "2027-01-31", "Open"),
    ),
    Sheet(
        "Dependencies",
        Dependency,
        "What the programme needs from another programme or an outside body (one of the two).",
        (
            _programme(),
            _reference("D-001"),
            Column("Title", "title", required=True),
            _long("Description", "description"),
            Column(
                "Depends on programme ref",
                "depends_on",
                "programme",
                help="The reference of the programme it depends on, or leave empty and "
                "name an outside body.",
            ),
            Column("Outside body", "outside_body", help="A body outside the portfolio."),
            _owner(),
            Column("Needed by", "needed_by", "date", help="A date: 31/03/2027."),
            _choice("Status", "status", LogStatus),
        ),
        example=(
            "TP-014",
            "D-001",
            "Identity service",
            "",
            "",
            "Government Digital Service",
            "",
            "2027-06-30",
            "Open",
        ),
    ),
    Sheet(
        "Actions",
        Action,
        "Actions, each with an owner and a due date.",
        (
            _programme(),
            _reference("ACT-001"),
            Column("Title", "title", required=True),
            _long("Description", "description"),
            _owner(required=True),
            Column("Due date", "due_date", "date", required=True, help="A date: 31/03/2027."),
            _choice("Status", "status", ActionStatus),
            Column("Completed on", "completed_on", "date", help="A date (optional)."),
        ),
        example=(
            "TP-014",
            "ACT-001",
            "Agree the supplier plan",
            "",
            "pmo@example.gov.uk",
            "2026-12-18",
            "Open",
            "",
        ),
    ),
    Sheet(
        "Decisions",
        Decision,
        "Decisions taken, with their rationale.",
        (
            _programme(),
            _reference("DEC-001"),
            Column("Summary", "summary", required=True),
            _long("Decision", "decision", required=True),
            _long("Rationale", "rationale"),
            Column("Decided on", "decided_on", "date", required=True, help="A date: 31/03/2027."),
        ),
        natural="summary",
        example=(
            "TP-014",
            "DEC-001",
            "Single supplier for phase 1",
            "Phase 1 goes to one supplier.",
            "Speed over resilience.",
            "2026-10-01",
        ),
    ),
    Sheet(
        "RACI",
        RaciAssignment,
        "Who is Responsible, Accountable, Consulted or Informed for each activity: one row per "
        "person and activity (at most one Accountable per activity).",
        (
            _programme(via="activity.programme"),
            Column(
                "Activity",
                "activity",
                "activity",
                required=True,
                help="The activity's name; a new name adds the activity.",
            ),
            Column(
                "Person email",
                "person",
                "person",
                required=True,
                duty="",
                help="The email address of someone who already has an account.",
            ),
            Column(
                "Role",
                "role",
                "choice",
                required=True,
                choices=RaciRole,
                help="R, A, C or I (or Responsible, Accountable, Consulted, Informed).",
            ),
        ),
        key=("activity", "person"),
        natural="",
        example=("TP-014", "Approve the business case", "pmo@example.gov.uk", "A"),
    ),
)

BY_NAME = {sheet.name: sheet for sheet in SHEETS}
ABOUT = "About"  # the template's documentation sheet; the reader skips it

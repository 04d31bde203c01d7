"""Import a programme's risks from an XLSX spreadsheet: every row is checked first; any error
and nothing is imported; a valid file imports every row in one transaction, in bulk (a few
INSERTs of risks and their history rows, and one invalidation of the dashboard's cache)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from io import BytesIO
from typing import Any

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone

from accounts.models import User
from accounts.queries import people_for
from core.audit import acting_as, audited, bulk_create_audited
from core.exports import Table
from core.numbers import whole_number
from core.spreadsheets import (
    NotASpreadsheet,
    SheetMissing,
    SpreadsheetError,
    SpreadsheetLimits,
    SpreadsheetTooLarge,
    read_sheet,
)
from portfolio.models import Programme

from .models import ImportStatus, RaidImport, Risk, RiskResponse, RiskStatus

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
SHEET = "Risks"
SCORES = [
    "Inherent likelihood", "Inherent impact", "Residual likelihood", "Residual impact",
    "Target likelihood", "Target impact",
]  # fmt: skip
HEADERS = [
    "Title", "Cause", "Event", "Effect", *SCORES, "Existing controls", "Further action",
    "Owner", "Review date", "Proximity", "Response", "Escalated",
]  # fmt: skip
REQUIRED = ["Title", *SCORES]
FIELDS = {
    "Title": "title", "Cause": "cause", "Event": "event", "Effect": "effect",
    "Existing controls": "existing_controls", "Further action": "further_action",
    "Proximity": "proximity",
}  # fmt: skip
SCORE_FIELDS = {name: name.lower().replace(" ", "_") for name in SCORES}
# A risk row is 17 cells; a RAID log of MAX_ROWS risks, a header and room for notes.
LIMITS = SpreadsheetLimits(
    max_upload_bytes=MAX_BYTES, max_rows=MAX_ROWS + 1, max_columns=50, max_cells=200_000
)
# A Celery worker may read for longer than a web request: the deadline guards the web tier.
BACKGROUND_LIMITS = replace(LIMITS, max_seconds=120.0)
# A file larger than this is checked and imported by a Celery worker, the page following its
# progress; a smaller one (about 1,500 risks) within the request.
BACKGROUND_BYTES = 100 * 1024
PROGRESS_EVERY = 500  # rows checked between two progress updates


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def template_table() -> Table:
    """The import template: the headers and one example row."""
    return Table(
        slug="raid-risks-template",
        title=SHEET,
        headers=HEADERS,
        rows=[[
            "Supplier capacity", "A single supplier", "The supplier cannot staff phase 2",
            "Delay to go-live", 4, 4, 3, 4, 2, 3, "Weekly supplier meeting",
            "Second supplier framework", "manager", "2026-03-31", "Next quarter", "Treat", "No",
        ]],
    )  # fmt: skip


def _text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:  # most cells: no conversion to try
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _find_owner(name: str, people: dict[str, User]) -> User | None:
    return people.get(name.lower())


def _people() -> dict[str, User]:
    people: dict[str, User] = {}
    for user in User.objects.filter(is_active=True).annotate(
        full=Concat("first_name", Value(" "), "last_name")
    ):
        people.setdefault(user.username.lower(), user)
        if user.full.strip():
            people.setdefault(user.full.strip().lower(), user)
    return people


# The two formats a review date may be typed in, in plain digits: read without strptime (the
# same dates; anything else, such as a day written " 1", still goes through strptime).
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})").fullmatch
UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})").fullmatch


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if match := ISO_DATE(text):
        return date(int(match[1]), int(match[2]), int(match[3]))  # ValueError if no such day
    if match := UK_DATE(text):
        return date(int(match[3]), int(match[2]), int(match[1]))
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError


def raid_import_check(
    *,
    programme: Programme,
    upload: Any,
    limits: SpreadsheetLimits = LIMITS,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read and validate every row; return the unsaved risks or every error found.
    ``progress`` is told the percentage done: 40 once the file is read, up to 80 as the rows
    are checked (``PROGRESS_EVERY`` rows at a time)."""
    result = ImportResult()
    try:
        rows = read_sheet(upload, sheet=SHEET, limits=limits)
    except SpreadsheetTooLarge:
        result.errors.append("The file is larger than 5 MB: split it or remove images.")
        return result
    except NotASpreadsheet:
        result.errors.append("The file is not an Excel spreadsheet (.xlsx): use the template.")
        return result
    except SheetMissing as missing:
        result.errors.append(
            f'The spreadsheet has no sheet named "{SHEET}" (it has: '
            f"{', '.join(missing.sheetnames)}): use the template."
        )
        return result
    except SpreadsheetError as error:
        result.errors.append(error.message)
        return result
    if not rows:
        result.errors.append(f'The "{SHEET}" sheet is empty: use the template.')
        return result
    header = [_text(h) for h in rows[0]]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        result.errors.append(f"Row 1: missing column{'s' if len(missing) > 1 else ''} "
                             f"{', '.join(missing)}.")  # fmt: skip
        return result
    index = {name: header.index(name) for name in HEADERS if name in header}
    people = _people()
    owners = set(people_for("owner").values_list("pk", flat=True))  # who may own a risk
    responses = {label.lower(): value for value, label in RiskResponse.choices}
    if progress:
        progress(40)
    # Each risk is built from its fields' values in one call (keys, not objects, for the
    # programme, portfolio and owner): the same row, at a fraction of the cost per risk.
    base = {
        "programme_id": programme.pk,
        "portfolio_id": programme.portfolio_id,
        "status": RiskStatus.OPEN,
    }
    for number, values in enumerate(rows[1:], start=2):
        if progress and number % PROGRESS_EVERY == 0:
            progress(40 + 40 * number // len(rows))
        cells = {name: values[i] if i < len(values) else None for name, i in index.items()}
        texts = {name: _text(value) for name, value in cells.items()}
        if not any(texts.values()):
            continue
        fields: dict[str, Any] = dict(base)

        def error(column: str, message: str, number: int = number) -> None:
            result.errors.append(f"Row {number}, column {column}: {message}")

        for name, attr in FIELDS.items():
            fields[attr] = texts.get(name, "")
        title = fields["title"]
        if not title:
            error("Title", "enter the risk's title.")
        elif len(title) > 200:
            error("Title", "use 200 characters or fewer.")
        for name, attr in SCORE_FIELDS.items():
            text = texts.get(name, "")
            score = whole_number(text, 5)
            if score is None or score < 1:
                error(name, f"must be a whole number from 1 to 5 (got “{text or 'nothing'}”).")
            else:
                fields[attr] = score
        owner = texts.get("Owner", "")
        if owner:
            user = _find_owner(owner, people)
            if user is None:
                error("Owner", f"no user has the username or full name “{owner}”.")
            else:
                fields["owner_id"] = user.pk
                if user.pk not in owners:
                    error("Owner", f"{user} cannot own a risk: choose someone on the staff side.")
        if texts.get("Review date"):
            try:
                fields["review_date"] = _date(cells.get("Review date"))
            except ValueError:
                error("Review date", f"“{texts['Review date']}” is not a date "
                      "(use 31/03/2026 or 2026-03-31).")  # fmt: skip
        response = texts.get("Response", "").lower()
        if response:
            if response not in responses:
                error("Response", "must be Tolerate, Treat, Transfer or Terminate.")
            else:
                fields["response"] = responses[response]
        escalated = texts.get("Escalated", "").lower()
        if escalated not in ("", "yes", "no", "y", "n", "true", "false"):
            error("Escalated", "must be Yes or No.")
        fields["escalated"] = escalated in ("yes", "y", "true")
        result.risks.append(Risk(**fields))
    if not result.risks and not result.errors:
        result.errors.append(f'The "{SHEET}" sheet has no risks under its header row.')
    return result


@audited
def raid_import(
    *, programme: Programme, upload: Any, actor: User, limits: SpreadsheetLimits = LIMITS
) -> ImportResult:
    """Import every risk of a valid spreadsheet, or none. The file is read and checked outside
    any transaction (it may take seconds); the rows are written in one short transaction."""
    result = raid_import_check(programme=programme, upload=upload, limits=limits)
    if not result.ok:
        return result
    with transaction.atomic():
        result.risks = bulk_create_audited(Risk, result.risks)
    return result


# --- In the background ----------------------------------------------------------------------
def raid_import_run(*, import_pk: int) -> RaidImport:
    """What the worker does: read and check the kept spreadsheet (reporting progress on the
    row), then, in one transaction, write every risk and mark the row imported, or write
    nothing and mark it failed with every problem found. Nothing is written before that
    transaction, so a row still checking (its worker died; ``acks_late`` delivers the task
    again) is checked afresh; a finished row is left as it is."""
    running = (ImportStatus.QUEUED, ImportStatus.CHECKING)

    def progress(value: int, **fields: Any) -> None:
        RaidImport.objects.filter(pk=import_pk, status__in=running).update(progress=value, **fields)

    row = RaidImport.objects.select_related("programme", "requested_by").get(pk=import_pk)
    if row.status not in running:  # finished: a second delivery of the task changes nothing
        return row
    progress(10, status=ImportStatus.CHECKING)
    try:
        result = raid_import_check(
            programme=row.programme,
            upload=BytesIO(bytes(row.content)),
            limits=BACKGROUND_LIMITS,
            progress=progress,
        )
    except Exception as error:
        logger.exception("RAID import %s failed.", import_pk)
        result = ImportResult(errors=[f"The file could not be checked ({type(error).__name__})."])
    progress(90)
    with transaction.atomic(), acting_as(row.requested_by):
        row = RaidImport.objects.select_for_update().get(pk=import_pk)
        if row.status != ImportStatus.CHECKING:
            return row
        if result.ok:
            row.risks = len(bulk_create_audited(Risk, result.risks))
        row.status = ImportStatus.IMPORTED if result.ok else ImportStatus.FAILED
        row.errors = result.errors
        row.progress = 100
        row.content = b""
        row.finished_at = timezone.now()
        row.save()
    return row


__all__ = [
    "BACKGROUND_BYTES", "BACKGROUND_LIMITS", "HEADERS", "ImportResult", "raid_import",
    "raid_import_check", "raid_import_run", "template_table",
]  # fmt: skip

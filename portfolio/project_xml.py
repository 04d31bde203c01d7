"""Read a Microsoft Project plan saved as XML (MSPDI: File > Save As > XML) into plan rows.

Only what the plan keeps is read: each milestone task (``<Milestone>1``) becomes a row with
its finish as the forecast, baseline 0's finish as the baseline, its actual finish (or 100%
complete) as done, the owner from its resource assignment (matched later by email), and the
stage from the top-level summary task it sits under when that task is named after a stage
("Deliver", "Design phase"...). The reference is ``MSP-<UID>``, Project's own task id, so a
second import of the same plan updates instead of duplicating.

The XML is untrusted: it is read through ``core.spreadsheets.bounded_xml_events`` (defusedxml,
no DTD or entities, a bounded number of elements, a deadline), after a size limit.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any
from xml.etree.ElementTree import Element

from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from accounts.rules import may_hold
from core.numbers import whole_number
from core.spreadsheets import MIB, SpreadsheetError, bounded_xml_events, deadline

from .models import Milestone, MilestoneStatus, Programme, Stage

MAX_BYTES = 5 * MIB
MAX_ELEMENTS = 400_000
MAX_MILESTONES = 500
MAX_SECONDS = 10.0
TASK_FIELDS = {
    "UID", "Name", "Milestone", "Summary", "OutlineLevel", "OutlineNumber", "Finish",
    "ActualFinish", "PercentComplete", "IsNull",
}  # fmt: skip
STAGE_WORDS = {
    "identify": Stage.IDENTIFY, "define": Stage.DEFINE, "design": Stage.DESIGN,
    "deliver": Stage.DELIVER, "delivery": Stage.DELIVER, "close": Stage.CLOSED,
    "closure": Stage.CLOSED,
}  # fmt: skip


NOT_PROJECT = (
    "The file is not a Microsoft Project XML plan: in Project choose File > Save As > XML, "
    "then upload that file."
)


DAMAGED = (
    "The Project file is damaged and cannot be read (the XML is malformed, cut short, or "
    "declares a DTD or entities, which plans never need): save it again from Project "
    "(File > Save As > XML) and upload the new file."
)


class ProjectFileError(SpreadsheetError):
    """The file was refused; the message names why (and the limit, where there is one)."""


@dataclass
class PlanRow:
    """One milestone as the file gives it (plain values: it travels signed between the preview
    and the confirmation)."""

    reference: str
    title: str
    due_date: str  # ISO dates
    baseline_date: str = ""
    completed_on: str = ""
    stage: str = ""
    owner_email: str = ""
    where: str = ""  # "Task 12 (UID 40)", for messages

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass
class ParsedPlan:
    rows: list[PlanRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    project: str = ""


def _day(text: str) -> date | None:
    text = text.strip()
    if not text or text.startswith("1984-01-01"):  # Project writes NA dates as this, or empty
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _guarded(events: Iterator[tuple[str, Element]]) -> Iterator[tuple[str, Element]]:
    """The events, with the XML guard's refusals worded for a Project file."""
    try:
        yield from events
    except SpreadsheetError as error:
        message = error.message.replace(
            "save it again from Excel and upload the new file",
            "save it again from Project (File > Save As > XML) and upload the new file",
        )
        if "damaged" in message:
            message = DAMAGED
        raise ProjectFileError(message) from error


def _read(upload: IO[bytes]) -> tuple[list[dict[str, str]], dict[str, str], dict[str, str], str]:
    """Tasks (their fields, with ``Baseline0Finish``), resource emails by UID, the first
    resource UID assigned to each task UID, and the project's title."""
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ProjectFileError(
            f"The file is larger than {MAX_BYTES // MIB} MB: save only the plan from Project "
            "(File > Save As > XML) or split it."
        )
    if not data.strip():
        raise ProjectFileError("The file is empty: choose a Microsoft Project XML file.")
    tasks: list[dict[str, str]] = []
    resources: dict[str, str] = {}
    assigned: dict[str, str] = {}
    path: list[str] = []
    current: dict[str, str] = {}
    baseline: dict[str, str] = {}
    title = ""
    events = _guarded(bounded_xml_events(
        io.BytesIO(data), what="The Project file", max_elements=MAX_ELEMENTS,
        deadline=deadline(MAX_SECONDS), ends=True,
    ))  # fmt: skip
    for event, element in events:
        tag = _local(element.tag)
        if event == "start":
            if not path and tag != "Project":
                raise ProjectFileError(NOT_PROJECT)
            path.append(tag)
            if path[-2:] in (
                ["Tasks", "Task"],
                ["Resources", "Resource"],
                ["Assignments", "Assignment"],
            ):
                current = {}
            elif path[-2:] == ["Task", "Baseline"]:
                baseline = {}
            continue
        text = (element.text or "").strip()
        parent = path[-2] if len(path) > 1 else ""
        if path == ["Project", "Title"] or (path == ["Project", "Name"] and not title):
            title = text
        elif parent == "Baseline" and len(path) > 2 and path[-3] == "Task":
            baseline[tag] = text
        elif tag == "Baseline" and parent == "Task":
            if baseline.get("Number", "0") == "0" and "Finish" in baseline:
                current["Baseline0Finish"] = baseline["Finish"]
        elif parent in ("Task", "Resource", "Assignment") and len(path) == 4:
            current[tag] = text
        elif path[-2:] == ["Tasks", "Task"]:
            tasks.append(current)
        elif path[-2:] == ["Resources", "Resource"]:
            if current.get("UID") and current.get("EmailAddress"):
                resources[current["UID"]] = current["EmailAddress"]
        elif path[-2:] == ["Assignments", "Assignment"]:
            task, resource = current.get("TaskUID", ""), current.get("ResourceUID", "")
            if task and resource and resource != "-65535":
                assigned.setdefault(task, resource)
        path.pop()
    return tasks, resources, assigned, title


def _stage_of(name: str) -> str:
    for word in name.lower().replace("-", " ").split():
        if word in STAGE_WORDS:
            return STAGE_WORDS[word]
    return ""


def parse_project_xml(upload: IO[bytes]) -> ParsedPlan:
    """The milestones of a Project XML plan, and every problem with the task it is in."""
    tasks, resources, assigned, title = _read(upload)
    plan = ParsedPlan(project=title)
    stages = {
        t.get("OutlineNumber", ""): _stage_of(t.get("Name", ""))
        for t in tasks
        if t.get("Summary") == "1" and t.get("OutlineLevel") == "1"
    }
    for task in tasks:
        if task.get("Milestone") != "1" or task.get("IsNull") == "1":
            continue
        uid = task.get("UID", "")
        where = f"Task “{task.get('Name', '')[:60]}” (UID {uid[:12]})"
        if whole_number(uid) is None:
            plan.errors.append(f"{where}: the task has no UID; save the plan from Project again.")
            continue
        name = " ".join(task.get("Name", "").split())
        if not name:
            plan.errors.append(f"{where}: the milestone has no name.")
        elif len(name) > 200:
            plan.errors.append(f"{where}: the name is longer than 200 characters.")
        finish = _day(task.get("Finish", ""))
        if finish is None:
            plan.errors.append(f"{where}: the finish date “{task.get('Finish', '')[:30]}” is "
                               "not a date.")  # fmt: skip
        actual = _day(task.get("ActualFinish", ""))
        if actual is None and task.get("PercentComplete") == "100":
            actual = finish
        baseline = _day(task.get("Baseline0Finish", ""))
        email = resources.get(assigned.get(uid, ""), "")
        top = task.get("OutlineNumber", "").split(".", 1)[0]
        plan.rows.append(
            PlanRow(
                reference=f"MSP-{uid}", title=name[:200], where=where,
                due_date=finish.isoformat() if finish else "",
                baseline_date=baseline.isoformat() if baseline else "",
                completed_on=actual.isoformat() if actual else "",
                stage=stages.get(top, ""), owner_email=email.strip().lower()[:254],
            )
        )  # fmt: skip
        if len(plan.rows) > MAX_MILESTONES:
            raise ProjectFileError(
                f"The plan has more than {MAX_MILESTONES} milestones: import a smaller plan."
            )
    if not plan.rows and not plan.errors:
        plan.errors.append(
            "The plan has no milestones: in Project, mark the tasks that are milestones "
            "(Task Information > Advanced > Mark task as milestone) and save it again."
        )
    return plan


# --- Comparing the file with the plan --------------------------------------------------------
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)
COMPARED = ("title", "due_date", "baseline_date", "completed_on", "status", "stage", "owner")


@dataclass
class RowChange:
    row: PlanRow
    milestone: Milestone | None  # the milestone it updates, or None for a new one
    changes: list[str] = field(default_factory=list)  # the fields' words, for the preview
    values: dict[str, Any] = field(default_factory=dict)  # what the milestone is given

    @property
    def stage_label(self) -> str:
        stage = self.values.get("stage")
        return Stage(stage).label if stage else ""


@dataclass
class PlanComparison:
    create: list[RowChange] = field(default_factory=list)
    update: list[RowChange] = field(default_factory=list)
    unchanged: list[RowChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unknown_people: list[str] = field(default_factory=list)


def _date(value: str, where: str, what: str, errors: list[str]) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        errors.append(f"{where}: the {what} “{value[:30]}” is not a date.")
        return None
    if not EARLIEST <= day <= LATEST:
        errors.append(f"{where}: the {what} {day:%-d %B %Y} is not between 2000 and 2099.")
        return None
    return day


def compare_plan(programme: Programme, rows: list[PlanRow]) -> PlanComparison:
    """What importing ``rows`` would do to the programme's plan: each row to create, to update
    (matched by reference) or unchanged, and every error. Nothing is written."""
    result = PlanComparison()
    existing = {m.reference: m for m in programme.milestones.exclude(reference="")}
    emails = {r.owner_email for r in rows if r.owner_email}
    found = User.objects.annotate(address=Lower("email")).filter(address__in=emails, is_active=True)
    people = {u.email.lower(): u for u in found}
    seen: set[str] = set()
    today = timezone.localdate()
    for row in rows:
        errors: list[str] = []
        where = row.where or row.reference
        if row.reference in seen:
            errors.append(f"{where}: the reference {row.reference} is used twice in the file.")
        seen.add(row.reference)
        if not row.due_date or not row.title:
            continue  # the file's reader has listed it (and the import refuses such a row)
        due = _date(row.due_date, where, "finish date", errors)
        baseline = _date(row.baseline_date, where, "baseline finish", errors)
        done = _date(row.completed_on, where, "actual finish", errors)
        if done and done > today:
            errors.append(f"{where}: the actual finish {done:%-d %B %Y} is in the future.")
        owner = None
        if row.owner_email:
            owner = people.get(row.owner_email)
            if owner is None:
                result.unknown_people.append(row.owner_email)
                errors.append(
                    f"{where}: {row.owner_email} is not a person in Delivery Hub: add them "
                    "(People) or remove the assignment in Project, then upload it again."
                )
            elif not may_hold(owner, "owner"):
                errors.append(f"{where}: {owner} cannot own a milestone (their role).")
        milestone = existing.get(row.reference)
        moved = milestone and baseline and milestone.baseline_date != baseline
        if milestone and moved and programme.baselines_locked:
            before = f"{milestone.baseline_date:%-d %B %Y}" if milestone.baseline_date else "none"
            errors.append(
                f"{where}: its baseline moves from {before} to {baseline:%-d %B %Y}, but the "
                "plan’s baselines were agreed at Gate 3 and move only through an approved "
                "change request."
            )
        if errors:
            result.errors += errors
            continue
        values: dict[str, Any] = {
            "title": row.title, "due_date": due, "completed_on": done,
            "status": MilestoneStatus.COMPLETE if done else (
                milestone.status if milestone and not milestone.is_complete
                else MilestoneStatus.NOT_STARTED
            ),
            "stage": row.stage, "owner": owner,
            "baseline_date": baseline or (milestone.baseline_date if milestone else None) or due,
        }  # fmt: skip
        change = RowChange(row=row, milestone=milestone, values=values)
        if milestone is None:
            result.create.append(change)
            continue
        for name in COMPARED:
            if getattr(milestone, name) != values[name]:
                change.changes.append(str(Milestone._meta.get_field(name).verbose_name))
        (result.update if change.changes else result.unchanged).append(change)
    return result

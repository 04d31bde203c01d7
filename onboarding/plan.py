"""Check an onboarding upload against what Delivery Hub holds, writing nothing: every problem
with its sheet, row and column, the people it names that have no account, and for each sheet the
rows to be created, updated and left unchanged (the unsaved objects ``apply`` then writes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models.functions import Lower
from django.utils.text import slugify

from accounts.models import User
from accounts.queries import people_for
from benefits.models import Benefit
from core.exports import FORMULA_TRIGGERS
from core.numbers import whole_number
from governance.models import RaciActivity, RaciAssignment, RaciRole
from portfolio.models import Directorate, Portfolio, Programme
from portfolio.periods import FinancialYear
from portfolio.services import reserved_programme_slugs

from .reading import Problem, Upload
from .sheets import SHEETS, Column, Sheet

MAX_PROBLEMS = 500  # kept to show; all are counted
MAX_SAMPLES = 50  # rows listed per sheet and action on the preview
MAX_MONEY = Decimal("999999999999.99")  # 14 digits, 2 places
# What a programme in Deliver keeps as agreed at its Full Brief (the change request moves it).
BASELINES = {"Milestones": "baseline_date", "Benefit profiles": "planned"}
KEEP = object()  # an empty optional cell of a field with a default: the default, or as it is


class CellError(ValueError):
    pass


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if not value.time() else value
    return str(value).strip()


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = text_of(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise CellError(
        f"“{text[:40]}” is not a date: write a real date, like 31/03/2027 or 2027-03-31."
    )


MONEY = re.compile(r"^-?\d+(\.\d{1,2})?$")


def parse_money(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("is not an amount of money.")
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = text_of(value).replace("£", "").replace(",", "").strip()
        if not MONEY.match(text):
            raise CellError(
                f"“{text_of(value)[:40]}” is not an amount of money: use pounds in figures, "
                "like 125000 or 125,000.00."
            )
        amount = Decimal(text)
    try:
        amount = amount.quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise CellError("is not an amount of money.") from error
    if amount < 0:
        raise CellError("must not be negative.")
    if amount > MAX_MONEY:
        raise CellError(f"must be at most £{MAX_MONEY:,}.")
    return amount


def _token(obj: models.Model | None) -> tuple[str, int] | None:
    if obj is None:
        return None
    return ("pk", obj.pk) if obj.pk is not None else ("new", id(obj))


@dataclass
class SheetPlan:
    sheet: Sheet
    create: list[models.Model] = field(default_factory=list)
    update: list[models.Model] = field(default_factory=list)
    update_fields: set[str] = field(default_factory=set)
    unchanged: int = 0
    samples: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.sheet.name,
            "create": len(self.create),
            "update": len(self.update),
            "unchanged": self.unchanged,
            "samples": self.samples,
        }


@dataclass
class Plan:
    sheets: list[SheetPlan] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    unknown_people: dict[str, list[str]] = field(default_factory=dict)
    new_activities: list[RaciActivity] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def summary(self) -> dict[str, Any]:
        return {
            "sheets": [sheet.summary() for sheet in self.sheets],
            "unknown_people": [
                {"email": email, "where": where[:10], "count": len(where)}
                for email, where in sorted(self.unknown_people.items())
            ],
            "problem_count": self.problem_count,
        }


class _Checker:
    """One pass over the upload: the lookups it needs are loaded once."""

    def __init__(self, upload: Upload, actor: User, progress: Callable[[int], None]) -> None:
        self.upload = upload
        self.actor = actor
        self.progress = progress
        self.plan = Plan()
        for problem in upload.problems:
            self.plan.add(problem)
        self.people = {
            user.email_lower: user
            for user in User.objects.filter(is_active=True)
            .exclude(email="")
            .annotate(email_lower=Lower("email"))
        }
        self.duties: dict[str, set[int]] = {}
        self.directorates = {d.name.lower(): d for d in Directorate.objects.all()}
        self.portfolios = {p.name.lower(): p for p in Portfolio.objects.all()}
        self.programmes: dict[str, Programme] = {}  # reference (or slug, if it has none) → it
        self.existing_programmes = list(Programme.objects.all())
        for programme in self.existing_programmes:
            self.programmes[programme.reference or programme.slug] = programme
        self.benefits: dict[tuple[Any, str], Benefit] = {}
        self.activities: dict[tuple[Any, str], RaciActivity] = {
            (("pk", activity.programme_id), activity.name): activity
            for activity in RaciActivity.objects.all()
        }
        self.names: set[str] = set()

    # --- cells --------------------------------------------------------------------------------
    def _duty(self, duty: str) -> set[int]:
        if duty not in self.duties:
            self.duties[duty] = set(people_for(duty).values_list("pk", flat=True))
        return self.duties[duty]

    def cell(
        self, sheet: Sheet, column: Column, raw: Any, values: dict[str, Any], where: str
    ) -> Any:
        text = text_of(raw)
        if not text:
            if column.required:
                raise CellError("is empty: this column must be filled in.")
            if column.kind in ("text", "long"):
                return ""
            model_field = sheet.model._meta.get_field(column.attr)
            return None if model_field.null else KEEP
        kind = column.kind
        if kind in ("text", "long"):
            raw_text = str(raw).strip() if isinstance(raw, str) else text
            if raw_text.startswith("'") and raw_text[1:].startswith(FORMULA_TRIGGERS):
                raw_text = raw_text[1:]  # as core.exports.guard wrote it: the text itself
            if len(raw_text) > column.max_length:
                raise CellError(
                    f"is {len(raw_text):,} characters long: use {column.max_length:,} or fewer."
                )
            return raw_text
        if kind == "date":
            return parse_date(raw)
        if kind == "money":
            return parse_money(raw)
        if kind == "score":
            score = whole_number(text, 5)
            if score is None or score < 1:
                raise CellError(f"must be a whole number from 1 to 5 (it is “{text[:20]}”).")
            return score
        if kind == "yesno":
            answer = text.lower()
            if answer not in ("yes", "no", "y", "n", "true", "false"):
                raise CellError(f"must be Yes or No (it is “{text[:20]}”).")
            return answer in ("yes", "y", "true")
        if kind == "choice":
            choices = column.choices.choices if column.choices else []
            wanted = text.lower()
            for value, label in choices:
                if wanted in (str(value).lower(), str(label).lower()):
                    return value
            labels = ", ".join(
                str(label) for label in (column.choices.labels if column.choices else [])
            )
            raise CellError(f"“{text[:40]}” is not one of: {labels}.")
        if kind == "year":
            try:
                year = (
                    FinancialYear.parse(text).start_year
                    if "/" in text or "-" in text
                    else int(text)
                )
            except ValueError as error:
                raise CellError(
                    f"“{text[:20]}” is not a financial year: write it like 2026/27."
                ) from error
            if not 2000 <= year <= 2100:
                raise CellError(
                    f"“{text[:20]}” is not a financial year between 2000/01 and 2100/01."
                )
            return year
        if kind == "person":
            person = self.people.get(text.lower())
            if person is None:
                self.plan.unknown_people.setdefault(text.lower()[:254], []).append(where)
                raise CellError(
                    f"“{text[:80]}” is not the email address of anyone in Delivery Hub."
                )
            if column.duty and person.pk not in self._duty(column.duty):
                raise CellError(
                    f"names {person.get_full_name() or person.username}, whose role does not "
                    "allow this duty."
                )
            return person
        if kind == "programme":
            programme = self.programmes.get(text)
            if programme is None:
                raise CellError(
                    f"“{text[:40]}” is not the reference of a programme on the Programmes sheet "
                    "or in Delivery Hub."
                )
            return programme
        if kind == "directorate":
            directorate = self.directorates.get(text.lower())
            if directorate is None:
                raise CellError(f"“{text[:80]}” is not the name of a directorate.")
            return directorate
        if kind == "portfolio":
            portfolio = self.portfolios.get(text.lower())
            if portfolio is None:
                raise CellError(f"“{text[:80]}” is not the name of a portfolio.")
            return portfolio
        if kind == "benefit":
            programme = values.get("programme")
            benefit = self.benefits.get((_token(programme), text))
            if benefit is None:
                raise CellError(
                    f"“{text[:40]}” is not the reference of a benefit of the programme, on the "
                    "Benefits sheet or in Delivery Hub."
                )
            return benefit
        if kind == "activity":
            if len(text) > column.max_length:
                raise CellError(f"is too long: use {column.max_length} characters or fewer.")
            programme = values.get("programme")
            key = (_token(programme), text)
            if key not in self.activities:
                activity = RaciActivity(programme=programme, name=text)
                self.activities[key] = activity
                self.plan.new_activities.append(activity)
            return self.activities[key]
        raise AssertionError(kind)

    # --- sheets -------------------------------------------------------------------------------
    def check(self) -> Plan:
        for index, sheet in enumerate(SHEETS):
            rows = self.upload.sheets.get(sheet.name)
            sheet_plan = SheetPlan(sheet)
            self.plan.sheets.append(sheet_plan)
            if rows is not None:
                self.check_sheet(sheet, rows, sheet_plan)
            self.after_sheet(sheet, sheet_plan)
            self.progress(10 + 80 * (index + 1) // len(SHEETS))
        return self.plan

    def _columns(self, sheet: Sheet, header_row: tuple[Any, ...]) -> dict[str, int] | None:
        header = [text_of(value) for value in header_row]
        problems = []
        for position, name in enumerate(header):
            if name and name not in sheet.headers:
                problems.append((name, "is not a column of this sheet: rename or delete it."))
            elif name and header.index(name) != position:
                problems.append((name, "appears twice in the header row."))
        for name in sheet.headers:
            if name not in header:
                problems.append(
                    (name, "is missing from the header row: add it back as in the template.")
                )
        for name, message in problems:
            self.plan.add(Problem(f"Column “{name}” {message}", sheet.name, 1, name))
        if problems:
            return None
        return {name: header.index(name) for name in sheet.headers}

    def check_sheet(self, sheet: Sheet, rows: list[tuple[Any, ...]], sheet_plan: SheetPlan) -> None:
        if not rows:
            self.plan.add(Problem("The sheet is empty: keep its header row.", sheet.name, 1))
            return
        positions = self._columns(sheet, rows[0])
        if positions is None:
            return
        parsed: list[tuple[int, dict[str, Any]]] = []
        for number, row in enumerate(rows[1:], start=2):
            cells = {h: row[i] if i < len(row) else None for h, i in positions.items()}
            if all(text_of(v) == "" for v in cells.values()):
                continue
            values: dict[str, Any] = {}
            failed = False
            for column in sheet.columns:
                where = f"{sheet.name} row {number}"
                try:
                    values[column.attr] = self.cell(
                        sheet, column, cells[column.header], values, where
                    )
                except CellError as error:
                    self.plan.add(
                        Problem(f"{column.header} {error}", sheet.name, number, column.header)
                    )
                    failed = True
            if not failed:
                for column_header, message in self.row_rules(sheet, values):
                    self.plan.add(
                        Problem(f"{column_header}: {message}", sheet.name, number, column_header)
                    )
                    failed = True
            if not failed:
                parsed.append((number, values))
        self.match(sheet, parsed, sheet_plan)

    def row_rules(self, sheet: Sheet, values: dict[str, Any]) -> list[tuple[str, str]]:
        if sheet.name == "Dependencies":
            if values["depends_on"] is None and not values["outside_body"]:
                return [("Outside body", "name the programme it depends on or an outside body.")]
            if values["depends_on"] is not None and values["depends_on"] is values["programme"]:
                return [("Depends on programme ref", "a programme cannot depend on itself.")]
        return []

    # --- matching -----------------------------------------------------------------------------
    def _existing(
        self, sheet: Sheet, parsed: list[tuple[int, dict[str, Any]]]
    ) -> tuple[dict, dict]:
        """The rows Delivery Hub holds that the sheet's rows could match: by key, and (rows with
        no reference) by natural title, where a title held twice matches nothing (None)."""
        by_key: dict[Any, models.Model] = {}
        by_natural: dict[Any, models.Model | None] = {}
        if sheet.model is Programme:
            for programme in self.existing_programmes:
                by_key[(programme.reference or programme.slug,)] = programme
                if not programme.reference:
                    by_natural[(programme.name,)] = programme
            return by_key, by_natural
        pks = {v["programme"].pk for _, v in parsed if v["programme"].pk is not None}
        if not pks:
            return by_key, by_natural
        manager = sheet.model._default_manager
        if sheet.key == ("benefit", "financial_year"):
            for profile in manager.filter(benefit__programme_id__in=pks):
                by_key[(("pk", profile.benefit_id), profile.financial_year)] = profile
        elif sheet.key == ("activity", "person"):
            for cell in manager.filter(activity__programme_id__in=pks):
                by_key[(("pk", cell.activity_id), ("pk", cell.person_id))] = cell
        else:
            for row in manager.filter(programme_id__in=pks):
                programme = ("pk", row.programme_id)
                if row.reference:
                    by_key[(programme, row.reference)] = row
                else:
                    key = (programme, getattr(row, sheet.natural))
                    by_natural[key] = None if key in by_natural else row
        return by_key, by_natural

    def _key(self, sheet: Sheet, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            _token(values[attr]) if isinstance(values[attr], models.Model) else values[attr]
            for attr in sheet.key
        )

    def _natural(self, sheet: Sheet, values: dict[str, Any]) -> tuple[Any, ...] | None:
        if not sheet.natural:
            return None
        if sheet.model is Programme:
            return (values["name"],)
        return (_token(values["programme"]), values[sheet.natural])

    def match(
        self, sheet: Sheet, parsed: list[tuple[int, dict[str, Any]]], sheet_plan: SheetPlan
    ) -> None:
        by_key, by_natural = self._existing(sheet, parsed)
        seen: dict[Any, int] = {}
        claimed: set[int] = set()
        for number, values in parsed:
            has_reference = "reference" in sheet.key and bool(values.get("reference"))
            key = (
                self._key(sheet, values) if has_reference or "reference" not in sheet.key else None
            )
            natural = self._natural(sheet, values)
            ident = key if key is not None else ("natural", natural)
            if ident in seen:
                what = "reference" if key is not None and "reference" in sheet.key else "row"
                column = "Reference" if what == "reference" else sheet.columns[1].header
                self.plan.add(Problem(
                    f"This {what} is used twice on the sheet (first on row {seen[ident]}): "
                    "each row must be different.", sheet.name, number, column,
                ))  # fmt: skip
                continue
            seen[ident] = number
            existing = by_key.get(key) if key is not None else None
            if existing is None and natural is not None:
                candidate = by_natural.get(natural)
                if candidate is not None and candidate.pk not in claimed:
                    existing = candidate
            if existing is not None:
                claimed.add(existing.pk)
            problem = self.conflicts(sheet, values, existing)
            if problem:
                self.plan.add(Problem(problem[1], sheet.name, number, problem[0]))
                continue
            self.place(sheet, sheet_plan, number, values, existing)

    def conflicts(
        self, sheet: Sheet, values: dict[str, Any], existing: Any
    ) -> tuple[str, str] | None:
        if sheet.model is Programme:
            if values["name"] in self.names:
                return ("Name", f"another row of the sheet names a programme “{values['name']}”.")
            self.names.add(values["name"])
            for programme in self.existing_programmes:
                if programme.name == values["name"] and programme is not existing:
                    reference = programme.reference or programme.slug
                    return (
                        "Name",
                        f"another programme is already named “{values['name']}” "
                        f"(reference “{reference}”).",
                    )
        return None

    def place(
        self,
        sheet: Sheet,
        sheet_plan: SheetPlan,
        number: int,
        values: dict[str, Any],
        existing: Any,
    ) -> None:
        fields = {column.attr for column in sheet.columns if column.is_field}
        settable = {a: v for a, v in values.items() if v is not KEEP and a in fields}
        moved = self.baseline_moved(sheet, values, existing)
        if moved:
            self.plan.add(Problem(
                f"{moved.header}: the programme is in Deliver, so this baseline was agreed "
                "when its Full Brief was approved: it moves only through an approved change "
                "request.", sheet.name, number, moved.header,
            ))  # fmt: skip
            return
        if existing is None:
            obj = self.new(sheet, settable)
            sheet_plan.create.append(obj)
            self._sample(sheet_plan, number, values, "create", [])
        else:
            changes = []
            for column in sheet.columns:
                if not column.is_field:
                    continue
                value = settable.get(column.attr, KEEP)
                if value is KEEP or self.current(existing, column) == self.comparable(value):
                    continue
                changes.append(column.header)
                setattr(existing, column.attr, value)
                sheet_plan.update_fields.add(column.attr)
            if changes:
                sheet_plan.update.append(existing)
                self._sample(sheet_plan, number, values, "update", changes)
            else:
                sheet_plan.unchanged += 1
            obj = existing
        self.remember(sheet, values, obj)

    def baseline_moved(self, sheet: Sheet, values: dict[str, Any], existing: Any) -> Column | None:
        """The baseline column the row would move in a programme in Deliver (None if none):
        a milestone's baseline date, a profile's planned value (a new year counts from 0)."""
        if sheet.name not in BASELINES:
            return None
        programme = values["programme"]
        if programme.pk is None or not programme.baselines_locked:
            return None
        column = sheet.column(BASELINES[sheet.name])
        value = values[column.attr]
        if value is KEEP:
            return None
        if existing is None:
            return column if sheet.name == "Benefit profiles" and value else None
        return column if getattr(existing, column.attr) != value else None

    def new(self, sheet: Sheet, values: dict[str, Any]) -> models.Model:
        obj = sheet.model(**values)
        if isinstance(obj, Programme):
            obj.slug = self.slug_for(obj.name)
        if sheet.name == "Risks":
            obj.portfolio = values["programme"].portfolio
        if sheet.name == "Actions":
            obj.created_by = self.actor
        if sheet.name == "Decisions":
            obj.recorded_by = self.actor
        return obj

    _slugs: set[str] | None = None

    def slug_for(self, name: str) -> str:
        if self._slugs is None:
            self._slugs = set(reserved_programme_slugs()) | {
                p.slug for p in self.existing_programmes
            }
        base = slugify(name)[:150] or "programme"
        slug, n = base, 1
        while slug in self._slugs:
            n += 1
            slug = f"{base}-{n}"
        self._slugs.add(slug)
        return slug

    @staticmethod
    def comparable(value: Any) -> Any:
        if isinstance(value, models.Model):
            return value.pk
        return value

    @staticmethod
    def current(obj: Any, column: Column) -> Any:
        if column.kind in (
            "person",
            "programme",
            "benefit",
            "directorate",
            "portfolio",
            "activity",
        ):
            return getattr(obj, f"{column.attr}_id")
        if isinstance(obj, Programme) and column.attr == "reference":
            return obj.reference or obj.slug
        return getattr(obj, column.attr)

    def remember(self, sheet: Sheet, values: dict[str, Any], obj: Any) -> None:
        """What later sheets resolve: the programme by its reference, a benefit by its
        reference or, if it has none, its title."""
        if isinstance(obj, Programme):
            self.programmes[values["reference"]] = obj
        elif isinstance(obj, Benefit):
            self.benefits[(_token(values["programme"]), values.get("reference") or obj.title)] = obj

    def after_sheet(self, sheet: Sheet, sheet_plan: SheetPlan) -> None:
        if sheet.name == "Benefits":  # benefits of the touched programmes that the sheet omits
            pks = {p.pk for p in self.programmes.values() if p.pk is not None}
            for benefit in Benefit.objects.filter(programme_id__in=pks):
                key = (("pk", benefit.programme_id), benefit.reference or benefit.title)
                self.benefits.setdefault(key, benefit)
        if sheet.name == "RACI":
            self.check_accountable(sheet_plan)

    def check_accountable(self, sheet_plan: SheetPlan) -> None:
        """At most one Accountable per activity, counting the cells the sheet does not touch."""
        cells = [*sheet_plan.create, *sheet_plan.update]
        activities = {cell.activity.pk for cell in cells if cell.activity.pk is not None}
        accountable: dict[Any, set[Any]] = {}
        touched = {cell.pk for cell in cells if cell.pk is not None}
        for cell in RaciAssignment.objects.filter(
            activity_id__in=activities, role=RaciRole.ACCOUNTABLE
        ):
            if cell.pk not in touched:
                accountable.setdefault(("pk", cell.activity_id), set()).add(cell.person_id)
        for cell in cells:
            if cell.role == RaciRole.ACCOUNTABLE:
                accountable.setdefault(_token(cell.activity), set()).add(cell.person_id)
        for key, people in accountable.items():
            if len(people) > 1:
                name = next(c.activity.name for c in cells if _token(c.activity) == key)
                self.plan.add(Problem(
                    f"The activity “{name}” would have {len(people)} people Accountable: "
                    "give it exactly one.", "RACI", None, "Role",
                ))  # fmt: skip

    def _sample(
        self,
        sheet_plan: SheetPlan,
        number: int,
        values: dict[str, Any],
        action: str,
        changes: list[str],
    ) -> None:
        if sum(1 for s in sheet_plan.samples if s["action"] == action) >= MAX_SAMPLES:
            return
        label = values.get("reference") or ""
        title = values.get("title") or values.get("name") or values.get("summary") or ""
        if "benefit" in values:  # a profile: its benefit and year
            title = f"{values['benefit'].title}, {FinancialYear(values['financial_year']).label}"
        elif "activity" in values:  # a RACI cell: the activity, the person and their letter
            person = values["person"]
            title = f"{values['activity'].name}: {person.get_full_name() or person.username} "
            title += f"({values['role']})"
        sheet_plan.samples.append({
            "row": number, "reference": str(label), "title": str(title)[:120],
            "action": action, "changes": changes,
        })  # fmt: skip


def check(
    upload: Upload, *, actor: User, progress: Callable[[int], None] = lambda value: None
) -> Plan:
    """Every problem of ``upload`` and, if there is none, what importing it would write."""
    return _Checker(upload, actor, progress).check()

"""Load the demo data from the seed facts in ``devdata/data/*.yaml``; loading twice changes nothing.

Each data file is a list of entries, read in the order of ``FILES``:

- ``table: app.Model`` with ``find_by``, ``rows`` and optional ``defaults``: each row is found by
  its ``find_by`` fields and created with the others if missing; an existing row is left as it
  is, and many-to-many fields are set only on a row just created. Values are converted by the
  field they fill (see ``Loader.value``): a related row is named by its slug (a user by
  username, a directorate by name), money as the seeds write it (``£0.18m``, ``£12,000``), a
  date as ``2020-03-31``, ``in 14 days`` or ``14 days ago``, a date-time given a date is 09:00
  London time that day.
- ``step: name``: a piece of the demo that goes through the domain's services or is computed
  (people and their passwords, savings spread over years, gate reviews, the quarterly reports);
  ``Loader.step_<name>`` reads the rest of the entry.
- ``anchors``: named values the entries below it refer to (YAML ``&name`` / ``<<: *name``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from benefits.baselines import benefit_baselines_lock
from benefits.models import (
    Benefit,
    BenefitProfile,
    BenefitType,
    MTFPLine,
    MTFPPlan,
    MTFPTarget,
    OneOffCost,
)
from benefits.rollup import rollup_run
from core.audit import acting_as
from governance.lessons import lesson_themes_install
from governance.models import (
    Board,
    ChangeRequest,
    Gate,
    GatePolicy,
    GateReview,
    GateSignOff,
    Outcome,
    RaciActivity,
    RaciAssignment,
    ReviewStatus,
    SignOff,
)
from governance.services import (
    change_request_raise,
    change_thresholds,
    decision_record,
    gate_policy_install_defaults,
)
from portfolio.models import (
    RAG,
    DeliveryConfidence,
    Directorate,
    DocumentSection,
    HighlightReport,
    Milestone,
    Programme,
    SectionTemplate,
    Stage,
    StageDocument,
)
from portfolio.periods import FinancialYear, Quarter
from portfolio.services import (
    document_freeze,
    document_unlock,
    follow_up_review_date,
    section_templates_install,
)
from reports.build import report_build
from reports.models import ProgrammeProgress, QuarterlyReport, ReportSection, VersionStatus
from reports.services import report_generate, report_prefill, report_publish

DATA = Path(__file__).resolve().parent / "data"
FILES = ("people", "portfolio", "governance", "benefits", "lifecycle", "reports")
LONDON = ZoneInfo("Europe/London")
# How a data file names a related row: by this field, or by its slug.
NATURAL_KEYS: dict[type[models.Model], str] = {User: "username", Directorate: "name"}
TEN_THOUSAND = Decimal("10000")
MONEY = re.compile(r"^(?P<sign>[-−]?)£(?P<amount>[\d,]+(?:\.\d+)?)(?P<m>m?)$")
IN_DAYS = re.compile(r"^in (?P<n>\d+) days?$")
DAYS_AGO = re.compile(r"^(?P<n>\d+) days? ago$")
YEARS = re.compile(r"^(?P<first>\d{4}/\d{2})(?: to (?P<last>\d{4}/\d{2}))?$")


class DataError(ImproperlyConfigured):
    """A data file says something the loader cannot read."""


@cache
def read(name: str) -> list[dict[str, Any]]:
    """The entries of ``devdata/data/<name>.yaml``."""
    with (DATA / f"{name}.yaml").open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def entry(name: str, step: str) -> dict[str, Any]:
    """The first ``step`` entry of a data file (for the command and the tests)."""
    return next(e for e in read(name) if e.get("step") == step)


def money(text: str | int) -> Decimal:
    """Pounds from money as the seeds write it: ``£0.18m``, ``£12,000``, ``£0``."""
    found = MONEY.match(str(text).strip())
    if not found:
        raise DataError(f"Not an amount of money: {text!r} (write it as £0.18m or £12,000).")
    amount = Decimal(found["amount"].replace(",", ""))
    if found["m"]:
        amount *= Decimal("1000000")
    return -amount if found["sign"] else amount


def spread(total: Decimal, first_year: int, years: int) -> dict[int, Decimal]:
    """Split ``total`` over ``years`` financial years: equal amounts rounded down to £10,000,
    and the remaining £10,000s one each to the latest years."""
    base, remainder = divmod(int(total / TEN_THOUSAND), years)
    return {
        first_year + i: TEN_THOUSAND * (base + (1 if i >= years - remainder else 0))
        for i in range(years)
    }


def by_year(written: dict[str, str]) -> dict[int, Decimal]:
    """``{"2019/20": "£0.18m", "2020/21 to 2022/23": "£0.49m"}`` → pounds by financial year's
    start, a sum over several years spread as ``spread`` says."""
    profile: dict[int, Decimal] = {}
    for years, amount in written.items():
        found = YEARS.match(str(years))
        if not found:
            raise DataError(f"Not a financial year or range: {years!r} (e.g. 2020/21 to 2022/23).")
        first = FinancialYear.parse(found["first"]).start_year
        last = FinancialYear.parse(found["last"]).start_year if found["last"] else first
        profile.update(spread(money(amount), first, last - first + 1))
    return profile


def _nine_am(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


def _months(first: str, last: str) -> list[date]:
    start, end = (date.fromisoformat(f"{month}-01") for month in (first, last))
    months = []
    while start <= end:
        months.append(start)
        start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return months


class Loader:
    def __init__(self) -> None:
        self.today = timezone.localdate()
        self._rows: dict[tuple[type[models.Model], str], models.Model] = {}

    # --- the generic mechanism -------------------------------------------------------------

    def run(self) -> None:
        for name in FILES:
            for item in read(name):
                if "table" in item:
                    self.table(apps.get_model(item["table"]), item)
                elif "step" in item:
                    getattr(self, f"step_{item['step']}")(item)
                elif set(item) != {"anchors"}:
                    raise DataError(f"{name}.yaml: an entry is a table, a step or anchors.")

    def table(self, model: type[models.Model], item: dict[str, Any]) -> None:
        for written in item["rows"]:
            row = {**item.get("defaults", {}), **written}
            many = {
                name: row.pop(name)
                for name in list(row)
                if isinstance(model._meta.get_field(name), models.ManyToManyField)
            }
            fields = self.fields(model, row)
            lookup = {name: fields.pop(name) for name in item["find_by"]}
            obj, created = model._default_manager.get_or_create(**lookup, defaults=fields)
            if created:
                for name, names in many.items():
                    related = model._meta.get_field(name).related_model
                    getattr(obj, name).set([self.row(related, n) for n in names])

    def fields(self, model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
        return {name: self.value(model._meta.get_field(name), raw) for name, raw in row.items()}

    def value(self, field: Any, raw: Any) -> Any:
        """A data file's value as the field stores it."""
        if raw is None:
            return None
        if isinstance(field, models.ForeignKey):
            return self.row(field.related_model, raw)
        if isinstance(field, models.DateTimeField):
            return _nine_am(raw) if isinstance(raw, date) else raw
        if isinstance(field, models.DateField):
            return self.day(raw)
        if isinstance(field, models.DecimalField) and isinstance(raw, str):
            return money(raw)
        return raw

    def day(self, raw: date | str) -> date:
        if isinstance(raw, date):
            return raw
        if found := IN_DAYS.match(raw):
            return self.today + timedelta(days=int(found["n"]))
        if found := DAYS_AGO.match(raw):
            return self.today - timedelta(days=int(found["n"]))
        raise DataError(f"Not a date: {raw!r} (write 2020-03-31, 'in 14 days' or '14 days ago').")

    def row(self, model: type[models.Model], key: str) -> Any:
        """The row a data file names, by its natural key."""
        if (model, key) not in self._rows:
            field = NATURAL_KEYS.get(model, "slug")
            self._rows[model, key] = model._default_manager.get(**{field: key})
        return self._rows[model, key]

    def user(self, username: str) -> User:
        return self.row(User, username)

    def programme(self, slug: str) -> Programme:
        return self.row(Programme, slug)

    # --- steps -----------------------------------------------------------------------------

    def step_people(self, item: dict[str, Any]) -> None:
        """One user per row; a sign-in user has the demo password, the others none. The demo
        password (published: `make run` prints it) is hashed once for them all, its salt
        shared: each PBKDF2 hash took ~0.7 s, and `make bench` loads these people into every
        portfolio it generates. A password a person sets is hashed with its own salt."""
        groups = {role: Group.objects.get_or_create(name=role.group_name)[0] for role in Role}
        demo_password = make_password(item["password"])
        for can_sign_in, rows in ((True, item["sign_in"]), (False, item["others"])):
            for written in rows:
                row = dict(written)
                roles = [Role(r) for r in row.pop("roles")]
                username = row.pop("username")
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={**row, "email": f"{username}@delivery-hub.example"},
                )
                if created:
                    if can_sign_in:
                        user.password = demo_password
                    else:
                        user.set_unusable_password()
                    user.save()
                    user.groups.set([groups[role] for role in roles])

    def step_savings(self, item: dict[str, Any]) -> None:
        """Each workstream's savings: MTFP line targets, and a cashable benefit planned and
        forecast at the same values."""
        plan = self.row(MTFPPlan, item["plan"])
        for slug, written in item["workstreams"].items():
            programme = self.programme(slug)
            profile = by_year(written)
            line, _ = MTFPLine.objects.get_or_create(
                plan=plan,
                name=item["line_name"].format(name=programme.name),
                defaults={"programme": programme, "directorate": programme.directorate},
            )
            for year, amount in profile.items():
                MTFPTarget.objects.get_or_create(
                    line=line, financial_year=year, defaults={"amount": amount}
                )
            benefit = {
                **item["benefit"],
                "title": item["benefit"]["title"].format(name=programme.name),
            }
            self._saving(programme, benefit, profile, mtfp_line=line)

    def step_baselines(self, item: dict[str, Any]) -> None:
        """Lock the planned profiles of the programmes in Deliver as their baselines."""
        for programme in Programme.objects.filter(stage=Stage.DELIVER).order_by("slug"):
            if programme.benefits.filter(baselined_at__isnull=True).exists():
                benefit_baselines_lock(programme=programme, actor=self.user("pmo"))

    def _saving(
        self,
        programme: Programme,
        benefit: dict[str, Any],
        profile: dict[int, Decimal],
        **extra: Any,
    ) -> None:
        fields = self.fields(Benefit, {k: v for k, v in benefit.items() if k != "title"})
        saving, created = Benefit.objects.get_or_create(
            programme=programme,
            title=benefit["title"],
            defaults={
                "type": BenefitType.CASHABLE_SAVING,
                "owner": programme.sro,
                "directorate": programme.directorate,
                **fields,
                **extra,
            },
        )
        if created:
            BenefitProfile.objects.bulk_create(
                BenefitProfile(benefit=saving, financial_year=year, planned=amount, forecast=amount)
                for year, amount in profile.items()
            )

    def step_business_case(self, item: dict[str, Any]) -> None:
        """One-off costs by year (a programme's, or programme-wide), and the savings the case
        expects as a cashable benefit."""
        programme = self.programme(item["programme"]) if item["programme"] else None
        spent = by_year(item.get("spent", {}))
        for year, amount in by_year(item["investment"]).items():
            OneOffCost.objects.get_or_create(
                programme=programme,
                financial_year=year,
                defaults={
                    "budget": amount,
                    "actual": spent.get(year, Decimal("0")),
                    "note": item["note"],
                },
            )
        if "savings" in item and programme is not None:
            savings = dict(item["savings"])
            self._saving(programme, savings, by_year(savings.pop("by_year")))

    def step_change_requests(self, item: dict[str, Any]) -> None:
        """Raised through the service, so each is routed as a real one would be."""
        change_thresholds()
        for written in item["rows"]:
            row = dict(written)
            programme = self.programme(row["programme"])
            if ChangeRequest.objects.filter(programme=programme, title=row["title"]).exists():
                continue
            milestone = Milestone.objects.get(programme=programme, title=row.pop("milestone"))
            change = ChangeRequest(
                **self.fields(ChangeRequest, row),
                milestone=milestone,
                new_due_date=milestone.due_date + timedelta(days=row["time_impact_days"]),
            )
            change_request_raise(change_request=change, actor=self.user(item["raised_by"]))

    def step_raci(self, item: dict[str, Any]) -> None:
        for slug in item["programmes"]:
            for position, written in enumerate(item["activities"], start=1):
                activity, created = RaciActivity.objects.get_or_create(
                    programme=self.programme(slug),
                    name=written["name"],
                    defaults={"position": position},
                )
                if created:
                    for username, role in written["cells"].items():
                        RaciAssignment.objects.create(
                            activity=activity, person=self.user(username), role=role
                        )

    def step_lesson_themes(self, item: dict[str, Any]) -> None:
        lesson_themes_install()

    def step_lifecycle_defaults(self, item: dict[str, Any]) -> None:
        section_templates_install()
        gate_policy_install_defaults()

    def step_highlight_reports(self, item: dict[str, Any]) -> None:
        """Monthly reports for each programme in delivery, taking the confidence patterns in
        turn by slug; RAG ratings follow the month's confidence."""
        workstream_months = _months(*item["workstream_months"])
        programme_months = _months(*item["programme_months"])
        patterns, rag_for = item["confidence_patterns"], item["rag"]
        rationale = item["rationale"]
        delivering = Programme.objects.filter(stage=Stage.DELIVER).order_by("slug")
        for index, programme in enumerate(delivering):
            if programme.highlight_reports.exists():
                continue
            months = workstream_months if programme.workstream_group else programme_months
            author = programme.manager or self.user("pmo")
            escalate = "Capacity: escalate to the Delivery Board."
            for month, confidence in zip(months, patterns[index % len(patterns)], strict=False):
                rag = RAG(rag_for[confidence])
                HighlightReport.objects.create(
                    programme=programme, month=month, created_by=author,
                    delivery_confidence=DeliveryConfidence(confidence),
                    schedule_rag=rag, budget_rag=RAG.GREEN if rag != RAG.RED else RAG.AMBER,
                    benefits_rag=rag, risk_rag=RAG.AMBER if confidence != "green" else RAG.GREEN,
                    progress=f"{programme.name}: work this month went to plan"
                    + ("" if rag == RAG.GREEN else ", with slippage being recovered") + ".",
                    next_period="Continue delivery against the programme plan.",
                    escalations="" if rag != RAG.RED else escalate,
                    confidence_rationale=rationale.get(confidence, ""),
                    follow_up_review_on=follow_up_review_date(confidence, from_day=month),
                )  # fmt: skip
        delivering.latest_reports_refresh()

    def step_document(self, item: dict[str, Any]) -> None:
        """A stage document partly written (not frozen), unless the programme has one."""
        programme = self.programme(item["programme"])
        if StageDocument.objects.filter(programme=programme, kind=item["kind"]).exists():
            return
        author = self.user(item["author"])
        document = StageDocument.objects.create(programme=programme, kind=item["kind"])
        for key, text in item["sections"].items():
            section = DocumentSection(
                document=document, key=key, text=text, version=1, updated_by=author
            )
            with acting_as(author):
                section.save()

    def step_gate_reviews(self, item: dict[str, Any]) -> None:
        for slug, reviews in item["programmes"].items():
            programme = self.programme(slug)
            if programme.gate_reviews.exists():
                continue
            for review in reviews:
                if "decided_on" in review:
                    decided_on = self.day(review["decided_on"])
                else:
                    entered = programme.stage_entered_at.date()
                    decided_on = entered - timedelta(days=review["days_before_stage"])
                self._review(
                    programme, Gate(review["gate"]), decided_on,
                    review.get("sections", {}), review.get("steps_decided"),
                )  # fmt: skip

    def _review(
        self,
        programme: Programme,
        gate: Gate,
        decided_on: date,
        texts: dict[str, str],
        steps_decided: int | None,
    ) -> GateReview:
        """A review of the gate's document, submitted two weeks before ``decided_on``; all its
        steps approved unless ``steps_decided``."""
        manager = programme.manager or self.user("pmo")
        document, _ = StageDocument.objects.get_or_create(programme=programme, kind=gate.document)
        for template in SectionTemplate.objects.filter(document=gate.document):
            text = texts.get(
                template.key, f"{template.title} for {programme}, as agreed at the gate."
            )
            DocumentSection.objects.get_or_create(
                document=document, key=template.key,
                defaults={"text": text, "version": 1, "updated_by": manager},
            )  # fmt: skip
        version = document_freeze(programme=programme, kind=gate.document, actor=manager)
        submitted_at = _nine_am(decided_on - timedelta(days=14), hour=10)
        # The demo back-dates the submission; a real version's time is the moment it was frozen.
        type(version).objects.filter(pk=version.pk).update(submitted_at=submitted_at)
        version.submitted_at = submitted_at
        route = GatePolicy.objects.route_for(gate, programme)
        done = len(route) if steps_decided is None else steps_decided
        review = GateReview.objects.create(
            programme=programme, gate=gate, version=version, route=route, submitted_by=manager,
            submitted_at=version.submitted_at,
            current_step=min(done, len(route) - 1),
            current_sign_off=route[done] if done < len(route) else "",
            status=ReviewStatus.OPEN if done < len(route) else ReviewStatus.APPROVED,
            closed_at=None if done < len(route) else _nine_am(decided_on, hour=10),
        )  # fmt: skip
        for step, sign_off in enumerate(route[:done]):
            board = (
                Board.objects.filter(kind=sign_off).order_by("pk").first()
                if sign_off != SignOff.SRO
                else None
            )
            actor = programme.sro if board is None else (board.chair or self.user("pmo"))
            decision = decision_record(
                programme=programme, board=board,
                summary=f"{gate.short} ({version}): approved by {board or f'SRO ({actor})'}",
                decision=f"Approved. {SignOff(sign_off).label} on {version}.",
                rationale="The document meets the gate's requirements.",
                decided_on=decided_on, actor=actor, gate_review=review,
            )  # fmt: skip
            GateSignOff.objects.create(
                review=review, step=step, sign_off=sign_off, board=board, outcome=Outcome.APPROVE,
                reasons="The document meets the gate's requirements.", decided_by=actor,
                decided_at=_nine_am(decided_on, hour=10), decision=decision,
            )  # fmt: skip
        if review.status == ReviewStatus.APPROVED:
            document_unlock(document=version.document, actor=manager)
        return review

    def step_rollup(self, item: dict[str, Any]) -> None:
        """The roll-up, once everything it adds up is loaded (the same data makes no new
        snapshot)."""
        rollup_run()

    def step_quarterly_report(self, item: dict[str, Any]) -> None:
        """The quarter's report with its narrative, sections and progress paragraphs (the
        others prefilled); generated and published through the report services when
        ``publish_as`` names who publishes it (on ``published_on``, if given). An existing
        report is left as it is."""
        quarter = Quarter.parse(item["quarter"])
        report, created = QuarterlyReport.objects.get_or_create(
            financial_year=quarter.financial_year.start_year,
            quarter_number=quarter.number,
            defaults=self.fields(QuarterlyReport, item["narrative"]),
        )
        if not created:
            return
        for position, section in enumerate(item.get("sections", []), start=1):
            ReportSection.objects.create(report=report, position=position, **section)
        for slug, paragraph in item.get("progress", {}).items():
            ProgrammeProgress.objects.create(
                report=report, programme=self.programme(slug), paragraph=paragraph
            )
        report_prefill(report=report)
        if "publish_as" in item:
            publisher = self.user(item["publish_as"])
            version, _ = report_generate(report=report, actor=publisher)
            # Built here rather than by the queued task, so the demo is complete when the
            # command ends (the task, run after the commit, finds it built and does nothing).
            version = report_build(version_pk=version.pk)
            if version.status != VersionStatus.GENERATED:
                raise DataError(f"{quarter.label} could not be generated: {version.error}")
            version = report_publish(version=version, actor=publisher)
            if "published_on" in item:
                # The demo dates the publication as the paper is dated; a real version's time
                # is the moment it was published.
                published_at = _nine_am(self.day(item["published_on"]))
                type(version).objects.filter(pk=version.pk).update(published_at=published_at)


@transaction.atomic
def load() -> None:
    """Load every data file, in one transaction."""
    Loader().run()


def load_people() -> dict[str, User]:
    """The demo's people only (created if missing), by username: the synthetic portfolio's
    staff."""
    item = entry("people", "people")
    Loader().step_people(item)
    usernames = [person["username"] for person in item["sign_in"] + item["others"]]
    return {user.username: user for user in User.objects.filter(username__in=usernames)}

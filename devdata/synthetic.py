"""A synthetic portfolio at national scale, for `make bench` (``manage.py generate_portfolio``).

Deterministic for a seed: every choice comes from ``random.Random(seed)`` and every date is
anchored on ``ANCHOR`` (never today), so the same seed gives the same names, stages and money.
Only the ``auto_now``/``auto_now_add`` timestamps (created_at, updated_at) carry the real time.

Rows are written with ``bulk_create`` in large batches, so django-simple-history records no
history for them, except each programme's first record and each risk's history (the quarterly
report reads programmes and risks as they stood at the quarter's end: without a risk's history
its Annex 2 and the "new and closed risks" comparison would be empty). A risk's history is drawn
from its own generator (``seed`` + ``HISTORY_SEED``), so the rows drawn before it keep their values.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, models, transaction
from django.utils.text import slugify

from benefits.models import (
    Benefit,
    BenefitProfile,
    BenefitStatus,
    BenefitType,
    MTFPLine,
    MTFPPlan,
    MTFPTarget,
    OneOffCost,
    PlanStatus,
)
from devdata.loader import load_people
from governance.models import (
    Action,
    Assumption,
    Board,
    BoardKind,
    Decision,
    Dependency,
    Gate,
    GateReview,
    GateSignOff,
    Issue,
    Lesson,
    LessonPolarity,
    LessonSource,
    LessonTheme,
    Outcome,
    ReviewStatus,
    Risk,
    SignOff,
)
from governance.models.logs import ActionStatus
from governance.models.raid import IssuePriority, LogStatus, RiskStatus
from governance.services import gate_policy_install_defaults
from portfolio.models import (
    Category,
    DeliveryConfidence,
    Directorate,
    DocumentVersion,
    HighlightReport,
    Milestone,
    MilestoneStatus,
    Portfolio,
    Programme,
    Stage,
    StageDocument,
    WorkstreamGroup,
)
from portfolio.periods import FinancialYear

LONDON = ZoneInfo("Europe/London")
ANCHOR = date(2026, 4, 1)  # every synthetic date is relative to this, never to today
FIRST_YEAR = 2024  # financial years 2024/25 to 2028/29
YEARS = range(FIRST_YEAR, FIRST_YEAR + 5)
BATCH = 5000
HISTORY_SEED = 7919  # the risk history's generator is Random(seed + HISTORY_SEED)
PER_PROGRAMME = {
    "benefits": 10,
    "profiles": 50,
    "risks": 16,
    "assumptions": 8,
    "issues": 10,
    "dependencies": 6,
    "highlight_reports": 12,
    "milestones": 20,
    "gate_reviews": 3,
    "actions": 30,
    "lessons": 2,
}

# Lessons the synthetic programmes record (title, what happened, what to do next time).
LESSON_TEXTS = [
    ("Name a procurement lead before Gate 3", "The procurement framework was not ready.",
     "Name the procurement lead in the Initial Brief."),
    ("Engage the receiving service early", "The service joined late and rework followed.",
     "Invite the receiving service to the Programme Board from Define."),
    ("Baseline the data before migration", "Data quality problems delayed go-live.",
     "Profile the data during Design and budget for cleansing."),
    ("Weekly supplier stand-ups kept delivery on track", "Issues surfaced within days.",
     "Hold weekly stand-ups with every supplier in Deliver."),
    ("Track benefits with their owner from the start", "Savings were hard to evidence.",
     "Agree each benefit's measure and owner in the Full Brief."),
    ("Staff consultation takes longer than planned", "Consultation ran six weeks over.",
     "Plan consultation with HR business partners before Gate 3."),
]  # fmt: skip

PORTFOLIOS = [
    ("employer-of-choice", "Employer of Choice"),
    ("partner-of-choice", "Partner of Choice"),
    ("place-shaper-of-choice", "Place Shaper of Choice"),
]
DIRECTORATES = [
    "Adult Social Care",
    "Children's Services",
    "Communities",
    "Economy and Regeneration",
    "Environment",
    "Finance",
    "Housing",
    "Legal and Democratic Services",
    "People and Organisational Development",
    "Public Health",
]
PLACES = [
    "Ashford", "Barnsley", "Bedford", "Bolton", "Bury", "Carlisle", "Crawley", "Derby",
    "Dover", "Durham", "Exeter", "Gateshead", "Halton", "Hastings", "Ipswich", "Kendal",
    "Leeds", "Luton", "Medway", "Norwich", "Oldham", "Preston", "Reading", "Salford",
    "Slough", "Stockport", "Swindon", "Telford", "Wakefield", "Wigan", "Worthing", "York",
]  # fmt: skip
THEMES = [
    "Customer Service Centre", "Digital by Default", "Agile Working", "ICT Strategy",
    "Commissioning Review", "Early Help", "Waste Services Redesign", "Asset Rationalisation",
    "Income Generation", "Workforce Development", "Adult Social Care Pathway",
    "Channel Shift", "Smarter Procurement", "Homes for the Future", "Town Centre Renewal",
]  # fmt: skip
RISK_TITLES = [
    "Supplier cannot deliver the platform on time",
    "Staff resistance to new ways of working",
    "Savings are double counted with the MTFP",
    "Key person dependency in the programme team",
    "Data migration quality is poor",
    "Demand rises faster than planned",
]
SIGNED_TYPES = [
    BenefitType.CASHABLE_SAVING,
    BenefitType.CASHABLE_SAVING,
    BenefitType.CASHABLE_SAVING,
    BenefitType.INCOME,
    BenefitType.COST_AVOIDANCE,
    BenefitType.NON_CASHABLE,
    BenefitType.NON_FINANCIAL,
    BenefitType.DIS_BENEFIT,
]
STAGE_WEIGHTS = [
    (Stage.IDENTIFY, 20),
    (Stage.DEFINE, 18),
    (Stage.DESIGN, 18),
    (Stage.DELIVER, 30),
    (Stage.CLOSED, 8),
    (Stage.PAUSED, 4),
    (Stage.STOPPED, 2),
]
# The gates a programme has passed to be in a stage (paused/stopped: the stage it left).
PASSED = {
    Stage.IDENTIFY: [],
    Stage.DEFINE: [Gate.GATE_1],
    Stage.DESIGN: [Gate.GATE_1, Gate.GATE_2],
    Stage.DELIVER: [Gate.GATE_1, Gate.GATE_2, Gate.GATE_3],
    Stage.CLOSED: [Gate.GATE_1, Gate.GATE_2, Gate.GATE_3, Gate.CLOSURE],
}
ROUTE = [SignOff.SRO.value, SignOff.STB.value]


@dataclass(frozen=True)
class Generated:
    programmes: int
    rows: dict[str, int]


def _aware(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A whole number of pounds in thousands: deterministic and exact (never float)."""
    return Decimal(rng.randrange(low, high)) * 1000


def _month(offset: int) -> date:
    """The first day of the month ``offset`` months before ANCHOR."""
    index = ANCHOR.year * 12 + ANCHOR.month - 1 - offset
    return date(index // 12, index % 12 + 1, 1)


def _bulk(model, objs: list) -> list:
    """``bulk_create`` of ``objs`` (their ids set); on PostgreSQL by ``COPY``, the same rows."""
    if connection.vendor != "postgresql" or not objs:
        return model.objects.bulk_create(objs, batch_size=BATCH)
    return _copied(model, objs)


# Fields whose attribute is the value PostgreSQL stores (psycopg adapts it as it is): their own
# classes, not subclasses, which may convert (a financial year, a JSON document).
_AS_IS = (
    models.AutoField, models.BigAutoField, models.BigIntegerField, models.BooleanField,
    models.CharField, models.DateField, models.DateTimeField, models.DecimalField,
    models.ForeignKey, models.IntegerField, models.PositiveIntegerField,
    models.PositiveSmallIntegerField, models.SlugField, models.SmallIntegerField,
    models.TextField,
)  # fmt: skip


def _copied(model, objs: list) -> list:
    """``objs`` written by ``COPY … FROM STDIN``, as ``bulk_create`` would write them: each
    without an id given the next of its table's sequence (one query for all), ``auto_now``
    and ``auto_now_add`` filled in by their fields (``pre_save``), every other value as the
    field prepares it for the database, but where the attribute already is that value (most:
    ``_AS_IS``). ``bulk_create`` prepared each value through Django's compiler and sent the
    batch as arrays: 36 s of the 59 s that generating 500 programmes took, under a profiler.
    Triggers fire as for an INSERT (the risk counts, governance migration 0024)."""
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.generated]
    table = connection.ops.quote_name(meta.db_table)
    without_id = [obj for obj in objs if obj.pk is None]
    with connection.cursor() as cursor:
        if without_id:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(without_id)],
            )
            for obj, (pk,) in zip(without_id, cursor.fetchall(), strict=True):
                obj.pk = pk
        stamped = [
            f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        plain = [type(field) in _AS_IS for field in fields]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                for field in stamped:
                    field.pre_save(obj, add=True)
                copy.write_row(
                    [
                        getattr(obj, field.attname)
                        if as_is
                        else field.get_db_prep_save(getattr(obj, field.attname), connection)
                        for field, as_is in zip(fields, plain, strict=True)
                    ]
                )
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def _reference_data(people: dict) -> tuple[list, list, MTFPPlan, dict]:
    portfolios = [
        Portfolio.objects.get_or_create(slug=slug, defaults={"name": name, "position": i})[0]
        for i, (slug, name) in enumerate(PORTFOLIOS)
    ]
    directorates = [
        Directorate.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in DIRECTORATES
    ]
    gate_policy_install_defaults()
    plan, _ = MTFPPlan.objects.get_or_create(
        slug="synthetic-mtfp",
        defaults={
            "name": f"MTFP {FinancialYear(YEARS[0]).label}–{FinancialYear(YEARS[-1]).label}",
            "first_year": YEARS[0],
            "last_year": YEARS[-1],
            "approved_on": date(YEARS[0] + 1, 2, 20),
            "status": PlanStatus.APPROVED,
        },
    )
    lines = {}
    for directorate in directorates:
        lines[directorate.pk], _ = MTFPLine.objects.get_or_create(
            plan=plan, name=f"{directorate.name} savings", defaults={"directorate": directorate}
        )
    # The boards that see the whole portfolio: STB decides the reviews awaiting it (its pack).
    for kind, name in ((BoardKind.STB, "Strategic Transformation Board"),
                       (BoardKind.DELIVERY, "Delivery Board")):  # fmt: skip
        Board.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "kind": kind, "chair": people["pmo"]}
        )
    return portfolios, directorates, plan, lines


def portfolio_generate(*, programmes: int, seed: int) -> Generated:
    """Build ``programmes`` synthetic programmes and all that hangs off them, in one transaction."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not cryptography
    with transaction.atomic():
        people = load_people()
        actor = people["pmo"]
        managers = [people[u] for u in ("manager", "alex.hughes", "jo.patel", "chris.doyle")]
        sros = [people[u] for u in ("sro", "dana.khan", "lee.brooks")]
        staff = sorted(people.values(), key=lambda u: u.username)
        portfolios, directorates, _plan, lines = _reference_data(people)
        stages, weights = zip(*STAGE_WEIGHTS, strict=True)

        # Programmes --------------------------------------------------------------------------
        progs = []
        for i in range(programmes):
            stage = rng.choices(stages, weights)[0]
            before_pause = ""
            if stage == Stage.PAUSED:
                before_pause = rng.choice(Stage.open_stages())
            name = f"{rng.choice(PLACES)} {rng.choice(THEMES)} {i + 1:05d}"
            progs.append(
                Programme(
                    name=name,
                    slug=slugify(name),
                    description=f"Synthetic programme {i + 1} (seed {seed}).",
                    portfolio=rng.choice(portfolios),
                    directorate=rng.choice(directorates),
                    sro=rng.choice(sros),
                    manager=rng.choice(managers),
                    category=rng.choice(Category.values),
                    light_touch=rng.random() < 0.1,
                    workstream_group=rng.choice(WorkstreamGroup.values),
                    stage=stage,
                    stage_before_pause=before_pause,
                    stage_entered_at=_aware(ANCHOR - timedelta(days=rng.randrange(10, 400))),
                )
            )
        progs = _bulk(Programme, progs)
        # Their first audit record (the quarterly report reads programmes as they stood).
        Programme.history.bulk_history_create(
            progs, default_date=_aware(ANCHOR - timedelta(days=400)), batch_size=BATCH
        )

        # Benefits, profiles, targets, one-off costs ---------------------------------------
        benefits = []
        for p in progs:
            for b in range(PER_PROGRAMME["benefits"]):
                kind = rng.choice(SIGNED_TYPES)
                directorate = p.directorate if rng.random() < 0.8 else rng.choice(directorates)
                benefits.append(
                    Benefit(
                        programme=p,
                        title=f"{p.name}: benefit {b + 1}",
                        type=kind,
                        owner=rng.choice(staff),
                        directorate=directorate,
                        status=rng.choice(BenefitStatus.values),
                        mtfp_line_id=(
                            lines[directorate.pk].pk if kind != BenefitType.NON_FINANCIAL else None
                        ),
                    )
                )
        benefits = _bulk(Benefit, benefits)
        profiles = []
        for benefit in benefits:
            base = rng.randrange(5, 400)
            for year in YEARS:
                planned = Decimal(base * (year - FIRST_YEAR + 1)) * 1000
                forecast = planned * Decimal(rng.randrange(70, 111)) / 100
                actual = forecast * Decimal(rng.randrange(60, 101)) / 100 if year < 2026 else 0
                profiles.append(
                    BenefitProfile(
                        benefit=benefit,
                        financial_year=year,
                        planned=planned,
                        forecast=forecast.quantize(Decimal("0.01")),
                        actual=Decimal(actual).quantize(Decimal("0.01")),
                    )
                )
        _bulk(BenefitProfile, profiles)
        del profiles
        # Every target draws from the generator (even one already there) so that the draws
        # that follow are the same whatever the database held before.
        existing = set(MTFPTarget.objects.values_list("line_id", "financial_year"))
        targets = []
        for line in lines.values():
            for year in YEARS:
                amount = _money(rng, 50, 400) * programmes
                if (line.pk, year) not in existing:
                    targets.append(MTFPTarget(line=line, financial_year=year, amount=amount))
        _bulk(MTFPTarget, targets)
        _bulk(
            OneOffCost,
            [
                OneOffCost(
                    programme=p,
                    financial_year=year,
                    budget=_money(rng, 20, 300),
                    actual=_money(rng, 0, 300) if year < 2026 else Decimal("0"),
                )
                for p in progs
                for year in YEARS[:3]
            ],
        )

        # RAID ------------------------------------------------------------------------------
        risks, assumptions, issues, dependencies = [], [], [], []
        for n, p in enumerate(progs):
            for r in range(PER_PROGRAMME["risks"]):
                lik, imp = rng.randint(1, 5), rng.randint(1, 5)
                risks.append(
                    Risk(
                        programme=p,
                        portfolio=p.portfolio,
                        title=f"{rng.choice(RISK_TITLES)} ({r + 1})",
                        cause="Synthetic cause.",
                        effect="Synthetic effect.",
                        existing_controls="Synthetic controls.",
                        further_action="Synthetic further action.",
                        inherent_likelihood=lik,
                        inherent_impact=imp,
                        residual_likelihood=max(1, lik - 1),
                        residual_impact=imp,
                        target_likelihood=1,
                        target_impact=max(1, imp - 1),
                        owner=rng.choice(staff),
                        review_date=ANCHOR + timedelta(days=rng.randrange(-60, 120)),
                        status=rng.choices(RiskStatus.values, [8, 2, 1])[0],
                        escalated=rng.random() < 0.05,
                    )
                )
            for a in range(PER_PROGRAMME["assumptions"]):
                assumptions.append(
                    Assumption(
                        programme=p,
                        title=f"Assumption {a + 1} of {p.name}",
                        owner=rng.choice(staff),
                        validation_date=ANCHOR + timedelta(days=rng.randrange(-90, 180)),
                        status=rng.choices(LogStatus.values, [3, 1])[0],
                    )
                )
            for i in range(PER_PROGRAMME["issues"]):
                issues.append(
                    Issue(
                        programme=p,
                        title=f"Issue {i + 1} of {p.name}",
                        priority=rng.choice(IssuePriority.values),
                        owner=rng.choice(staff),
                        status=rng.choices(LogStatus.values, [2, 1])[0],
                        raised_on=ANCHOR - timedelta(days=rng.randrange(0, 365)),
                    )
                )
            for d in range(PER_PROGRAMME["dependencies"]):
                on_programme = n > 0 and rng.random() < 0.5
                dependencies.append(
                    Dependency(
                        programme=p,
                        title=f"Dependency {d + 1} of {p.name}",
                        depends_on=progs[rng.randrange(n)] if on_programme else None,
                        outside_body="" if on_programme else "NHS Integrated Care Board",
                        owner=rng.choice(staff),
                        needed_by=ANCHOR + timedelta(days=rng.randrange(-30, 365)),
                        status=rng.choices(LogStatus.values, [3, 1])[0],
                    )
                )
        risks = _bulk(Risk, risks)
        _risk_history(risks, random.Random(seed + HISTORY_SEED))  # noqa: S311 - synthetic
        _bulk(Assumption, assumptions)
        _bulk(Issue, issues)
        _bulk(Dependency, dependencies)
        del risks, assumptions, issues, dependencies

        # Highlight reports and milestones --------------------------------------------------
        confidences = DeliveryConfidence.values
        rags = ["green", "amber", "red"]
        reports, milestones = [], []
        for p in progs:
            level = rng.randrange(len(confidences))
            for m in range(PER_PROGRAMME["highlight_reports"]):
                level = min(max(level + rng.choice((-1, 0, 0, 1)), 0), len(confidences) - 1)
                reports.append(
                    HighlightReport(
                        programme=p,
                        month=_month(m),
                        delivery_confidence=confidences[level],
                        schedule_rag=rng.choice(rags),
                        budget_rag=rng.choice(rags),
                        benefits_rag=rng.choice(rags),
                        risk_rag=rng.choice(rags),
                        progress="Synthetic progress this period.",
                        created_by=p.manager,
                    )
                )
            for k in range(PER_PROGRAMME["milestones"]):
                due = ANCHOR + timedelta(days=rng.randrange(-365, 540))
                done = due < ANCHOR and rng.random() < 0.8
                milestones.append(
                    Milestone(
                        programme=p,
                        title=f"Milestone {k + 1}",
                        reference=f"M-{k + 1:02d}",
                        position=k + 1,
                        due_date=due,
                        baseline_date=due - timedelta(days=rng.choice((0, 0, 14, 30))),
                        completed_on=due if done else None,
                        status=MilestoneStatus.COMPLETE if done else MilestoneStatus.NOT_STARTED,
                    )
                )
        _bulk(HighlightReport, reports)
        Programme.objects.all().latest_reports_refresh()  # every one: one UPDATE, no id list
        _bulk(Milestone, milestones)
        del reports, milestones

        # Gate reviews: stage documents, frozen versions, reviews, sign-offs with decisions --
        plans = []  # (programme, [(gate, status)])
        for p in progs:
            stage = p.stage_before_pause or p.stage
            passed = PASSED.get(stage, PASSED[Stage.DESIGN])
            current = Gate.for_stage(stage) if p.stage in Stage.open_stages() else None
            reviews = [(g, ReviewStatus.APPROVED) for g in passed]
            if current:
                last = ReviewStatus.OPEN if rng.random() < 0.4 else ReviewStatus.DEFERRED
                reviews.append((current, last))
            while len(reviews) < PER_PROGRAMME["gate_reviews"]:
                reviews.insert(0, (current or Gate.GATE_1, ReviewStatus.DEFERRED))
            plans.append((p, reviews[-PER_PROGRAMME["gate_reviews"] :]))
        documents = []
        for p, reviews in plans:
            for gate in dict.fromkeys(g for g, _ in reviews):
                documents.append(StageDocument(programme=p, kind=Gate(gate).document))
        documents = _bulk(StageDocument, documents)
        by_kind = {(d.programme_id, d.kind): d for d in documents}
        versions, review_objs = [], []
        for n, (p, reviews) in enumerate(plans):
            numbers: dict[str, int] = {}
            for r, (gate, status) in enumerate(reviews):
                document = by_kind[(p.pk, Gate(gate).document)]
                numbers[document.kind] = numbers.get(document.kind, 0) + 1
                content = [{"key": "summary", "title": "Summary", "text": f"{p.name} v{r}"}]
                submitted = _aware(ANCHOR - timedelta(days=300 - 100 * r + rng.randrange(30)))
                versions.append(
                    DocumentVersion(
                        document=document,
                        number=numbers[document.kind],
                        content=content,
                        content_hash=hashlib.sha256(
                            json.dumps(content, sort_keys=True).encode()
                        ).hexdigest(),
                        submitted_by=p.manager,
                        submitted_at=submitted,
                    )
                )
                is_open = status == ReviewStatus.OPEN
                # Every other open review has passed its SRO and awaits STB (the board pack's).
                step = n % 2 if is_open else len(ROUTE) - 1
                review_objs.append(
                    GateReview(
                        programme=p,
                        gate=gate,
                        route=ROUTE,
                        current_step=step,
                        current_sign_off=ROUTE[step] if is_open else "",
                        status=status,
                        submitted_by=p.manager,
                        submitted_at=submitted,
                        closed_at=None if is_open else submitted + timedelta(days=21),
                    )
                )
        versions = _bulk(DocumentVersion, versions)
        for review, version in zip(review_objs, versions, strict=True):
            review.version = version
        review_objs = _bulk(GateReview, review_objs)
        closed = [r for r in review_objs if r.status != ReviewStatus.OPEN]
        decisions, sign_offs = [], []
        for review in closed:
            approved = review.status == ReviewStatus.APPROVED
            steps = ROUTE if approved else ROUTE[:1]
            for step, who in enumerate(steps):
                outcome = Outcome.APPROVE if approved else Outcome.DEFER
                decisions.append(
                    Decision(
                        programme_id=review.programme_id,
                        decided_on=(review.closed_at - timedelta(days=len(steps) - step)).date(),
                        summary=f"{Gate(review.gate).short}: {Outcome(outcome).label}",
                        decision=f"{Gate(review.gate).label}: {Outcome(outcome).label}.",
                        recorded_by=actor,
                        gate_review=review,
                    )
                )
                sign_offs.append(
                    GateSignOff(
                        review=review,
                        step=step,
                        sign_off=who,
                        outcome=outcome,
                        reasons="Synthetic sign-off.",
                        decided_by=actor,
                        decided_at=review.closed_at,
                    )
                )
        decisions = _bulk(Decision, decisions)
        for sign_off, decision in zip(sign_offs, decisions, strict=True):
            sign_off.decision = decision
        _bulk(GateSignOff, sign_offs)
        del versions, review_objs, decisions, sign_offs, documents

        # Actions -----------------------------------------------------------------------------
        actions = []
        for p in progs:
            for a in range(PER_PROGRAMME["actions"]):
                status = rng.choices(ActionStatus.values, [4, 3, 4, 1])[0]
                due = ANCHOR + timedelta(days=rng.randrange(-120, 180))
                actions.append(
                    Action(
                        programme=p,
                        title=f"Action {a + 1} of {p.name}",
                        owner=rng.choice(staff),
                        due_date=due,
                        status=status,
                        completed_on=due if status == ActionStatus.DONE else None,
                        created_by=actor,
                    )
                )
        _bulk(Action, actions)
        del actions

        # Lessons learned ---------------------------------------------------------------------
        themes = list(LessonTheme.objects.order_by("pk"))
        lessons = []
        for p in progs:
            for _ in range(PER_PROGRAMME["lessons"]):
                title, what, next_time = rng.choice(LESSON_TEXTS)
                lessons.append(
                    Lesson(
                        programme=p, title=title, what_happened=what, next_time=next_time,
                        stage=rng.choice(Stage.pipeline()), directorate_id=p.directorate_id,
                        category=p.category, polarity=rng.choice(LessonPolarity.values),
                        source=LessonSource.DIRECT, recorded_by=actor,
                        recorded_at=_aware(ANCHOR - timedelta(days=rng.randrange(0, 400))),
                    )
                )  # fmt: skip
        lessons = _bulk(Lesson, lessons)
        if themes:
            _bulk(
                Lesson.themes.through,
                [
                    Lesson.themes.through(lesson_id=lesson.pk, lessontheme_id=theme.pk)
                    for lesson in lessons
                    for theme in rng.sample(themes, 2)
                ],
            )
        del lessons

    from benefits.rollup import rollup_run

    analyze()
    rollup_run()
    analyze(("benefits_rolluprow", "benefits_rollupsnapshot"))  # the rows the roll-up just wrote
    return Generated(programmes=len(progs), rows=generated_counts())


def _risk_path(risk: Risk, rng: random.Random) -> list[tuple[datetime, int, int, str]]:
    """A risk's recorded states (when, residual likelihood, residual impact, status), oldest
    first, ending with the risk as it is now: raised 13 to 15 months before ANCHOR, then up to
    three reviews about a quarter apart that moved its residual score (the last may fall in the
    quarter after ANCHOR); a risk closed now was open before its last review."""
    when = _aware(ANCHOR - timedelta(days=rng.randrange(400, 460)))
    reviews = rng.choice((0, 1, 1, 2, 2, 3))
    path = []
    for _ in range(reviews):
        path.append((when, rng.randint(1, 5), rng.randint(1, 5), RiskStatus.OPEN.value))
        when += timedelta(days=rng.randrange(80, 150))
    path.append((when, risk.residual_likelihood, risk.residual_impact, risk.status))
    return path


def _risk_history(risks: list[Risk], rng: random.Random) -> int:
    """Each risk's history records (created, then its score changes), written in batches so the
    records of a large portfolio are never all in memory at once; returns how many."""
    history = Risk.history.model
    fields = [field.attname for field in history.tracked_fields]
    batch: list = []
    written = 0
    for risk in risks:
        values = {name: getattr(risk, name) for name in fields}
        for index, (when, likelihood, impact, status) in enumerate(_risk_path(risk, rng)):
            values.update(residual_likelihood=likelihood, residual_impact=impact, status=status)
            batch.append(
                history(
                    **values,
                    history_date=when,
                    history_type="+" if index == 0 else "~",
                    history_change_reason="" if index == 0 else "Reviewed: residual score",
                )
            )
        if len(batch) >= BATCH:
            written += len(_bulk(history, batch))
            batch = []
    if batch:
        written += len(_bulk(history, batch))
    return written


def analyze(tables: tuple[str, ...] = ()) -> None:
    """Refresh the planner's statistics (and the visibility map) after the bulk load, of
    ``tables`` or of everything, as autovacuum would in a while: without them PostgreSQL plans
    for the empty tables it last saw (make bench measured the roll-up's join estimated at 390
    benefits when there were 4,354, and the savings page's 17,158 snapshot rows at one)."""
    if connection.vendor == "postgresql":
        # VACUUM too when it may (never inside a transaction): the visibility map lets
        # index-only scans skip the table, as they do once autovacuum has visited the new rows.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(" ".join([command, ", ".join(tables)]))


def generated_counts() -> dict[str, int]:
    """How many rows of each kind the database holds (for the command's summary)."""
    return {
        "programmes": Programme.objects.count(),
        "benefits": Benefit.objects.count(),
        "profiles": BenefitProfile.objects.count(),
        "raid": Risk.objects.count()
        + Assumption.objects.count()
        + Issue.objects.count()
        + Dependency.objects.count(),
        "highlight_reports": HighlightReport.objects.count(),
        "milestones": Milestone.objects.count(),
        "gate_reviews": GateReview.objects.count(),
        "actions": Action.objects.count(),
        "lessons": Lesson.objects.count(),
        "risk_history": Risk.history.count(),
    }

"""Reads for the Transformation Dashboard: each panel is one function over the filtered
programmes, each a fixed number of queries whatever the size of the portfolio.

A national deployment holds thousands of programmes, so the page never lists everything: each
list shows the oldest (or worst) ``LIST_LIMIT`` with the total, the pipeline counts programmes
once there are more than ``PIPELINE_NAMED``, and the roadmap shows ``ROADMAP_LIMIT``
programmes. Every table's download (``dashboard_table``) holds all of its rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import attrgetter
from typing import Any, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
    Window,
)
from django.db.models.lookups import IsNull
from django.utils import timezone

from accounts.models import User
from benefits import finance
from benefits.models import RollupBusinessCase, RollupLineTarget, RollupRow, RollupSnapshot
from core.charts import Series, grouped_bar_chart, line_chart
from core.counting import count_up_to
from core.exports import CHUNK_SIZE, Table
from governance.challenges import ratings_to_challenge
from governance.models import (
    Action,
    ActionQuerySet,
    ChangeRequest,
    ChangeRequestQuerySet,
    Escalation,
    GateReview,
    GateReviewQuerySet,
    Issue,
    Risk,
    RiskQuerySet,
)
from governance.queries import heat_map, open_escalations_of, tallied_heat_map
from portfolio.models import (
    AssuranceRating,
    DeliveryConfidence,
    Directorate,
    HighlightReport,
    Milestone,
    Portfolio,
    Programme,
    ProgrammeQuerySet,
    Stage,
)
from portfolio.periods import FinancialYear, Quarter
from portfolio.queries import stage_table

_QS = TypeVar("_QS", bound=QuerySet[Any])

TOP_RISKS = 10
LIST_LIMIT = 10
PIPELINE_NAMED = 60
ROADMAP_LIMIT = 25
TREND_SNAPSHOTS = 8
ZERO = Decimal("0")
SAVINGS_SERIES = [
    Series("target", "MTFP target"),
    Series("planned", "Planned"),
    Series("forecast", "Forecast"),
    Series("actual", "Actual"),
]
COST_SERIES = [Series("budget", "Business case"), Series("spend", "Spent")]
RATINGS = [
    ("blue", "Blue", "delivered"),
    ("green", "Green", "on track"),
    ("amber", "Amber", "needs further activity"),
    ("red", "Red", "at risk"),
    ("", "Not rated", "no target to rate against"),
]


@dataclass(frozen=True)
class DashboardFilters:
    portfolio: Portfolio | None = None
    directorate: Directorate | None = None
    category: str = ""
    financial_year: FinancialYear | None = None

    @property
    def narrows_programmes(self) -> bool:
        return bool(self.portfolio or self.directorate or self.category)

    def programmes(self) -> ProgrammeQuerySet:
        return (
            Programme.objects.with_people()
            .in_portfolio(self.portfolio)
            .in_directorate(self.directorate)
            .in_category(self.category or None)
        )

    def scoped(self, queryset: _QS, field: str = "programme") -> _QS:
        """``queryset`` narrowed to the filtered programmes (a subquery, not a list of ids);
        unfiltered, it keeps the portfolio-wide rows too."""
        if not self.narrows_programmes:
            return queryset
        return queryset.filter(**{f"{field}__in": self.programmes().values("pk")})


@dataclass(frozen=True)
class Download:
    """A table's download link on the page: the full table is built only when downloaded."""

    slug: str
    title: str


def pipeline(filters: DashboardFilters, portfolios: list[Portfolio]) -> dict[str, Any]:
    """ "Where are we?": programmes by stage, grouped by portfolio (two queries). Up to
    ``PIPELINE_NAMED`` programmes each is named with its days in stage and latest delivery
    confidence; beyond that each cell counts them and links to the filtered programme list."""
    counts = list(
        filters.programmes().order_by().values_list("portfolio", "stage").annotate(n=Count("pk"))
    )
    total = sum(n for _, _, n in counts)
    named = list(filters.programmes().order_by("name")[: PIPELINE_NAMED + 1])
    if total <= PIPELINE_NAMED:
        for programme in named:
            value = programme.latest_report_confidence  # its latest report's, "" before one
            programme.latest_confidence = DeliveryConfidence(value) if value else None
        return {"stage_table": stage_table(named), "total": total, "counted": False}
    return {"stage_table": _counted_stage_table(counts, portfolios), "total": total,
            "counted": True}  # fmt: skip


HOME_OWN_LIMIT = 10


def home_page(user: User) -> dict[str, Any]:
    """ "Where are we?" for staff who are not the PMO, bounded however large the portfolio: up to
    ``HOME_OWN_LIMIT`` of the user's own programmes (the count says how many more the filtered
    list holds), the stage table of the dashboard (named up to ``PIPELINE_NAMED``, counted
    beyond), and the paused or stopped ones counted by stage (six queries)."""
    own = Programme.objects.for_team_member(user).order_by("name", "pk")
    own_shown = list(own.with_people()[:HOME_OWN_LIMIT])
    own_count = own.count()
    table = pipeline(DashboardFilters(), list(Portfolio.objects.all()))
    elsewhere = list(
        Programme.objects.exclude(stage__in=Stage.pipeline())
        .order_by("stage")
        .values_list("stage")
        .annotate(n=Count("pk"))
    )
    return {
        "own_programmes": own_shown,
        "own_count": own_count,
        "table": table["stage_table"],
        "counted": table["counted"],
        "elsewhere": [(Stage(stage), n) for stage, n in elsewhere],
        "programme_count": table["total"],
    }


def _counted_stage_table(counts: list[tuple], portfolios: list[Portfolio]) -> dict[str, Any]:
    by_pk = {p.pk: p for p in portfolios}
    cells: dict[int | None, dict[str, int]] = defaultdict(dict)
    for portfolio, stage, n in counts:
        cells[portfolio][stage] = n
    ordered = sorted(cells, key=lambda pk: (pk is None, by_pk[pk].position if pk else 0, pk or 0))
    rows = []
    for pk in ordered:
        portfolio = by_pk.get(pk) if pk else None
        row = [
            {"count": cells[pk].get(stage.value, 0), "stage": stage} for stage in Stage.pipeline()
        ]
        rows.append({"portfolio": portfolio, "cells": row})
    return {"stages": Stage.pipeline(), "rows": rows}


def pipeline_table(filters: DashboardFilters) -> Table:
    now = timezone.now()
    programmes = filters.programmes().order_by("portfolio__position", "name")
    return Table(
        slug="pipeline",
        title="Pipeline",
        headers=["Portfolio", "Programme", "Stage", "Category", "Light touch", "Days in stage"],
        rows=(
            [
                str(p.portfolio or "Not yet assigned"), p.name, p.stage_label, p.category,
                "Yes" if p.light_touch else "No", p.days_in_stage(now),
            ]
            for p in programmes.iterator(chunk_size=CHUNK_SIZE)
        ),
    )  # fmt: skip


def roadmap_quarters(filters: DashboardFilters) -> list[Quarter]:
    """The chosen year's four quarters; otherwise four quarters from the earliest outstanding
    milestone (like Annex 1 of the 2019 Quarterly Review), or from this quarter."""
    if filters.financial_year:
        return filters.financial_year.quarters
    earliest = filters.scoped(Milestone.objects.filter(completed_on__isnull=True)).aggregate(
        first=Min("due_date")
    )["first"]
    first = Quarter.from_date(earliest or timezone.localdate())
    quarters = [first]
    while len(quarters) < 4:
        quarters.append(quarters[-1].next())
    return quarters


def roadmap(filters: DashboardFilters, limit: int | None = ROADMAP_LIMIT) -> dict[str, Any]:
    """Milestones by quarter per programme, grouped like Annex 1 (back office, front office,
    service-based redesign) or, for programmes outside those groups, by portfolio. The page
    shows the first ``limit`` programmes with milestones in those quarters (four queries)."""
    quarters = roadmap_quarters(filters)
    in_window = Milestone.objects.filter(
        programme=OuterRef("pk"), due_date__gte=quarters[0].start, due_date__lte=quarters[-1].end
    )
    with_milestones = (
        filters.programmes().filter(Exists(in_window))
        .order_by("workstream_group", "portfolio__position", "name")
    )  # fmt: skip
    ids: Any
    if limit:
        # One narrow ranking gives the shown programmes' ids and how many there are (a window
        # count): its rows are ids and sort keys, not each programme joined to its people, which
        # made ranking every programme (and counting them in a second pass) grow with the
        # portfolio. Then the shown ones with their people, in that order. No programme has the
        # id 0: with none shown the queries still run, so the page's stay the same in number.
        ranked = list(
            with_milestones.annotate(total=Window(Count("*"))).values_list("pk", "total")[:limit]
        )
        total = ranked[0][1] if ranked else 0
        ids = [pk for pk, _ in ranked] or [0]
        by_pk = {p.pk: p for p in Programme.objects.with_people().filter(pk__in=ids)}
        programmes = [by_pk[pk] for pk, _ in ranked]
    else:  # unbounded: the ids as a subquery
        total = with_milestones.count()
        programmes = list(with_milestones)
        ids = with_milestones.values("pk")
    milestones = Milestone.objects.filter(
        programme__in=ids,
        due_date__gte=quarters[0].start,
        due_date__lte=quarters[-1].end,
    ).order_by("due_date", "pk")
    cells: dict[int, list[list[Milestone]]] = defaultdict(lambda: [[] for _ in quarters])
    for milestone in milestones:
        index = next(i for i, q in enumerate(quarters) if milestone.due_date in q)
        cells[milestone.programme_id][index].append(milestone)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for programme in programmes:
        label = programme.get_workstream_group_display() or str(
            programme.portfolio or "Not yet assigned"
        )
        groups[label].append({"programme": programme, "cells": cells[programme.pk]})
    return {"quarters": quarters, "groups": dict(groups), "total": total,
            "shown": len(programmes)}  # fmt: skip


def roadmap_table(filters: DashboardFilters) -> Table:
    """Every programme with milestones in the roadmap's quarters, in the page's order, read as
    one stream of milestones (one query)."""
    quarters = roadmap_quarters(filters)
    milestones = (
        Milestone.objects.filter(
            programme__in=filters.programmes().values("pk"),
            due_date__gte=quarters[0].start,
            due_date__lte=quarters[-1].end,
        )
        .select_related("programme__portfolio")
        .order_by("programme__workstream_group", "programme__portfolio__position",
                  "programme__name", "programme_id", "due_date", "pk")
    )  # fmt: skip
    return Table(
        slug="roadmap",
        title="Roadmap",
        headers=["Group", "Programme", *(q.label for q in quarters)],
        rows=_roadmap_rows(milestones, quarters),
    )


def _roadmap_rows(
    milestones: QuerySet[Milestone], quarters: list[Quarter]
) -> Iterator[list[object]]:
    stream = milestones.iterator(chunk_size=CHUNK_SIZE)
    for _, group in groupby(stream, key=attrgetter("programme_id")):
        cells: list[list[str]] = [[] for _ in quarters]
        for milestone in group:
            programme = milestone.programme
            index = next(i for i, q in enumerate(quarters) if milestone.due_date in q)
            cells[index].append(milestone.title)
        label = programme.get_workstream_group_display() or str(
            programme.portfolio or "Not yet assigned"
        )
        yield [label, programme.name, *("; ".join(titles) for titles in cells)]


def _risks_in_scope(filters: DashboardFilters) -> RiskQuerySet:
    risks = Risk.objects.open().select_related("programme", "owner")
    if not filters.narrows_programmes:
        return risks
    scope = Q(programme__in=filters.programmes().values("pk"))
    if filters.portfolio and not (filters.directorate or filters.category):
        scope |= Q(programme__isnull=True, portfolio=filters.portfolio)
    return risks.filter(scope)


ESCALATIONS_SHOWN = 10


OWN_ITEMS_SHOWN = 10
OWN_ITEMS_COUNTED = 100


@dataclass(frozen=True)
class OwnItem:
    """An open action or issue of one of the person's own programmes, and its open escalation."""

    item: Action | Issue
    source: str  # "action" or "issue" (an EscalationSource value)
    escalation: Escalation | None


def own_open_items(user: Any) -> dict[str, Any]:
    """The open actions and issues of the open programmes this person manages or is SRO of
    (the soonest due actions, then the highest priority issues; bounded), each with its open
    escalation: what a programme manager escalates from the dashboard. Not cached (personal)."""
    mine = Q(programme__manager=user) | Q(programme__sro=user)
    open_programmes = Q(programme__in=Programme.objects.open())
    actions = Action.objects.outstanding().filter(mine, open_programmes)
    issues = Issue.objects.open().filter(mine, open_programmes)
    shown: dict[str, list[Any]] = {
        "action": list(
            actions.select_related("programme", "owner").order_by("due_date", "pk")[
                :OWN_ITEMS_SHOWN
            ]
        ),
        "issue": list(issues.select_related("programme", "owner").by_priority()[:OWN_ITEMS_SHOWN]),
    }
    rows: dict[str, list[OwnItem]] = {}
    for source, items in shown.items():
        waiting = open_escalations_of(source, (i.pk for i in items)) if items else {}
        rows[source] = [OwnItem(i, source, waiting.get(i.pk)) for i in items]
    return {
        "own_actions": rows["action"],
        "own_issues": rows["issue"],
        "own_actions_count": _own_count(actions, shown["action"]),
        "own_issues_count": _own_count(issues, shown["issue"]),
        "own_counted": OWN_ITEMS_COUNTED,
    }


def _own_count(items: QuerySet[Any], shown: list[Any]) -> int:
    """How many there are when the page is full, counted up to ``OWN_ITEMS_COUNTED`` (above it
    means "more than"): at 5,000 programmes the bench's manager has 19,153 open actions."""
    return count_up_to(items, OWN_ITEMS_COUNTED) if len(shown) == OWN_ITEMS_SHOWN else len(shown)


def open_escalations() -> dict[str, Any]:
    """Escalations awaiting a board's response, newest first and bounded, with their count.
    Cached with the panels (dashboard/caching.py): a response is a write, which recounts them."""
    waiting = Escalation.objects.open()
    return {
        "escalations": list(
            waiting.with_context().order_by("-raised_at", "-pk")[:ESCALATIONS_SHOWN]
        ),
        "escalations_count": waiting.count(),
    }


def risk_panel(filters: DashboardFilters) -> dict[str, Any]:
    """The heat map (from the counts the database keeps, unless a directorate or category
    narrows it), the top escalated risks and the oldest overdue reviews (four queries)."""
    risks = _risks_in_scope(filters)
    escalated = list(
        risks.escalated()
        .annotate(residual=F("residual_likelihood") * F("residual_impact"))
        .order_by("-residual", "title")[:TOP_RISKS]
    )
    overdue = risks.review_overdue().order_by("review_date", "title")
    return {
        "escalated": escalated,
        "overdue_reviews": list(overdue[:LIST_LIMIT]),
        "overdue_count": overdue.count(),
        # A portfolio alone, or nothing, is what the counts the database keeps are by.
        "heat_map": (
            tallied_heat_map(filters.portfolio)
            if not (filters.directorate or filters.category)
            else heat_map(risks)
        ),
        # The heat map's cells link to this portfolio's RAID log when it is the only filter, else
        # to the whole portfolio's (which has no directorate or category filter).
        "heat_map_portfolio": (
            filters.portfolio
            if filters.portfolio and not (filters.directorate or filters.category)
            else None
        ),
    }


def escalated_risks_table(filters: DashboardFilters) -> Table:
    return Table(
        slug="escalated-risks",
        title="Escalated risks",
        headers=["Risk", "Programme", "Residual score", "Rating", "Owner", "Review date"],
        rows=(
            [r.title, str(r.programme or "Portfolio"), r.residual_score, r.residual_band,
             str(r.owner or ""), r.review_date]
            for r in _risks_in_scope(filters).escalated().order_by("title")
            .iterator(chunk_size=CHUNK_SIZE)
        ),
    )  # fmt: skip


def overdue_reviews_table(filters: DashboardFilters) -> Table:
    return Table(
        slug="overdue-risk-reviews",
        title="Overdue risk reviews",
        headers=["Risk", "Programme", "Owner", "Review was due"],
        rows=(
            [r.title, str(r.programme or "Portfolio"), str(r.owner or ""), r.review_date]
            for r in _risks_in_scope(filters)
            .review_overdue()
            .order_by("review_date", "title")
            .iterator(chunk_size=CHUNK_SIZE)
        ),
    )


def _overdue_actions(filters: DashboardFilters) -> ActionQuerySet:
    return filters.scoped(Action.objects.overdue()).with_context().order_by("due_date", "title")


def overdue_actions(filters: DashboardFilters) -> dict[str, Any]:
    """The oldest overdue actions and how many there are (two queries)."""
    actions = _overdue_actions(filters)
    return {"actions": list(actions[:LIST_LIMIT]), "count": actions.count()}


def overdue_actions_table(filters: DashboardFilters) -> Table:
    return Table(
        slug="overdue-actions",
        title="Overdue actions",
        headers=["Action", "Programme", "Owner", "Due"],
        rows=(
            [a.title, str(a.programme or "Portfolio"), str(a.owner), a.due_date]
            for a in _overdue_actions(filters).iterator(chunk_size=CHUNK_SIZE)
        ),
    )


def latest_snapshot() -> RollupSnapshot | None:
    """The newest roll-up snapshot, without its (large) payload."""
    return RollupSnapshot.objects.defer("payload").order_by("-as_of", "-pk").first()


def snapshot_rows(filters: DashboardFilters, snapshot: RollupSnapshot) -> QuerySet[RollupRow]:
    rows = RollupRow.objects.filter(snapshot=snapshot)
    if filters.portfolio:
        rows = rows.filter(portfolio=filters.portfolio)
    if filters.directorate:
        rows = rows.filter(directorate=filters.directorate)
    if filters.category:
        rows = rows.filter(category=filters.category)
    if filters.financial_year:
        rows = rows.filter(financial_year=filters.financial_year.start_year)
    return rows


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in RollupRow.MONEY}


def money_panel(filters: DashboardFilters, snapshot: RollupSnapshot | None) -> dict[str, Any]:
    """Savings against the MTFP by financial year, deliverability, one-off costs (by year and by
    business case) and ROI, read from the latest roll-up snapshot (four queries, whatever the
    size of the portfolio)."""
    savings = Table(
        slug="savings",
        title="Savings against MTFP",
        headers=["Financial year", "MTFP target", "Planned", "Forecast", "Actual", "Variance"],
        money_columns=frozenset({1, 2, 3, 4, 5}),
    )
    costs = Table(
        slug="one-off-costs",
        title="One-off costs",
        headers=["Financial year", "Business case", "Spent", "Remaining"],
        money_columns=frozenset({1, 2, 3}),
    )
    if snapshot is None:
        return {"snapshot": None, "tables": [savings, costs]}
    rows = snapshot_rows(filters, snapshot)
    # Each year: its start year, every money column's sum (zero when empty), and its label.
    years: list[dict[str, Any]] = []
    for row in _by_year(filters, snapshot, rows):
        sums: Mapping[str, object] = row  # with the sums _sums() annotates
        years.append({
            "financial_year": row["financial_year"],
            **{name: sums[name] or ZERO for name in RollupRow.MONEY},
            "label": FinancialYear(row["financial_year"]).label,
        })  # fmt: skip
    saving_years = [
        y for y in years if any(y[k] for k in ("target", "planned", "forecast", "actual"))
    ]
    cost_years = [y for y in years if y["budget"] or y["spend"]]
    savings.rows = [
        [y["label"], y["target"], y["planned"], y["forecast"], y["actual"], y["variance"]]
        for y in saving_years
    ]
    costs.rows = [
        [y["label"], y["budget"], y["spend"], y["budget"] - y["spend"]] for y in cost_years
    ]
    total = {name: sum((y[name] for y in years), ZERO) for name in RollupRow.MONEY}
    # The programme-wide business case (no programme: name and slug None) and the largest
    # ``LIST_LIMIT`` programmes' beside their sum, with how many programmes have one (the download
    # holds every business case).
    business_cases, programme_cases = (
        _business_cases_page(rows) if _filtered(filters) else _stored_business_cases(snapshot)
    )
    case = finance.business_case(
        investment={y["financial_year"]: y["budget"] for y in cost_years},
        savings={y["financial_year"]: y["forecast"] for y in saving_years},
    )
    ratings = {str(d["mtfp_line"]): d["rating"] or "" for d in _deliverability(snapshot)}
    line_targets = (
        rows.exclude(mtfp_line=None).order_by().values("mtfp_line").annotate(target=Sum("target"))
        if _filtered(filters)
        else RollupLineTarget.objects.filter(snapshot=snapshot).values("mtfp_line", "target")
    )
    rated: dict[str, dict[str, Any]] = {key: {"count": 0, "value": ZERO} for key, _, _ in RATINGS}
    for line in line_targets:
        bucket = rated[ratings.get(str(line["mtfp_line"]), "")]
        bucket["count"] += 1
        bucket["value"] += line["target"] or ZERO
    return {
        "snapshot": snapshot,
        "years": saving_years,
        "cost_years": cost_years,
        "business_cases": business_cases,
        "programme_cases": programme_cases,
        "programme_cases_shown": sum(c["slug"] is not None for c in business_cases),
        "total": total,
        "business_case": case,
        "roi": finance.roi(savings=case.savings, investment=case.investment),
        "roi_ratio": finance.roi_ratio(savings=case.savings, investment=case.investment),
        "deliverability": [
            {"key": key, "label": label, "meaning": meaning, **rated[key]}
            for key, label, meaning in RATINGS
        ],
        "savings_chart": grouped_bar_chart([(y["label"], y) for y in saving_years], SAVINGS_SERIES),
        "costs_chart": grouped_bar_chart([(y["label"], y) for y in cost_years], COST_SERIES),
        "tables": [savings, costs],
    }


def _filtered(filters: DashboardFilters) -> bool:
    """Whether the money panel reads the filtered rows of the snapshot; unfiltered it reads what
    the roll-up kept with them: the headline sums, business cases and line targets."""
    return filters.narrows_programmes or bool(filters.financial_year)


def _business_cases_page(rows: QuerySet[RollupRow]) -> tuple[list[dict[str, Any]], int]:
    """The page's business cases grouped from ``rows``: the programme-wide one and the largest
    ``LIST_LIMIT`` programmes', and how many programmes have one (one query)."""
    cases = list(_business_cases(rows)[: LIST_LIMIT + 1])
    shown = [c for c in cases if c["slug"] is None] + [c for c in cases if c["slug"] is not None][
        :LIST_LIMIT
    ]
    return shown, (cases[0]["cases"] if cases else 0) - sum(c["slug"] is None for c in cases)


def _stored_business_cases(snapshot: RollupSnapshot) -> tuple[list[dict[str, Any]], int]:
    """The same, read from the business cases the roll-up kept with the snapshot
    (``RollupBusinessCase``): the programme-wide one, the largest ``LIST_LIMIT`` by an index walk
    (``benefits_rbc_snap_budget``), and the count (three queries, none grouping every row)."""
    cases = RollupBusinessCase.objects.filter(snapshot=snapshot)
    wide: list[dict[str, Any]] = [
        {"name": None, "slug": None, **case}
        for case in cases.filter(programme__isnull=True).values("budget", "spend")[:1]
    ]
    largest = cases.filter(programme__isnull=False).order_by("-budget", "programme__name")
    shown: Any = largest.values(
        "budget", "spend", name=F("programme__name"), slug=F("programme__slug")
    )[:LIST_LIMIT]
    return wide + list(shown), cases.count() - len(wide)


def _business_cases(rows: QuerySet[RollupRow]) -> QuerySet[RollupRow, Any]:
    """Each business case's estimate and spend: the programme-wide one first, then the largest
    estimate first; ``cases`` counts them all (a window over the groups, so no second query)."""
    return (
        rows.exclude(budget=0, spend=0)
        .order_by()
        .values(name=F("programme__name"), slug=F("programme__slug"))
        .annotate(budget=Sum("budget"), spend=Sum("spend"), cases=Window(Count("*")))
        .order_by(IsNull(F("programme"), True).desc(), F("budget").desc(), "name")
    )


def business_cases_table(filters: DashboardFilters) -> Table:
    """Every business case of the latest snapshot in the filters, as the page orders them."""
    snapshot = latest_snapshot()
    cases = (
        _business_cases(snapshot_rows(filters, snapshot)).iterator(chunk_size=CHUNK_SIZE)
        if snapshot
        else iter(())
    )
    return Table(
        slug="business-cases",
        title="Business cases",
        headers=["Business case", "Estimated", "Spent"],
        rows=(
            [c["name"] or "Transformation Programme (programme-wide)", c["budget"], c["spend"]]
            for c in cases
        ),
        money_columns=frozenset({1, 2}),
    )


def _by_year(
    filters: DashboardFilters, snapshot: RollupSnapshot, rows: QuerySet[RollupRow]
) -> list[dict[str, Any]]:
    """Every money column summed by financial year (one query). Unfiltered, these are the
    snapshot's own headline figures (``payload["by_year"]``, written by the roll-up from the
    same groups as its rows), read instead of summing every row again: a sum over every
    programme's rows grew with the portfolio."""
    if filters.narrows_programmes or filters.financial_year:
        summed: QuerySet[RollupRow, Any] = (
            rows.order_by().values("financial_year").annotate(**_sums()).order_by("financial_year")
        )
        return list(summed)
    stored = RollupSnapshot.objects.filter(pk=snapshot.pk).values_list(
        "payload__by_year", flat=True
    )
    by_year = (stored[0] if stored else None) or []
    return [
        {"financial_year": year["financial_year"],
         **{name: Decimal(year.get(name) or 0) for name in RollupRow.MONEY}}
        for year in sorted(by_year, key=lambda year: year["financial_year"])
    ]  # fmt: skip


def _deliverability(snapshot: RollupSnapshot) -> list[dict[str, Any]]:
    values = RollupSnapshot.objects.filter(pk=snapshot.pk).values_list(
        "payload__deliverability", flat=True
    )
    return list(values[0] or [])


SAVINGS_HEADERS = ["Programme", "MTFP line", "MTFP target", "Planned", "Forecast", "Actual",
                   "Variance"]  # fmt: skip
SAVINGS_KEYS = ("target", "planned", "forecast", "actual", "variance")


def _savings_rows(
    filters: DashboardFilters, snapshot: RollupSnapshot, year: FinancialYear
) -> QuerySet[RollupRow, Any]:
    """A year's savings by programme and MTFP line (dicts of names and sums), by programme name
    with the programme-wide rows (no programme) last, on every database."""
    return (
        snapshot_rows(filters, snapshot)
        .filter(financial_year=year.start_year)
        .order_by()
        .values("programme", "programme__name", "programme__slug", "mtfp_line__name")
        .annotate(**_sums())
        .exclude(target=0, planned=0, forecast=0, actual=0)  # HAVING: rows with any figure
        .order_by(F("programme__name").asc(nulls_last=True), "mtfp_line__name", "programme")
    )


def _savings_cells(row: dict[str, Any]) -> list[object]:
    return [row["programme__name"] or "Programme-wide", row["mtfp_line__name"] or "—",
            *(row[k] or ZERO for k in SAVINGS_KEYS)]  # fmt: skip


def _savings_table(year: FinancialYear, rows: Any) -> Table:
    return Table(
        slug=f"savings-{year.start_year}",
        title=f"Savings {year.label}",  # its sheet is "Savings 2019-20": no "/" in sheet titles
        headers=SAVINGS_HEADERS,
        rows=rows,
        money_columns=frozenset({2, 3, 4, 5, 6}),
    )


SAVINGS_PROGRAMMES = 20


def _savings_programmes(
    filters: DashboardFilters, snapshot: RollupSnapshot, year: FinancialYear
) -> QuerySet[Programme, int]:
    """The programmes a year's savings page walks, by name (the name's unique index, so a page
    and the count for its links read programmes, not the year's programme × MTFP line groups):
    those in the filters' portfolio and category, which a row takes from its programme; under a
    directorate filter, those with a row of that directorate (a benefit's or an MTFP line's
    directorate need not be its programme's)."""
    programmes = Programme.objects.in_portfolio(filters.portfolio).in_category(
        filters.category or None
    )
    if filters.directorate:
        programmes = programmes.filter(
            Exists(
                snapshot_rows(filters, snapshot).filter(
                    financial_year=year.start_year, programme=OuterRef("pk")
                )
            )
        )
    return programmes.order_by("name", "pk").values_list("pk", flat=True)


def savings_detail(
    filters: DashboardFilters,
    snapshot: RollupSnapshot,
    year: FinancialYear,
    page_number: str | None = None,
) -> tuple[Table, Page]:
    """The rows behind a year's savings figures, for the page: ``SAVINGS_PROGRAMMES`` programmes
    at a time, by name, each with its MTFP lines, and the programme-wide rows on the last page;
    each row with the slug of the programme whose benefits register it links to (two queries:
    the programmes counted, the page's rows, and on the last page a third for the programme-wide
    rows; none groups or sorts more than a page's rows); the download holds them all."""
    page = Paginator(_savings_programmes(filters, snapshot, year), SAVINGS_PROGRAMMES).get_page(
        page_number
    )
    year_rows = _savings_rows(filters, snapshot, year)
    rows = list(year_rows.filter(programme__in=page.object_list))  # the page's slice: a subquery
    if not page.has_next():  # one query apart: an OR would read the whole year's rows
        rows += year_rows.filter(programme__isnull=True)
    table = _savings_table(year, [_savings_cells(row) for row in rows])
    table.slugs = [row["programme__slug"] for row in rows]  # type: ignore[attr-defined]
    return table, page


def savings_download(
    filters: DashboardFilters, snapshot: RollupSnapshot, year: FinancialYear
) -> Table:
    """The same rows as ``savings_detail``, read as they are written to the download."""
    rows = _savings_rows(filters, snapshot, year).iterator(chunk_size=CHUNK_SIZE)
    return _savings_table(year, (_savings_cells(row) for row in rows))


ARROWS = {1: ("▲", "improved"), -1: ("▼", "worsened"), 0: ("▶", "no change")}


LATEST_SCORE = Case(
    *(When(latest_report_confidence=c.value, then=c.score) for c in DeliveryConfidence),
    output_field=IntegerField(),
)


def _reporting(filters: DashboardFilters) -> ProgrammeQuerySet:
    """The filtered programmes with a highlight report (``Programme.latest_report``)."""
    return filters.programmes().filter(latest_report__isnull=False)


def _with_programme(programmes: Iterable[Programme]) -> list[HighlightReport]:
    """Each programme's latest report (read with it), knowing its programme."""
    reports = []
    for programme in programmes:
        report = programme.latest_report
        if report is not None:  # always, among _reporting()'s programmes
            report.programme = programme
            reports.append(report)
    return reports


def confidence_panel(filters: DashboardFilters) -> dict[str, Any]:
    """How many programmes stand at each delivery confidence on their latest highlight report,
    and the ``LIST_LIMIT`` lowest with the change since the previous quarter: the quarter before
    the latest reporting quarter (four queries). Each programme's latest report and its rating
    are kept on the programme, so the counts read programmes, the reporting month is the top of
    an index and the lowest are an index walk through the lowest rating by name."""
    reporting_programmes = _reporting(filters)
    by_rating = dict(
        reporting_programmes.order_by()
        .values_list("latest_report_confidence")
        .annotate(n=Count("pk"))
    )
    if not by_rating:
        return {"rows": [], "counts": [], "total": 0}
    newest = filters.scoped(HighlightReport.objects.all()).aggregate(newest=Max("month"))
    reporting = Quarter.from_date(newest["newest"])
    lowest_first = sorted(DeliveryConfidence, key=attrgetter("score"))
    needed, shown = [], 0
    for confidence in lowest_first:  # the ratings the lowest LIST_LIMIT are found among
        if shown >= LIST_LIMIT:
            break
        if by_rating.get(confidence.value):
            needed.append(confidence.value)
            shown += by_rating[confidence.value]
    lowest = reporting_programmes.filter(latest_report_confidence__in=needed).select_related(
        "latest_report"
    )
    if len(needed) > 1:
        lowest = lowest.annotate(score=LATEST_SCORE).order_by("score", "name")
    else:
        lowest = lowest.order_by("name")  # one rating: the index in its own order
    rows = _confidence_rows(_with_programme(lowest[:LIST_LIMIT]), reporting)
    return {
        "rows": rows,
        "counts": [
            {"confidence": c, "count": by_rating.get(c.value, 0)} for c in DeliveryConfidence
        ],
        "total": sum(by_rating.values()),
        "reporting_quarter": reporting,
        "previous_quarter": reporting.previous(),
    }


def _confidence_rows(latest: list[HighlightReport], reporting: Quarter) -> list[dict[str, Any]]:
    """Each report with the programme's report as it stood at the end of the previous quarter
    (one query)."""
    before = {
        r.programme_id: r
        for r in HighlightReport.objects.filter(
            programme__in=[r.programme_id for r in latest]
        ).latest_per_programme(as_of=reporting.previous().end)
    }
    rows = []
    for report in latest:
        now = DeliveryConfidence(report.delivery_confidence)
        earlier = before.get(report.programme_id)
        then = DeliveryConfidence(earlier.delivery_confidence) if earlier else None
        change = None if then is None else (now.score > then.score) - (now.score < then.score)
        rows.append(
            {"programme": report.programme, "report": report, "confidence": now,
             "previous": then, "arrow": ARROWS.get(change) if change is not None else None}
        )  # fmt: skip
    return rows


def confidence_table(filters: DashboardFilters) -> Table:
    latest = _with_programme(_reporting(filters).select_related("latest_report").order_by("name"))
    rows = (
        _confidence_rows(latest, Quarter.from_date(max(r.month for r in latest))) if latest else []
    )
    return Table(
        slug="delivery-confidence",
        title="Delivery confidence",
        headers=["Programme", "Delivery confidence", "Reported for", "Previous quarter", "Change"],
        rows=[
            [r["programme"].name, r["confidence"].label, r["report"].month.strftime("%B %Y"),
             r["previous"].label if r["previous"] else "", r["arrow"][1] if r["arrow"] else "new"]
            for r in rows
        ],
    )  # fmt: skip


CHALLENGES_COUNTED = 100


def challenge_panel(filters: DashboardFilters) -> dict[str, Any]:
    """ "Ratings to challenge": Green or Amber/Green over late milestones, an overdue gate,
    High escalated risks or benefits below plan, with the reasons (two queries). They are
    counted up to ``CHALLENGES_COUNTED`` ("more than 100"): the count is bounded whatever the
    size of the portfolio; the quarterly report counts them all."""
    rows, total = ratings_to_challenge(
        filters.programmes(), limit=LIST_LIMIT, count_up_to=CHALLENGES_COUNTED
    )
    return {"rows": rows, "total": min(total, CHALLENGES_COUNTED),
            "more": total > CHALLENGES_COUNTED,
            "shortfall_percent": settings.BENEFITS_SHORTFALL_PERCENT,
            "overdue_days": settings.GATE_REVIEW_OVERDUE_DAYS}  # fmt: skip


@dataclass(frozen=True)
class FollowUp:
    """A follow-up review an Amber/Red or Red rating scheduled: whose rating, and when."""

    programme: Programme
    confidence: DeliveryConfidence
    source: str
    due_on: date

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()


def follow_up_reviews(filters: DashboardFilters) -> dict[str, Any]:
    """The follow-up reviews that each open programme's latest self-assessment and latest
    independent assurance rating scheduled, soonest first (four queries)."""
    programmes = filters.programmes().open().values("pk")
    reports = (
        HighlightReport.objects.filter(
            follow_up_review_on__isnull=False,  # a partial index holds only these
            pk__in=filters.programmes().open().values("latest_report"),
        )
        .select_related("programme")
        .order_by("follow_up_review_on", "programme__name")
    )
    newest = AssuranceRating.objects.filter(programme=OuterRef("programme")).order_by(
        "-assessed_on", "-pk"
    )
    ratings = (
        AssuranceRating.objects.filter(
            programme__in=programmes,
            follow_up_review_on__isnull=False,
            pk=Subquery(newest.values("pk")[:1]),
        )
        .select_related("programme")
        .order_by("follow_up_review_on", "programme__name")
    )
    sources = [("Self-assessment", r) for r in reports[:LIST_LIMIT]] + [
        ("Independent assurance", a) for a in ratings[:LIST_LIMIT]
    ]
    rows = [
        FollowUp(rating.programme, DeliveryConfidence(rating.delivery_confidence), source, due)
        for source, rating in sources
        if (due := rating.follow_up_review_on) is not None
    ]
    rows.sort(key=lambda f: (f.due_on, f.programme.name))
    return {"rows": rows[:LIST_LIMIT], "total": reports.count() + ratings.count()}


def confidence_trend(portfolios: list[Portfolio]) -> dict[str, Any]:
    """Each portfolio's mean delivery confidence (Green 5 … Red 1) across recent snapshots."""
    snapshots = list(
        RollupSnapshot.objects.order_by("-as_of", "-pk").values_list(
            "as_of", "payload__delivery_confidence__mean_score"
        )[:TREND_SNAPSHOTS]
    )[::-1]
    labels = [timezone.localtime(as_of).strftime("%d %b %Y") for as_of, _ in snapshots]
    series = [
        (str(p.pk), p.name, [_score(scores, p.pk) for _, scores in snapshots]) for p in portfolios
    ]
    chart = line_chart(labels, series, low=Decimal(1), high=Decimal(5)) if snapshots else None
    return {"chart": chart, "snapshots": len(snapshots), "labels": labels, "series": series,
            "scale": {c.score: c.label for c in DeliveryConfidence}}  # fmt: skip


def _score(scores: dict[str, str] | None, portfolio_pk: int) -> Decimal | None:
    value = (scores or {}).get(str(portfolio_pk))
    return Decimal(value) if value is not None else None


def _awaiting(filters: DashboardFilters) -> tuple[GateReviewQuerySet, ChangeRequestQuerySet]:
    reviews = filters.scoped(GateReview.objects.open()).with_context().oldest_first()
    changes = (
        filters.scoped(ChangeRequest.objects.awaiting()).with_context().order_by("raised_on", "pk")
    )
    return reviews, changes


@dataclass(frozen=True)
class WaitingReview:
    """An open gate review, the day it was submitted and how many days it has waited."""

    review: GateReview
    submitted_on: date
    days_waiting: int

    @classmethod
    def of(cls, review: GateReview, today: date) -> WaitingReview:
        submitted_on = timezone.localdate(review.submitted_at)
        return cls(review, submitted_on, (today - submitted_on).days)


@dataclass(frozen=True)
class WaitingChange:
    """A change request awaiting decision and how many days it has waited since raised."""

    change: ChangeRequest
    days_waiting: int

    @classmethod
    def of(cls, change: ChangeRequest, today: date) -> WaitingChange:
        return cls(change, (today - change.raised_on).days)


def pending_decisions(filters: DashboardFilters) -> dict[str, Any]:
    """The oldest gate reviews and change requests awaiting a board or sign-off, and how many
    of each there are (four queries)."""
    reviews, changes = _awaiting(filters)
    today = timezone.localdate()
    return {
        "reviews": [WaitingReview.of(r, today) for r in reviews[:LIST_LIMIT]],
        "changes": [WaitingChange.of(c, today) for c in changes[:LIST_LIMIT]],
        "review_count": reviews.count(),
        "change_count": changes.count(),
    }


def pending_table(filters: DashboardFilters) -> Table:
    return Table(
        slug="decisions-pending",
        title="Decisions pending",
        headers=["Awaiting", "What", "Programme", "Since", "Days waiting"],
        rows=_pending_rows(filters),
    )


def _pending_rows(filters: DashboardFilters) -> Iterator[list[object]]:
    reviews, changes = _awaiting(filters)
    today = timezone.localdate()
    for review in reviews.iterator(chunk_size=CHUNK_SIZE):
        waiting = WaitingReview.of(review, today)
        yield [review.current_sign_off_label, review.gate_label, review.programme.name,
               waiting.submitted_on, waiting.days_waiting]  # fmt: skip
    for change in changes.iterator(chunk_size=CHUNK_SIZE):
        days = WaitingChange.of(change, today).days_waiting
        yield [str(change.routed_to or ""), f"{change.reference} {change.title}",
               change.programme.name, change.raised_on, days]  # fmt: skip


def _money_table(index: int) -> Callable[[DashboardFilters], Table]:
    return lambda filters: money_panel(filters, latest_snapshot())["tables"][index]


TABLES = {  # slug: (title, the full table for the download)
    "pipeline": ("Pipeline", pipeline_table),
    "savings": ("Savings against MTFP", _money_table(0)),
    "one-off-costs": ("One-off costs", _money_table(1)),
    "business-cases": ("Business cases", business_cases_table),
    "delivery-confidence": ("Delivery confidence", confidence_table),
    "escalated-risks": ("Escalated risks", escalated_risks_table),
    "overdue-risk-reviews": ("Overdue risk reviews", overdue_reviews_table),
    "decisions-pending": ("Decisions pending", pending_table),
    "overdue-actions": ("Overdue actions", overdue_actions_table),
    "roadmap": ("Roadmap", roadmap_table),
}


def dashboard_table(filters: DashboardFilters, slug: str) -> Table | None:
    """One dashboard table in full, for its download; None if there is no such table."""
    if slug not in TABLES:
        return None
    return TABLES[slug][1](filters)


def dashboard_page(filters: DashboardFilters, snapshot: RollupSnapshot | None) -> dict[str, Any]:
    """Every panel, in a fixed number of queries whatever the size of the portfolio."""
    portfolios = list(Portfolio.objects.all())
    return {
        "filters": filters,
        "snapshot": snapshot,
        "money": money_panel(filters, snapshot),
        "trend": confidence_trend([filters.portfolio] if filters.portfolio else portfolios),
        "pipeline": pipeline(filters, portfolios),
        "roadmap": roadmap(filters),
        "risks": risk_panel(filters),
        "actions": overdue_actions(filters),
        "confidence": confidence_panel(filters),
        "challenges": challenge_panel(filters),
        "follow_ups": follow_up_reviews(filters),
        "pending": pending_decisions(filters),
        "downloads": {slug.replace("-", "_"): Download(slug, title)
                      for slug, (title, _) in TABLES.items()},
    }  # fmt: skip


# --- people -------------------------------------------------------------------------------------
PERSON_LIST_LIMIT = 50


@dataclass(frozen=True)
class PersonWork:
    """What a person's page shows besides their details: each list bounded, with its total."""

    managed: list[Programme]
    sro_of: list[Programme]
    boards: list[Any]
    chaired: list[Any]
    actions: list[Action]
    actions_total: int
    risks: list[Risk]
    risks_total: int

    @property
    def open_programmes(self) -> int:
        return sum(1 for p in [*self.managed, *self.sro_of] if p.is_open)

    @property
    def has_open_work(self) -> bool:
        return bool(self.actions_total or self.risks_total or self.open_programmes)


def person_work(person: Any) -> PersonWork:
    actions = Action.objects.outstanding().owned_by(person).select_related("programme")
    risks = Risk.objects.open().filter(owner=person).select_related("programme", "portfolio")
    return PersonWork(
        managed=list(Programme.objects.filter(manager=person).order_by("name")),
        sro_of=list(Programme.objects.filter(sro=person).order_by("name")),
        boards=list(person.boards.order_by("name")),
        chaired=list(person.chaired_boards.order_by("name")),
        actions=list(actions.order_by("due_date", "title")[:PERSON_LIST_LIMIT]),
        actions_total=actions.count(),
        risks=list(risks.order_by("review_date", "title")[:PERSON_LIST_LIMIT]),
        risks_total=risks.count(),
    )

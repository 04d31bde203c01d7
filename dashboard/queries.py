"""Reads for the Transformation Dashboard: each panel is one function over the filtered
programmes, each a fixed number of queries whatever the size of the portfolio."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone

from benefits import finance
from benefits.models import RollupRow, RollupSnapshot
from governance.models import Action, ChangeRequest, GateReview, Risk
from governance.queries import heat_map
from portfolio.models import (
    DeliveryConfidence,
    Directorate,
    HighlightReport,
    Milestone,
    Portfolio,
    Programme,
    Stage,
)
from portfolio.periods import FinancialYear, Quarter
from portfolio.queries import stage_table

from .charts import Series, grouped_bar_chart, line_chart
from .exports import Table

TOP_RISKS = 10
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

    def programmes(self):  # type: ignore[no-untyped-def]
        return (
            Programme.objects.with_people()
            .in_portfolio(self.portfolio)
            .in_directorate(self.directorate)
            .in_category(self.category or None)
        )


def pipeline(programmes: list[Programme]) -> dict[str, Any]:
    """ "Where are we?": programmes by stage, grouped by portfolio, with days in stage."""
    now = timezone.now()
    table = Table(
        slug="pipeline",
        title="Pipeline",
        headers=["Portfolio", "Programme", "Stage", "Category", "Light touch", "Days in stage"],
        rows=[
            [
                str(p.portfolio or "Not yet assigned"), p.name, p.stage_label, p.category,
                "Yes" if p.light_touch else "No", p.days_in_stage(now),
            ]
            for p in programmes
        ],
    )  # fmt: skip
    return {"stage_table": stage_table(programmes), "table": table, "now": now}


def roadmap_quarters(
    programme_ids: list[int], financial_year: FinancialYear | None
) -> list[Quarter]:
    """The chosen year's four quarters; otherwise four quarters from the earliest outstanding
    milestone (like Annex 1 of the 2019 Quarterly Review), or from this quarter."""
    if financial_year:
        return financial_year.quarters
    earliest = Milestone.objects.filter(
        programme_id__in=programme_ids, completed_on__isnull=True
    ).aggregate(first=Min("due_date"))["first"]
    first = Quarter.from_date(earliest or timezone.localdate())
    quarters = [first]
    while len(quarters) < 4:
        quarters.append(quarters[-1].next())
    return quarters


def roadmap(programmes: list[Programme], financial_year: FinancialYear | None) -> dict[str, Any]:
    """Milestones by quarter per programme, grouped like Annex 1 (back office, front office,
    service-based redesign) or, for programmes outside those groups, by portfolio."""
    ids = [p.pk for p in programmes]
    quarters = roadmap_quarters(ids, financial_year)
    milestones = Milestone.objects.filter(
        programme_id__in=ids, due_date__gte=quarters[0].start, due_date__lte=quarters[-1].end
    )
    cells: dict[int, list[list[Milestone]]] = defaultdict(lambda: [[] for _ in quarters])
    for milestone in milestones:
        index = next(i for i, q in enumerate(quarters) if milestone.due_date in q)
        cells[milestone.programme_id][index].append(milestone)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for programme in programmes:
        if programme.pk in cells:
            label = programme.get_workstream_group_display() or str(
                programme.portfolio or "Not yet assigned"
            )
            groups[label].append({"programme": programme, "cells": cells[programme.pk]})
    table = Table(
        slug="roadmap",
        title="Roadmap",
        headers=["Group", "Programme", *(q.label for q in quarters)],
        rows=[
            [label, row["programme"].name, *("; ".join(m.title for m in c) for c in row["cells"])]
            for label, rows in groups.items()
            for row in rows
        ],
    )
    return {"quarters": quarters, "groups": dict(groups), "table": table}


def _risks_in_scope(filters: DashboardFilters, programme_ids: list[int]):  # type: ignore[no-untyped-def]
    risks = Risk.objects.open().select_related("programme", "owner")
    if not filters.narrows_programmes:
        return risks
    scope = Q(programme_id__in=programme_ids)
    if filters.portfolio and not (filters.directorate or filters.category):
        scope |= Q(programme__isnull=True, portfolio=filters.portfolio)
    return risks.filter(scope)


def risk_panel(filters: DashboardFilters, programme_ids: list[int]) -> dict[str, Any]:
    risks = _risks_in_scope(filters, programme_ids)
    escalated = list(
        risks.escalated()
        .annotate(residual=F("residual_likelihood") * F("residual_impact"))
        .order_by("-residual", "title")[:TOP_RISKS]
    )
    overdue = list(risks.review_overdue().order_by("review_date", "title"))
    if filters.portfolio and not (filters.directorate or filters.category):
        list_url = reverse("governance:portfolio_raid", kwargs={"slug": filters.portfolio.slug})
    else:
        list_url = reverse("governance:raid")
    table = Table(
        slug="escalated-risks",
        title="Escalated risks",
        headers=["Risk", "Programme", "Residual score", "Rating", "Owner", "Review date"],
        rows=[
            [r.title, str(r.programme or "Portfolio"), r.residual_score, r.residual_band,
             str(r.owner or ""), r.review_date]
            for r in escalated
        ],
    )  # fmt: skip
    return {
        "escalated": escalated,
        "overdue_reviews": overdue,
        "heat_map": heat_map(risks, list_url),
        "table": table,
    }


def overdue_actions(filters: DashboardFilters, programme_ids: list[int]) -> dict[str, Any]:
    actions = Action.objects.overdue().with_context().order_by("due_date", "title")
    if filters.narrows_programmes:
        actions = actions.filter(programme_id__in=programme_ids)
    rows = list(actions)
    table = Table(
        slug="overdue-actions",
        title="Overdue actions",
        headers=["Action", "Programme", "Owner", "Due"],
        rows=[[a.title, str(a.programme or "Portfolio"), str(a.owner), a.due_date] for a in rows],
    )
    return {"actions": rows, "table": table}


def latest_snapshot() -> RollupSnapshot | None:
    """The newest roll-up snapshot, without its (large) payload."""
    return RollupSnapshot.objects.defer("payload").order_by("-as_of", "-pk").first()


def snapshot_rows(filters: DashboardFilters, snapshot: RollupSnapshot):  # type: ignore[no-untyped-def]
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
    """Savings against the MTFP by financial year, deliverability, one-off costs and ROI, read
    from the latest roll-up snapshot (three queries, whatever the size of the portfolio)."""
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
    years = list(
        rows.order_by().values("financial_year").annotate(**_sums()).order_by("financial_year")
    )
    for year in years:
        year["label"] = FinancialYear(year["financial_year"]).label
        for name in RollupRow.MONEY:
            year[name] = year[name] or ZERO
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
    case = finance.business_case(
        investment={y["financial_year"]: y["budget"] for y in cost_years},
        savings={y["financial_year"]: y["forecast"] for y in saving_years},
    )
    ratings = {str(d["mtfp_line"]): d["rating"] or "" for d in _deliverability(snapshot)}
    line_targets = (
        rows.exclude(mtfp_line=None).order_by().values("mtfp_line").annotate(target=Sum("target"))
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


def _deliverability(snapshot: RollupSnapshot) -> list[dict[str, Any]]:
    values = RollupSnapshot.objects.filter(pk=snapshot.pk).values_list(
        "payload__deliverability", flat=True
    )
    return list(values[0] or [])


def savings_detail(
    filters: DashboardFilters, snapshot: RollupSnapshot, year: FinancialYear
) -> Table:
    """The rows behind a year's savings figures: each programme and MTFP line (two queries)."""
    rows = (
        snapshot_rows(filters, snapshot)
        .filter(financial_year=year.start_year)
        .order_by()
        .values("programme", "programme__name", "programme__slug", "mtfp_line__name")
        .annotate(**_sums())
        .order_by("programme__name", "mtfp_line__name")
    )
    table = Table(
        slug=f"savings-{year.start_year}",
        title=f"Savings {year.label}"[:31],
        headers=["Programme", "MTFP line", "MTFP target", "Planned", "Forecast", "Actual",
                 "Variance"],
        money_columns=frozenset({2, 3, 4, 5, 6}),
    )  # fmt: skip
    table.links = []  # type: ignore[attr-defined]
    for row in rows:
        if not any(row[k] for k in ("target", "planned", "forecast", "actual")):
            continue
        table.rows.append(
            [row["programme__name"] or "Programme-wide", row["mtfp_line__name"] or "—",
             *(row[k] or ZERO for k in ("target", "planned", "forecast", "actual", "variance"))]
        )  # fmt: skip
        table.links.append(  # type: ignore[attr-defined]
            reverse("benefits:register", kwargs={"slug": row["programme__slug"]})
            if row["programme__slug"]
            else ""
        )
    return table


ARROWS = {1: ("▲", "improved"), -1: ("▼", "worsened"), 0: ("▶", "no change")}


def confidence_panel(programmes: list[Programme], ids: list[int]) -> dict[str, Any]:
    """Each programme's delivery confidence from its latest highlight report, and the change
    since the previous quarter: the quarter before the latest reporting quarter (two queries)."""
    latest = list(HighlightReport.objects.latest_per_programme().filter(programme_id__in=ids))
    if not latest:
        return {"rows": [], "table": _confidence_table([])}
    reporting = Quarter.from_date(max(r.month for r in latest))
    previous_end = reporting.previous().end
    before = {
        r.programme_id: r
        for r in HighlightReport.objects.latest_per_programme(as_of=previous_end).filter(
            programme_id__in=ids
        )
    }
    by_id = {p.pk: p for p in programmes}
    rows = []
    for report in sorted(latest, key=lambda r: by_id[r.programme_id].name):
        now = DeliveryConfidence(report.delivery_confidence)
        earlier = before.get(report.programme_id)
        then = DeliveryConfidence(earlier.delivery_confidence) if earlier else None
        change = None if then is None else (now.score > then.score) - (now.score < then.score)
        rows.append(
            {"programme": by_id[report.programme_id], "report": report, "confidence": now,
             "previous": then, "arrow": ARROWS.get(change) if change is not None else None}
        )  # fmt: skip
    return {
        "rows": rows,
        "reporting_quarter": reporting,
        "previous_quarter": reporting.previous(),
        "table": _confidence_table(rows),
    }


def _confidence_table(rows: list[dict[str, Any]]) -> Table:
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


def pending_decisions(filters: DashboardFilters, ids: list[int]) -> dict[str, Any]:
    """Gate reviews and change requests awaiting each board, oldest first (two queries)."""
    reviews = GateReview.objects.open().with_context().oldest_first()
    changes = ChangeRequest.objects.awaiting().with_context().order_by("raised_on", "pk")
    if filters.narrows_programmes:
        reviews = reviews.filter(programme_id__in=ids)
        changes = changes.filter(programme_id__in=ids)
    reviews, changes = list(reviews), list(changes)
    today = timezone.localdate()
    for review in reviews:
        review.submitted_on = timezone.localdate(review.submitted_at)
        review.days_waiting = (today - review.submitted_on).days
    for change in changes:
        change.days_waiting = (today - change.raised_on).days
    table = Table(
        slug="decisions-pending",
        title="Decisions pending",
        headers=["Awaiting", "What", "Programme", "Since", "Days waiting"],
        rows=[
            *([r.current_sign_off_label, r.gate_label, r.programme.name, r.submitted_on,
               r.days_waiting] for r in reviews),
            *([str(c.routed_to or ""), f"{c.reference} {c.title}", c.programme.name, c.raised_on,
               c.days_waiting] for c in changes),
        ],
    )  # fmt: skip
    return {"reviews": reviews, "changes": changes, "today": today, "table": table}


def dashboard_page(filters: DashboardFilters) -> dict[str, Any]:
    programmes = list(filters.programmes())
    ids = [p.pk for p in programmes]
    snapshot = latest_snapshot()
    money = money_panel(filters, snapshot)
    confidence = confidence_panel(programmes, ids)
    for row in confidence["rows"]:  # the pipeline shows each programme's latest confidence
        row["programme"].latest_confidence = row["confidence"]
    panels = {
        "pipeline": pipeline(programmes),
        "roadmap": roadmap(programmes, filters.financial_year),
        "risks": risk_panel(filters, ids),
        "actions": overdue_actions(filters, ids),
        "confidence": confidence,
        "pending": pending_decisions(filters, ids),
    }
    portfolios = list(Portfolio.objects.all()) if not filters.portfolio else [filters.portfolio]
    tables = [panel["table"] for panel in panels.values()] + money["tables"]
    return {
        "filters": filters,
        "programmes": programmes,
        "stages": Stage.pipeline(),
        "snapshot": snapshot,
        "money": money,
        "trend": confidence_trend(portfolios),
        **panels,
        "tables": {table.slug: table for table in tables},
    }

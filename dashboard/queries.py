"""Reads for the Transformation Dashboard: each panel is one function over the filtered
programmes, each a fixed number of queries whatever the size of the portfolio."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Min, Q
from django.utils import timezone

from governance.models import Action, Risk
from portfolio.models import Directorate, Milestone, Portfolio, Programme, Stage
from portfolio.periods import FinancialYear, Quarter
from portfolio.queries import stage_table

from .exports import Table

TOP_RISKS = 10


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
    return {"escalated": escalated, "overdue_reviews": overdue, "table": table}


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


def dashboard_page(filters: DashboardFilters) -> dict[str, Any]:
    programmes = list(filters.programmes())
    ids = [p.pk for p in programmes]
    panels = {
        "pipeline": pipeline(programmes),
        "roadmap": roadmap(programmes, filters.financial_year),
        "risks": risk_panel(filters, ids),
        "actions": overdue_actions(filters, ids),
    }
    return {
        "filters": filters,
        "programmes": programmes,
        "stages": Stage.pipeline(),
        **panels,
        "tables": {panel["table"].slug: panel["table"] for panel in panels.values()},
    }

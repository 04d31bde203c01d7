"""Reads for the governance pages: a log page (filtered, sorted, paginated), the heat map, the
board pack, "my actions" and the RACI grid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.http import QueryDict

from accounts.models import User
from portfolio.models import Portfolio, Programme

from .models import (
    Action,
    Board,
    ChangeRequest,
    RaciActivity,
    RaciAssignment,
    RaciRole,
    Risk,
    RiskStatus,
    score_band,
)
from .registers import Register, today

PAGE_SIZE = 25


@dataclass
class Row:
    obj: Any
    cells: list[dict[str, Any]]
    flags: list[tuple[str, str]]
    link: str = ""
    can_edit: bool = False
    edit_url: str = ""
    row_url: str = ""

    @property
    def shown(self) -> list[dict[str, Any]]:
        return [c for c in self.cells if not c["detail"]]

    @property
    def details(self) -> list[dict[str, Any]]:
        return [c for c in self.cells if c["detail"] and c["value"]]


def make_row(register: Register, obj: Any, day: Any = None, columns: list | None = None) -> Row:
    cells = [
        {"label": c.label, "value": c.value(obj), "detail": c.detail}
        for c in (register.columns if columns is None else columns)
    ]
    link = register.link(obj) if register.link else ""
    return Row(obj, cells, register.flags(obj, day or today()), link=link)


def filtered_rows(
    register: Register, scope: Programme | Portfolio | None, params: QueryDict
) -> tuple[Any, models.QuerySet, str]:
    """(filter form, filtered and sorted rows, the sort key in force) for a log and its GET."""
    form = register.filter_form(params or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = register.filter(register.rows(scope), data)
    sort = params.get("sort", "")
    keys = {c.sort for c in register.columns if c.sort}
    if sort.lstrip("-") in keys:
        qs = qs.order_by(sort, "pk")
    else:
        sort = ""
        qs = qs.order_by(*register.model._meta.ordering, "pk")
    return form, qs, sort


def register_page(
    register: Register, scope: Programme | Portfolio | None, params: QueryDict
) -> dict[str, Any]:
    form, qs, sort = filtered_rows(register, scope, params)
    page: Page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))
    day = today()
    columns = register.columns_for(scope)
    rows = [make_row(register, obj, day, columns) for obj in page.object_list]
    headers = [
        {
            "label": c.label,
            "sort": c.sort,
            "current": sort.lstrip("-") == c.sort if c.sort else False,
            "descending": sort.startswith("-"),
        }
        for c in columns
        if not c.detail
    ]
    return {
        "register": register,
        "filter_form": form,
        "page": page,
        "rows": rows,
        "headers": headers,
        "sort": sort,
        "total": page.paginator.count,
    }


# --- Heat map -----------------------------------------------------------------------------------
BAND_CLASSES = {
    "High": "app-heat--high",
    "Medium/High": "app-heat--medium-high",
    "Medium": "app-heat--medium",
    "Low": "app-heat--low",
}


def heat_map(risks: models.QuerySet, list_url: str) -> dict[str, Any]:
    """A 5×5 grid of open risks by residual likelihood (rows, 5 at the top) × impact (columns),
    each cell a count, a band and a link to the risk list filtered to that cell. One query."""
    counts = {
        (row["residual_likelihood"], row["residual_impact"]): row["n"]
        for row in risks.filter(status=RiskStatus.OPEN)
        .order_by()
        .values("residual_likelihood", "residual_impact")
        .annotate(n=Count("pk"))
    }
    rows = []
    for likelihood in range(5, 0, -1):
        cells = []
        for impact in range(1, 6):
            band = score_band(likelihood * impact)
            cells.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "count": counts.get((likelihood, impact), 0),
                    "band": band,
                    "css": BAND_CLASSES[band],
                    "url": f"{list_url}?status=open&likelihood={likelihood}&impact={impact}",
                }
            )
        rows.append({"likelihood": likelihood, "cells": cells})
    return {"rows": rows, "impacts": range(1, 6), "total": sum(counts.values())}


# --- Board pack ---------------------------------------------------------------------------------
def board_remit(board: Board) -> models.QuerySet:
    """The programmes a board oversees: STB and the Delivery Board see every programme."""
    if board.sees_whole_portfolio:
        return Programme.objects.all()
    if board.programme_id:
        return Programme.objects.filter(pk=board.programme_id)
    if board.portfolio_id:
        return Programme.objects.filter(portfolio_id=board.portfolio_id)
    return Programme.objects.none()


def board_pack(board: Board) -> dict[str, Any]:
    """Everything the board's next meeting considers, in a fixed number of queries."""
    remit = board_remit(board)
    risks = Risk.objects.open().escalated().select_related("programme", "owner")
    if board.sees_whole_portfolio:
        escalated = risks
    else:
        escalated = risks.filter(
            Q(programme__in=remit) | Q(programme__isnull=True, portfolio_id=board.portfolio_id)
        )
    overdue = Action.objects.overdue().filter(programme__in=remit).with_context()
    change_requests = ChangeRequest.objects.awaiting_board(board).with_context()
    return {
        "board": board,
        "change_requests": list(change_requests),
        # Gate reviews awaiting the board come from the lifecycle (gates) branch: after merging,
        # set this to list(GateReview.objects.awaiting_board(board)).
        "gate_reviews": [],
        "escalated_risks": list(escalated.order_by("-residual_likelihood", "title")),
        "overdue_actions": list(overdue.order_by("due_date", "pk")),
        "today": today(),
    }


# --- My actions ---------------------------------------------------------------------------------
def my_actions(user: User) -> dict[str, Any]:
    actions = list(Action.objects.owned_by(user).outstanding().with_context().order_by("due_date"))
    day = today()
    return {
        "actions": actions,
        "overdue": [a for a in actions if a.is_overdue(day)],
        "today": day,
    }


# --- RACI ---------------------------------------------------------------------------------------
def raci_grid(
    programme: Programme, extra_people: list[str] | None = None, posted: QueryDict | None = None
) -> dict[str, Any]:
    """Activities (rows) × people (columns) with each cell's letter. ``extra_people`` adds
    columns (usernames); ``posted`` shows what was just submitted (when it did not save)."""
    activities = list(
        RaciActivity.objects.filter(programme=programme).prefetch_related(
            Prefetch("cells", queryset=RaciAssignment.objects.select_related("person"))
        )
    )
    people_ids = {programme.manager_id, programme.sro_id} - {None}
    for activity in activities:
        people_ids |= {cell.person_id for cell in activity.cells.all()}
    people = list(
        User.objects.filter(Q(pk__in=people_ids) | Q(username__in=extra_people or []))
        .exclude(groups__name="Scrutiny member")
        .order_by("first_name", "last_name")
    )
    rows = []
    for activity in activities:
        letters = {cell.person_id: cell.role for cell in activity.cells.all()}
        if posted is not None:
            letters = {p.pk: posted.get(f"cell-{activity.pk}-{p.pk}", "") for p in people}
        rows.append(
            {
                "activity": activity,
                "cells": [
                    {
                        "person": p,
                        "role": letters.get(p.pk, ""),
                        "name": f"cell-{activity.pk}-{p.pk}",
                    }
                    for p in people
                ],
            }
        )
    others = (
        User.objects.filter(is_active=True)
        .exclude(pk__in=[p.pk for p in people])
        .exclude(groups__name="Scrutiny member")
        .order_by("first_name", "last_name")
    )
    return {
        "activities": activities,
        "people": people,
        "rows": rows,
        "roles": RaciRole.choices,
        "others": others,
    }

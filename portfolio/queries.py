"""Reads for the portfolio pages.

The programme page gathers the registers other apps keep about a programme through the
reverse relations they declare (risks, benefits, one-off costs), so portfolio imports none of
them: imports flow accounts ← portfolio ← governance, benefits ← dashboard.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from .models import Portfolio, Programme, Stage


def stage_table(programmes: list[Programme]) -> dict[str, Any]:
    """The "Where are we?" table: programmes by stage, grouped by portfolio."""
    portfolios: dict[Portfolio | None, dict[str, list[Programme]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for programme in programmes:
        portfolios[programme.portfolio][programme.stage].append(programme)
    ordered = sorted(portfolios, key=lambda p: (p is None, p.position if p else 0, str(p)))
    return {
        "stages": Stage.pipeline(),
        "rows": [
            {"portfolio": p, "cells": [portfolios[p].get(s, []) for s in Stage.pipeline()]}
            for p in ordered
        ],
        "elsewhere": [p for p in programmes if p.stage not in Stage.pipeline()],
    }


def programme_page(programme: Programme) -> dict[str, Any]:
    """Everything the programme page shows, in a fixed number of queries."""
    milestones = list(programme.milestones.all())
    risks = list(programme.risks.all())
    benefits = list(
        programme.benefits.select_related("owner", "mtfp_line").prefetch_related("profile")
    )
    costs = list(programme.one_off_costs.all())
    cost_totals = programme.one_off_costs.aggregate(budget=Sum("budget"), actual=Sum("actual"))
    return {
        "programme": programme,
        "milestones": milestones,
        "risks": risks,
        "benefits": benefits,
        "one_off_costs": costs,
        "one_off_budget": cost_totals["budget"] or Decimal("0"),
        "one_off_actual": cost_totals["actual"] or Decimal("0"),
    }

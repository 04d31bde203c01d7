"""The roll-up: money and status of the whole portfolio, computed with SQL aggregates.

``rollup_compute()`` reads (it writes nothing) and returns the snapshot's payload and its
normalized rows. Every figure comes from an ORM aggregate grouped in the database (GROUP BY);
Python only merges the already-aggregated groups of three sources — MTFP targets, benefit
profiles and one-off costs — under one key, and never loops over profile rows.

- Targets are those of the current plan (the latest approved plan; the latest plan if none is
  approved), so two plans never count the same year twice.
- Savings are the financial benefits' profiles; a dis-benefit counts against them.
- Variance is forecast less target (negative: short of the target).
- One-off costs are budget (business case) against spend; programme-wide rows have no
  programme.
- Each line of the current plan carries its deliverability rating (the rule in
  benefits/deliverability.py, or the PMO's override), so the dashboard need not re-derive it.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, QuerySet, Sum, When
from django.db.models.functions import Coalesce

from portfolio.models import (
    DeliveryConfidence,
    Directorate,
    HighlightReport,
    Portfolio,
    Programme,
    Stage,
)

from . import deliverability
from .models import (
    BenefitProfile,
    BenefitType,
    MTFPLine,
    MTFPPlan,
    MTFPTarget,
    OneOffCost,
    PlanStatus,
)

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
KEYS = ("portfolio", "programme", "directorate", "category", "mtfp_line", "financial_year")
SAVINGS = ("target", "planned", "forecast", "actual")
COSTS = ("budget", "spend")
MONEY = (*SAVINGS, "variance", *COSTS)
DIMENSIONS = {
    "by_year": ("financial_year",),
    "by_portfolio": ("portfolio", "financial_year"),
    "by_programme": ("programme", "financial_year"),
    "by_directorate": ("directorate", "financial_year"),
    "by_mtfp_line": ("mtfp_line", "financial_year"),
}


def current_plan() -> MTFPPlan | None:
    approved = MTFPPlan.objects.filter(status=PlanStatus.APPROVED).order_by("-first_year", "-pk")
    return approved.first() or MTFPPlan.objects.order_by("-first_year", "-pk").first()


def _money(expression: Any) -> Coalesce:
    return Coalesce(
        Sum(expression, output_field=DecimalField(max_digits=16, decimal_places=2)), ZERO
    )


def _signed(name: str) -> Case:
    """A profile amount, negative for a dis-benefit."""
    return Case(
        When(benefit__type=BenefitType.DIS_BENEFIT, then=-F(name)),
        default=F(name),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )


@dataclass(frozen=True)
class Source:
    """One kind of money row and where its keys live."""

    queryset: QuerySet
    paths: dict[str, str | None]
    sums: dict[str, Any] = field(default_factory=dict)

    def grouped(self, keys: tuple[str, ...]) -> list[dict[str, Any]]:
        if not keys:
            return [self.queryset.aggregate(**self.sums)]
        values = {f"k_{k}": F(self.paths[k]) for k in keys if self.paths[k]}
        rows = self.queryset.values(**values).annotate(**self.sums).order_by()
        return [
            {
                **{k: row.get(f"k_{k}") for k in keys},
                **{name: row[name] for name in self.sums},
            }
            for row in rows
        ]


def _sources(plan: MTFPPlan | None) -> list[Source]:
    targets = MTFPTarget.objects.filter(line__plan=plan) if plan else MTFPTarget.objects.none()
    return [
        Source(
            targets,
            {
                "portfolio": "line__programme__portfolio",
                "programme": "line__programme",
                "directorate": "line__directorate",
                "category": "line__programme__category",
                "mtfp_line": "line",
                "financial_year": "financial_year",
            },
            {"target": _money("amount")},
        ),
        Source(
            BenefitProfile.objects.exclude(benefit__type=BenefitType.NON_FINANCIAL),
            {
                "portfolio": "benefit__programme__portfolio",
                "programme": "benefit__programme",
                "directorate": "benefit__directorate",
                "category": "benefit__programme__category",
                "mtfp_line": "benefit__mtfp_line",
                "financial_year": "financial_year",
            },
            {name: _money(_signed(name)) for name in ("planned", "forecast", "actual")},
        ),
        Source(
            OneOffCost.objects.all(),
            {
                "portfolio": "programme__portfolio",
                "programme": "programme",
                "directorate": "programme__directorate",
                "category": "programme__category",
                "mtfp_line": None,
                "financial_year": "financial_year",
            },
            {"budget": _money("budget"), "spend": _money("actual")},
        ),
    ]


def _finished(merged: dict[tuple, dict[str, Decimal]], keys: tuple[str, ...]) -> list[dict]:
    result = []
    for key in sorted(merged, key=lambda k: tuple((v is None, str(v)) for v in k)):
        amounts = merged[key]
        amounts["variance"] = amounts["forecast"] - amounts["target"]
        result.append({**dict(zip(keys, key, strict=True)), **amounts})
    return result


def money_by(keys: tuple[str, ...], plan: MTFPPlan | None) -> list[dict[str, Any]]:
    """Target, planned, forecast, actual, variance, budget and spend grouped by ``keys``."""
    merged: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(MONEY, ZERO))
    for source in _sources(plan):
        for row in source.grouped(keys):
            key = tuple(row[k] for k in keys)
            for name in source.sums:
                merged[key][name] += row[name]
    return _finished(merged, keys)


def regrouped(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """``money_by(keys)`` computed from the finest groups (``money_by(KEYS)``) without reading
    the database again: sums of already-aggregated groups, never of profile rows."""
    return views_of(rows, {"view": keys})["view"]


def views_of(
    rows: list[dict[str, Any]], views: dict[str, tuple[str, ...]]
) -> dict[str, list[dict[str, Any]]]:
    """Several coarser groupings of the finest groups, in one pass over them.

    The roll-up groups the raw rows once, at the finest grain, and derives its coarser views
    from those groups (make bench: re-running the GROUP BYs for every view cost 8x the floor).
    """
    merged: dict[str, dict[tuple, list[Decimal]]] = {name: {} for name in views}
    getters = [
        (merged[name], (lambda row, keys=keys: tuple(row[k] for k in keys)))
        for name, keys in views.items()
    ]
    summed = (*SAVINGS, *COSTS)
    for row in rows:
        amounts = [row[money] for money in summed]
        for groups, key_of in getters:
            key = key_of(row)
            total = groups.get(key)
            if total is None:
                groups[key] = list(amounts)
            else:
                for i, amount in enumerate(amounts):
                    if amount:
                        total[i] += amount
    for name, keys in views.items():
        if not keys and () not in merged[name]:
            merged[name][()] = [ZERO] * len(summed)  # the totals row always exists
    as_dicts = {
        name: {
            key: {**dict(zip(summed, total, strict=True)), "variance": ZERO}
            for key, total in groups.items()
        }
        for name, groups in merged.items()
    }
    return {name: _finished(as_dicts[name], keys) for name, keys in views.items()}


def stage_counts() -> dict[str, int]:
    """How many programmes are in each stage (every stage listed, zero included)."""
    counted = dict(Programme.objects.order_by().values_list("stage").annotate(n=Count("pk")))
    return {stage.value: counted.get(stage.value, 0) for stage in Stage}


def delivery_confidence_counts() -> dict[str, Any]:
    """Open programmes per delivery confidence of their latest highlight report: in all, and per
    portfolio with the portfolio's mean score (Green 5 … Red 1) for the dashboard's trend line.

    One grouped aggregate over each programme's latest HighlightReport.
    """
    grouped = (
        HighlightReport.objects.latest_per_programme()
        .filter(programme__stage__in=Stage.open_stages())
        .order_by()
        .values_list("programme__portfolio", "delivery_confidence")
        .annotate(n=Count("pk"))
    )
    overall: dict[str, int] = {c.value: 0 for c in DeliveryConfidence}
    by_portfolio: dict[str, dict[str, int]] = defaultdict(dict)
    for portfolio, confidence, count in grouped:
        overall[confidence] += count
        by_portfolio[str(portfolio)][confidence] = count
    mean_score = {
        key: _text(
            (
                Decimal(sum(DeliveryConfidence(c).score * n for c, n in counts.items()))
                / sum(counts.values())
            ).quantize(Decimal("0.01"))
        )
        for key, counts in by_portfolio.items()
    }
    return {"all": overall, "by_portfolio": dict(by_portfolio), "mean_score": mean_score}


def line_deliverability(
    plan: MTFPPlan | None, by_line: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Each line of the plan rated by the one rule (benefits.deliverability), override included.

    ``by_line`` is ``money_by(("mtfp_line",), plan)`` when the caller already has it."""
    if plan is None:
        return []
    if by_line is None:
        by_line = money_by(("mtfp_line",), plan)
    totals = {row["mtfp_line"]: row for row in by_line}
    rated = []
    for line in plan.lines.order_by("pk"):
        total = totals.get(line.pk, dict.fromkeys(MONEY, ZERO))
        rating = deliverability.rate(
            line, target=total["target"], forecast=total["forecast"], actual=total["actual"]
        )
        rated.append(
            {
                "mtfp_line": line.pk,
                "rating": rating.rating.value if rating.rating else None,
                "derived": rating.derived.value if rating.derived else None,
                "overridden": rating.is_overridden,
            }
        )
    return rated


def _labels() -> dict[str, dict[str, str]]:
    return {
        "portfolio": {str(pk): name for pk, name in Portfolio.objects.values_list("pk", "name")},
        "programme": {str(pk): name for pk, name in Programme.objects.values_list("pk", "name")},
        "directorate": {
            str(pk): name for pk, name in Directorate.objects.values_list("pk", "name")
        },
        "mtfp_line": {str(pk): name for pk, name in MTFPLine.objects.values_list("pk", "name")},
    }


def _text(value: Any) -> Any:
    """Money as a string of its Decimal to the penny (never float); anything else as it is."""
    return str(Decimal(value).quantize(PENNY)) if isinstance(value, Decimal) else value


def _json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _text(v) for k, v in row.items()} for row in rows]


def _cost_totals(rows: list[dict[str, Any]], total: dict[str, Decimal]) -> dict[str, Any]:
    """One-off costs in all and programme-wide (no programme), from the finest groups."""
    wide = regrouped([row for row in rows if row["programme"] is None], ())[0]
    return {
        "total": {k: _text(total[k]) for k in ("budget", "spend")},
        "programme_wide": {k: _text(wide[k]) for k in ("budget", "spend")},
    }


@dataclass(frozen=True)
class Rollup:
    payload: dict[str, Any]
    rows: list[dict[str, Any]]

    @property
    def content_hash(self) -> str:
        text = json.dumps(self.payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def rollup_compute() -> Rollup:
    """Everything the snapshot holds, computed before anything is written."""
    plan = current_plan()
    rows = money_by(KEYS, plan)
    views = views_of(rows, {"totals": (), "lines": ("mtfp_line",), **DIMENSIONS})
    payload: dict[str, Any] = {
        "plan": {"id": plan.pk, "name": plan.name} if plan else None,
        "totals": _json(views["totals"])[0],
        **{name: _json(views[name]) for name in DIMENSIONS},
        "one_off_costs": _cost_totals(rows, views["totals"][0]),
        "deliverability": line_deliverability(plan, views["lines"]),
        "stages": stage_counts(),
        "delivery_confidence": delivery_confidence_counts(),
        "labels": _labels(),
    }
    return Rollup(payload=payload, rows=rows)

"""The roll-up: money and status of the whole portfolio, computed with SQL aggregates.

``rollup_compute()`` reads (it writes nothing) and returns the snapshot's payload (headline
figures) and its rows (money at the finest grain: portfolio, programme, directorate, category,
MTFP line and financial year). Every figure comes from an ORM aggregate grouped in the database
(GROUP BY): one query, the grouped rows of three sources — MTFP targets, benefit profiles and
one-off costs — in a UNION ALL. Python adds up only those already-aggregated groups (for the
payload's headline figures), never profile rows.

``rollup_run()`` computes it and stores it as a ``RollupSnapshot`` (idempotent). The Celery task
(tasks.py) runs it; ``services.rollup_request`` asks for that task after a change, so this module
imports neither.

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
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from portfolio.models import (
    DeliveryConfidence,
    HighlightReport,
    Programme,
    Stage,
)

from . import deliverability
from .models import (
    BenefitProfile,
    BenefitType,
    MTFPPlan,
    MTFPTarget,
    OneOffCost,
    PlanStatus,
    RollupRow,
    RollupSnapshot,
    RollupState,
)

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
KEYS = ("portfolio", "programme", "directorate", "category", "mtfp_line", "financial_year")
SAVINGS = ("target", "planned", "forecast", "actual")
COSTS = ("budget", "spend")
MONEY = (*SAVINGS, "variance", *COSTS)
SUMMED = (*SAVINGS, *COSTS)
AMOUNT = DecimalField(max_digits=16, decimal_places=2)


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
    """One kind of money row and where its keys live (``None``: the source has no such key)."""

    queryset: QuerySet
    paths: dict[str, str | None]
    sums: dict[str, Any] = field(default_factory=dict)

    def grouped(self) -> QuerySet:
        """Its money grouped by every key, as (keys…, sums…) in the order of KEYS and SUMMED;
        a key or a sum it has not is NULL (cheaper to fetch than a zero)."""
        keys = {
            f"k_{k}": F(path) if path else Cast(Value(None), IntegerField())
            for k, path in self.paths.items()
        }
        sums = {  # aliased: a model's own field may share a name with a sum ("actual")
            f"m_{name}": self.sums.get(name, Cast(Value(None), AMOUNT)) for name in SUMMED
        }
        return self.queryset.values(**keys).annotate(**sums).order_by().values_list(*keys, *sums)


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


def finest_groups(plan: MTFPPlan | None) -> list[tuple]:
    """Money at the finest grain: one query, the three sources' grouped rows (keys…, sums…) in
    one ``UNION ALL``, ordered by the keys (the same data always hashes the same). A key may
    appear once per source: readers sum."""
    first, *others = (source.grouped() for source in _sources(plan))
    return list(first.union(*others, all=True).order_by(*(f"k_{k}" for k in KEYS)))


def _total(rows: list[tuple]) -> dict[str, Decimal]:
    """Amounts (in the order of SUMMED, NULL for none) added up, with the variance."""
    total = {
        name: sum(filter(None, column), ZERO)
        for name, column in zip(SUMMED, zip(*rows, strict=True), strict=True)
    } if rows else dict.fromkeys(SUMMED, ZERO)  # fmt: skip
    total["variance"] = total["forecast"] - total["target"]
    return total


@dataclass(frozen=True)
class Headlines:
    """The payload's figures, from one pass over the finest groups."""

    by_year: dict[int, dict[str, Decimal]]
    by_line: dict[int, dict[str, Decimal]]
    programme_wide: dict[str, Decimal]
    totals: dict[str, Decimal]

    @classmethod
    def of(cls, groups: list[tuple]) -> Headlines:
        years: dict[int, list[tuple]] = defaultdict(list)
        lines: dict[int, list[tuple]] = defaultdict(list)
        wide: list[tuple] = []
        width, year, line = len(KEYS), KEYS.index("financial_year"), KEYS.index("mtfp_line")
        programme = KEYS.index("programme")
        for group in groups:
            amounts = group[width:]
            years[group[year]].append(amounts)
            if group[line] is not None:
                lines[group[line]].append(amounts)
            if group[programme] is None:
                wide.append(amounts)
        by_year = {year: _total(rows) for year, rows in sorted(years.items())}
        return cls(
            by_year=by_year,
            by_line={pk: _total(rows) for pk, rows in lines.items()},
            programme_wide=_total(wide),
            totals=_total([tuple(t[name] for name in SUMMED) for t in by_year.values()]),
        )


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
    plan: MTFPPlan | None, by_line: dict[int, dict[str, Decimal]]
) -> list[dict[str, Any]]:
    """Each line of the plan rated by the one rule (benefits.deliverability), override included.

    ``by_line`` is each line's money, keyed by the line's id."""
    if plan is None:
        return []
    rated = []
    for line in plan.lines.order_by("pk"):
        total = by_line.get(line.pk, dict.fromkeys(MONEY, ZERO))
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


def _text(value: Any) -> Any:
    """Money as a string of its Decimal to the penny (never float); anything else as it is."""
    return str(Decimal(value).quantize(PENNY)) if isinstance(value, Decimal) else value


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _text(v) for k, v in row.items()}


@dataclass(frozen=True)
class Rollup:
    """The snapshot's payload (headline figures) and its rows (every finest group)."""

    payload: dict[str, Any]
    groups: list[tuple]

    @property
    def rows(self) -> list[dict[str, Any]]:
        width = len(KEYS)
        rows = []
        for group in self.groups:
            row = dict(zip(KEYS, group, strict=False))
            row.update(zip(SUMMED, (amount or ZERO for amount in group[width:]), strict=True))
            row["variance"] = row["forecast"] - row["target"]
            rows.append(row)
        return rows

    @property
    def content_hash(self) -> str:
        """SHA-256 of the payload and every group: the same data gives the same hash."""
        text = json.dumps(
            [self.payload, self.groups],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        return hashlib.sha256(text.encode()).hexdigest()


def rollup_compute() -> Rollup:
    """Everything the snapshot holds, computed before anything is written.

    Coarser views (by portfolio, programme, directorate or MTFP line) are not stored: they are
    one ``GROUP BY`` over the snapshot's rows away (make bench: deriving five of them here in
    Python cost more than the roll-up's own queries)."""
    plan = current_plan()
    groups = finest_groups(plan)
    headlines = Headlines.of(groups)
    payload: dict[str, Any] = {
        "plan": {"id": plan.pk, "name": plan.name} if plan else None,
        "totals": _json(headlines.totals),
        "by_year": [
            _json({"financial_year": year, **total}) for year, total in headlines.by_year.items()
        ],
        "one_off_costs": {
            "total": {k: _text(headlines.totals[k]) for k in COSTS},
            "programme_wide": {k: _text(headlines.programme_wide[k]) for k in COSTS},
        },
        "deliverability": line_deliverability(plan, headlines.by_line),
        "stages": stage_counts(),
        "delivery_confidence": delivery_confidence_counts(),
    }
    return Rollup(payload=payload, groups=groups)


# --- Storing it (the task runs this; services.rollup_request asks for it) -----------------------

ROLLUP_PENDING_KEY = "rollup:pending"


def forget_pending_key() -> None:
    try:
        cache.delete(ROLLUP_PENDING_KEY)
    except Exception:  # the cache is down too: the key expires on its own
        logger.warning("Could not clear %s in the cache.", ROLLUP_PENDING_KEY)


def rollup_run() -> RollupSnapshot:
    """Compute the roll-up and store it; idempotent. Returns the snapshot now current.

    Everything is computed before anything is written, and the write is one transaction, so a
    failed run leaves the last good snapshot in place (and any pending flag set). Same data as
    the latest snapshot: no new snapshot, only its ``checked_at`` moves.
    """
    forget_pending_key()
    rollup = rollup_compute()
    digest = rollup.content_hash
    now = timezone.now()
    with transaction.atomic():
        RollupState.objects.select_for_update().get_or_create(pk=1)
        latest = RollupSnapshot.objects.select_for_update().order_by("-as_of", "-pk").first()
        if latest and latest.content_hash == digest:
            latest.checked_at = now
            latest.save(update_fields=["checked_at"])
            snapshot = latest
        else:
            snapshot = RollupSnapshot.objects.create(
                as_of=now, checked_at=now, content_hash=digest, payload=rollup.payload
            )
            RollupRow.objects.bulk_create(
                RollupRow(
                    snapshot=snapshot,
                    portfolio_id=row["portfolio"],
                    programme_id=row["programme"],
                    directorate_id=row["directorate"],
                    category=row["category"] or "",
                    mtfp_line_id=row["mtfp_line"],
                    financial_year=row["financial_year"],
                    **{name: row[name] for name in RollupRow.MONEY},
                )
                for row in rollup.rows
            )
        RollupState.objects.filter(pk=1).update(pending=False, pending_since=None, last_error="")
    return snapshot

"""The roll-up: money and status of the whole portfolio, computed in one SQL statement.

``rollup_compute()`` reads (it writes nothing) and returns the snapshot's payload (headline
figures) and its rows (money at the finest grain: portfolio, programme, directorate, category,
MTFP line and financial year, one row per key). The money is one statement (``ROLLUP_SQL``,
plain SQL on a plain cursor, the same text on PostgreSQL and SQLite): a CTE over the three
sources (MTFP targets, benefit profiles, one-off costs) grouped by the keys, and in the same
result the headline sums grouped from those rows (by financial year, by MTFP line). Python only
reads the rows psycopg has already typed; on PostgreSQL the statement's transaction sorts in
memory, without hash aggregates or JIT (``TUNING_SQL``, where the figures measured are).

``rollup_run()`` computes it and stores it as a ``RollupSnapshot`` (idempotent): the full run
("Recalculate now", and nightly as ``rollup_nightly()``, which first asserts that the
incremental state equals it). ``rollup_refresh()`` is the incremental run: services write a
``RollupMark`` naming the programme they changed, in their own transaction, and ask for the
refresh task on commit; the refresh replaces only that programme's rows of today's snapshot and
moves the headline sums by the difference (see "Incremental" below). The Celery tasks (tasks.py)
run these; ``services`` asks for them, so this module imports neither. Both also keep the
benefits realisation page's totals (``realisation``: stored by every full run, moved by the
marked programmes' difference, compared by the nightly run).

- Targets are those of the current plan (the latest approved plan; the latest plan if none is
  approved), so two plans never count the same year twice.
- Savings are the financial benefits' profiles; a dis-benefit counts against them.
- Variance is forecast less target (negative: short of the target).
- One-off costs are budget (business case) against spend; programme-wide rows have no
  programme.
- Each line of the current plan carries its deliverability rating (the rule in
  benefits/deliverability.py, or the PMO's override) and its money, so the dashboard need not
  re-derive it and the incremental run can move it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from portfolio.models import (
    DeliveryConfidence,
    Programme,
    Stage,
)

from . import deliverability, realisation
from .models import (
    BenefitType,
    Deliverability,
    MTFPLine,
    MTFPPlan,
    PlanStatus,
    RollupBusinessCase,
    RollupLineTarget,
    RollupMark,
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
ROW = (*KEYS, *MONEY)  # a group (one row of the snapshot), in this order
PROGRAMME = KEYS.index("programme")
YEAR = KEYS.index("financial_year")
LINE = KEYS.index("mtfp_line")
CATEGORY = KEYS.index("category")


def current_plan() -> MTFPPlan | None:
    approved = MTFPPlan.objects.filter(status=PlanStatus.APPROVED).order_by("-first_year", "-pk")
    return approved.first() or MTFPPlan.objects.order_by("-first_year", "-pk").first()


# One statement: the three sources (scoped to everything, one programme, or the rows of no
# programme), grouped by the keys and sorted ("fine"); then the headline rows, marked by a
# portfolio of HEADLINE (no portfolio has that id; their programme column says what they are) so
# they sort last. The money's headline sums come from "mid", one grouping of "fine" by MTFP line,
# whether the row has a programme, and year (103 rows at 5,000 programmes), summed
# again by line and by year: one sort of the groups instead of one per headline. The lines' rows
# are every line of the current plan with its deliverability override (zero where no money
# names it), so the payload's ratings need no query of their own. Each part is
# written in the result's order (fine; then confidence -5, stages -4, lines -3, years -2 and -1,
# each grouped in that order) so the result's ORDER BY finds its input already in order
# (PostgreSQL's sort checks for that first) and costs one comparison a row: with the years
# before the lines, as it was, the check failed and the whole result was sorted again. Each open
# programme's latest highlight report's confidence is read from the programme itself
# (``latest_report_confidence``, kept by ``ProgrammeQuerySet.latest_reports_refresh``), not
# looked up among every report.
# PostgreSQL has GROUPING SETS for the headline sums, but they group the sources (three times the
# rows) rather than "fine", and measured slower; this form runs on SQLite too, so there is one
# statement and no fallback.
ROLLUP_SQL = """
WITH src AS (
    SELECT p.portfolio_id AS portfolio, l.programme_id AS programme,
           l.directorate_id AS directorate, p.category AS category, t.line_id AS mtfp_line,
           t.financial_year AS financial_year, t.amount AS target,
           CAST(NULL AS NUMERIC) AS planned, CAST(NULL AS NUMERIC) AS forecast,
           CAST(NULL AS NUMERIC) AS actual, CAST(NULL AS NUMERIC) AS budget,
           CAST(NULL AS NUMERIC) AS spend
    FROM benefits_mtfptarget t
    JOIN benefits_mtfpline l ON l.id = t.line_id
    LEFT JOIN portfolio_programme p ON p.id = l.programme_id
    WHERE l.plan_id = %(plan)s
      AND (%(everything)s OR l.programme_id = %(programme)s
           OR (%(no_programme)s AND l.programme_id IS NULL))
    UNION ALL
    SELECT p.portfolio_id, b.programme_id, b.directorate_id, p.category, b.mtfp_line_id,
           bp.financial_year, NULL,
           CASE WHEN b.type = %(dis_benefit)s THEN -bp.planned ELSE bp.planned END,
           CASE WHEN b.type = %(dis_benefit)s THEN -bp.forecast ELSE bp.forecast END,
           CASE WHEN b.type = %(dis_benefit)s THEN -bp.actual ELSE bp.actual END,
           NULL, NULL
    FROM benefits_benefitprofile bp
    JOIN benefits_benefit b ON b.id = bp.benefit_id
    JOIN portfolio_programme p ON p.id = b.programme_id
    WHERE b.type <> %(non_financial)s
      AND (%(everything)s OR b.programme_id = %(programme)s)
    UNION ALL
    SELECT p.portfolio_id, c.programme_id, p.directorate_id, p.category, NULL,
           c.financial_year, NULL, NULL, NULL, NULL, c.budget, c.actual
    FROM benefits_oneoffcost c
    LEFT JOIN portfolio_programme p ON p.id = c.programme_id
    WHERE (%(everything)s OR c.programme_id = %(programme)s
           OR (%(no_programme)s AND c.programme_id IS NULL))
),
fine AS (
    SELECT portfolio, programme, directorate, category, mtfp_line, financial_year,
           COALESCE(SUM(target), 0.00) AS target, COALESCE(SUM(planned), 0.00) AS planned,
           COALESCE(SUM(forecast), 0.00) AS forecast, COALESCE(SUM(actual), 0.00) AS actual,
           COALESCE(SUM(forecast), 0.00) - COALESCE(SUM(target), 0.00) AS variance,
           COALESCE(SUM(budget), 0.00) AS budget, COALESCE(SUM(spend), 0.00) AS spend
    FROM src
    GROUP BY portfolio, programme, directorate, category, mtfp_line, financial_year
    ORDER BY portfolio NULLS FIRST, programme NULLS FIRST, directorate NULLS FIRST,
             category NULLS FIRST, mtfp_line NULLS FIRST, financial_year NULLS FIRST
),
mid AS (
    SELECT mtfp_line, CASE WHEN programme IS NULL THEN -2 ELSE -1 END AS sums, financial_year,
           SUM(target) AS target, SUM(planned) AS planned, SUM(forecast) AS forecast,
           SUM(actual) AS actual, SUM(budget) AS budget, SUM(spend) AS spend
    FROM fine
    GROUP BY mtfp_line, CASE WHEN programme IS NULL THEN -2 ELSE -1 END, financial_year
)
SELECT portfolio, programme, directorate, category, mtfp_line, financial_year,
       target, planned, forecast, actual, variance, budget, spend
FROM fine
UNION ALL
SELECT %(headline)s, -5, portfolio, confidence, NULL, NULL, COUNT(*), NULL, NULL, NULL, NULL,
       NULL, NULL
FROM (SELECT p.portfolio_id AS portfolio, p.latest_report_confidence AS confidence
      FROM portfolio_programme p
      WHERE %(everything)s AND p.stage IN (%(open_0)s, %(open_1)s, %(open_2)s, %(open_3)s)
     ) latest
GROUP BY portfolio, confidence
UNION ALL
SELECT %(headline)s, -4, NULL, stage, NULL, NULL, COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL
FROM portfolio_programme
WHERE %(everything)s
GROUP BY stage
UNION ALL
SELECT %(headline)s, -3, NULL, l.rating_override, l.id, NULL, COALESCE(SUM(m.target), 0.00),
       NULL, COALESCE(SUM(m.forecast), 0.00), COALESCE(SUM(m.actual), 0.00), NULL, NULL, NULL
FROM benefits_mtfpline l
LEFT JOIN mid m ON m.mtfp_line = l.id
WHERE l.plan_id = %(plan)s
GROUP BY l.rating_override, l.id
UNION ALL
SELECT %(headline)s, sums, NULL, NULL, NULL, financial_year,
       SUM(target), SUM(planned), SUM(forecast), SUM(actual), NULL, SUM(budget), SUM(spend)
FROM mid
GROUP BY sums, financial_year
ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST, 4 NULLS FIRST, 5 NULLS FIRST,
         6 NULLS FIRST
"""

# PostgreSQL, for the roll-up's transaction only (the honest floor in make bench runs with the
# same): at the default 4MB work_mem the groups' sorts spilled to disk at 5,000 programmes
# ("external merge"); with 64MB alone the planner chose a hash aggregate whose numeric sums
# outgrew it and spilled anyway (floor at 5,000: 1,283 ms untuned, 2,111 ms with 64MB, 1,227 ms
# with 64MB and no hash aggregate; median of 5 alternated runs on a 2-core machine at load 6-10).
# A later run of the same kind put untuned, 8MB and this within
# noise of each other for the statement (5,000: 1,546 / 1,553 / 1,582 ms; 500: 132 / 140 /
# 135 ms) and this best for the floor at 500 (104 ms against 116-122 ms), so it stays: the sorts
# stay in memory as N grows. JIT was not chosen at any N measured; off, it cannot be.
TUNING_SQL = (
    "SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true), "
    "set_config('enable_hashagg', 'off', true)"
)

HEADLINE = 2**62  # the portfolio column of a headline row: no portfolio has that id
# its programme column: a year's sums (of programmes' rows, of the rows of no programme), an MTFP
# line's (its deliverability override in the category column), programmes in a stage (the stage
# in the category column, the count in the target's), open programmes by their latest highlight
# report's delivery confidence (the portfolio in the directorate column, the confidence in the
# category's, the count in the target's): the full run's status counts in the same statement (the
# incremental run skips them)
YEAR_SUMS, NO_PROGRAMME_YEAR_SUMS, LINE_SUMS, STAGES, CONFIDENCE = -1, -2, -3, -4, -5
OPEN_STAGES = [stage.value for stage in Stage.open_stages()]
if len(OPEN_STAGES) != 4:  # pragma: no cover - ROLLUP_SQL names four open_N parameters
    raise RuntimeError("ROLLUP_SQL lists four open stages: give it one open_N per stage.")
EVERYTHING = RollupMark.EVERYTHING
NO_PROGRAMME = RollupMark.NO_PROGRAMME


def sqlite_decimal(value: Any) -> Any:
    """SQLite hands back sums of money as int or float: to the penny, as the ORM would."""
    return None if value is None else Decimal(str(value)).quantize(PENNY)


def rollup_params(plan: MTFPPlan | None, scope: int = EVERYTHING) -> dict[str, Any]:
    """ROLLUP_SQL's parameters. ``scope`` is EVERYTHING, NO_PROGRAMME or a programme's id."""
    return {
        "plan": plan.pk if plan else None,
        "everything": scope == EVERYTHING,
        "no_programme": scope == NO_PROGRAMME,
        "programme": scope if scope > 0 else None,
        "dis_benefit": BenefitType.DIS_BENEFIT.value,
        "non_financial": BenefitType.NON_FINANCIAL.value,
        "headline": HEADLINE,
        **{f"open_{i}": stage for i, stage in enumerate(OPEN_STAGES)},
    }


def rollup_rows(plan: MTFPPlan | None, scope: int = EVERYTHING) -> list[tuple]:
    """The statement's result (keys…, money…): the groups ordered by the keys, then the headline
    rows. ``scope`` is EVERYTHING, NO_PROGRAMME or a programme's id."""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and TUNING_SQL:
            cursor.execute(TUNING_SQL)
        cursor.execute(ROLLUP_SQL, rollup_params(plan, scope))
        rows = cursor.fetchall()
    if connection.vendor != "postgresql":
        width = len(KEYS)
        rows = [(*row[:width], *map(sqlite_decimal, row[width:])) for row in rows]
    return rows


def _split(rows: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """(headline rows, groups): a slice each, no row copied."""
    tail = len(rows)
    while tail and rows[tail - 1][0] == HEADLINE:
        tail -= 1
    return rows[tail:], rows[:tail]


def _zeros() -> dict[str, Decimal]:
    return dict.fromkeys(MONEY, ZERO)


@dataclass(frozen=True)
class Headlines:
    """The payload's sums, read from the statement's headline rows."""

    by_year: dict[int, dict[str, Decimal]]
    by_line: dict[int, dict[str, Decimal]]  # each line of the current plan, by id
    overrides: dict[int, str]  # each line's deliverability override ("": none)
    programme_wide: dict[str, Decimal]
    totals: dict[str, Decimal]

    @classmethod
    def of(cls, rows: list[tuple]) -> Headlines:
        by_year: dict[int, dict[str, Decimal]] = {}
        by_line: dict[int, dict[str, Decimal]] = {}
        overrides: dict[int, str] = {}
        wide = dict.fromkeys(COSTS, ZERO)
        for row in rows:
            if row[PROGRAMME] in (STAGES, CONFIDENCE):
                continue  # status counts: status_counts()
            money = dict(zip(MONEY, row[len(KEYS) :], strict=True))
            if row[PROGRAMME] == LINE_SUMS:  # the override in the category column
                by_line[row[LINE]] = {n: money[n] for n in LINE_MONEY}
                overrides[row[LINE]] = row[CATEGORY]
                continue
            year = by_year.setdefault(row[YEAR], _zeros())
            for name in SUMMED:
                year[name] += money[name]
            if row[PROGRAMME] == NO_PROGRAMME_YEAR_SUMS:
                for name in COSTS:
                    wide[name] += money[name]
        totals = _zeros()
        for year in by_year.values():
            year["variance"] = year["forecast"] - year["target"]
            for name in SUMMED:
                totals[name] += year[name]
        totals["variance"] = totals["forecast"] - totals["target"]
        return cls(
            by_year=dict(sorted(by_year.items())),
            by_line=dict(sorted(by_line.items())),
            overrides=overrides,
            programme_wide=wide,
            totals=totals,
        )


def stage_counts() -> dict[str, int]:
    """How many programmes are in each stage (every stage listed, zero included)."""
    counted = dict(Programme.objects.order_by().values_list("stage").annotate(n=Count("pk")))
    return {stage.value: counted.get(stage.value, 0) for stage in Stage}


def status_counts(rows: list[tuple]) -> dict[str, Any]:
    """The payload's stages (as ``stage_counts()``) and, for open programmes, the delivery
    confidence of each one's latest highlight report (kept on the programme as
    ``latest_report_confidence`` by ``ProgrammeQuerySet.latest_reports_refresh``), in all and per
    portfolio with the portfolio's mean score (Green 5 … Red 1) for the dashboard's trend line;
    from the statement's headline rows, no query of their own."""
    stages = dict.fromkeys((stage.value for stage in Stage), 0)
    grouped = []
    for row in rows:
        if row[PROGRAMME] == STAGES:
            stages[row[CATEGORY]] = int(row[len(KEYS)])
        elif row[PROGRAMME] == CONFIDENCE and row[CATEGORY]:  # "": no report yet
            grouped.append((row[KEYS.index("directorate")], row[CATEGORY], int(row[len(KEYS)])))
    return {"stages": stages, "delivery_confidence": _confidence(grouped)}


def _confidence(grouped: Iterable[tuple[Any, str, int]]) -> dict[str, Any]:
    """(portfolio, confidence, programmes) rows counted in all and per portfolio, with the
    portfolio's mean score."""
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


def _rating(line: int, override: str, money: dict[str, Decimal]) -> dict[str, Any]:
    """An MTFP line's entry in the payload: rated by the one rule, its override winning (only
    the ratings are stored, not who overrode it or why)."""
    rating = deliverability.Rating(
        derived=deliverability.derive(
            target=money["target"], forecast=money["forecast"], actual=money["actual"]
        ),
        override=Deliverability(override) if override else None,
    )
    return {
        "mtfp_line": line,
        "rating": rating.rating.value if rating.rating else None,
        "derived": rating.derived.value if rating.derived else None,
        "overridden": rating.is_overridden,
        **{name: _text(money[name]) for name in LINE_MONEY},
    }


LINE_MONEY = ("target", "forecast", "actual")


def line_deliverability(headlines: Headlines) -> list[dict[str, Any]]:
    """Each line of the current plan, in the order of its id, rated by the one rule
    (benefits.deliverability), override included, with the money it was rated on (its target,
    forecast and actual): from the statement's rows of the plan's lines, no query of its own."""
    return [
        _rating(line, headlines.overrides[line], money) for line, money in headlines.by_line.items()
    ]


def _text(value: Any) -> Any:
    """Money as a string of its Decimal to the penny (never float); anything else as it is."""
    return str(Decimal(value).quantize(PENNY)) if isinstance(value, Decimal) else value


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _text(v) for k, v in row.items()}


def _stored(group: Iterable[Any]) -> tuple:
    """A group as a RollupRow holds it (no category is ``""``), so a computed group and a
    stored row compare and hash alike."""
    row = tuple(group)
    if row[CATEGORY] is None:
        row = (*row[:CATEGORY], "", *row[CATEGORY + 1 :])
    return row


MODULUS = 2**256


def rows_digest(groups: Iterable[Iterable[Any]]) -> int:
    """The sum (mod 2**256) of each row's SHA-256: equal for equal rows in any order, and moved
    by one programme's rows without reading the others'."""
    total = 0
    for group in groups:
        text = "|".join(map(str, _stored(group)))
        total += int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
    return total % MODULUS


def content_hash(payload: dict[str, Any], digest: int) -> str:
    """SHA-256 of the payload and the rows' digest: the same data gives the same hash."""
    text = json.dumps([payload, f"{digest:064x}"], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Rollup:
    """The snapshot's payload (headline figures) and its groups, each (keys…, money…) in the
    order of ROW, ordered by the keys."""

    payload: dict[str, Any]
    groups: list[tuple]

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [dict(zip(ROW, group, strict=True)) for group in self.groups]

    @property
    def digest(self) -> int:
        return rows_digest(self.groups)

    @property
    def content_hash(self) -> str:
        return content_hash(self.payload, self.digest)


def rollup_compute() -> Rollup:
    """Everything the snapshot holds, computed before anything is written.

    Coarser views (by portfolio, programme, directorate or MTFP line) are not stored: they are
    one ``GROUP BY`` over the snapshot's rows away."""
    plan = current_plan()
    headline, groups = _split(rollup_rows(plan))
    headlines = Headlines.of(headline)
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
        "deliverability": line_deliverability(headlines),
        **status_counts(headline),  # the incremental run recounts the stages only
    }
    return Rollup(payload=payload, groups=groups)


# The payload's money: what the incremental run keeps and the nightly run asserts.
MONEY_PARTS = ("plan", "totals", "by_year", "one_off_costs", "deliverability")


# --- Storing it (the tasks run these; services ask for them) ---------------------------------

ROLLUP_PENDING_KEY = "rollup:pending"


class RollupDrift(RuntimeError):
    """The nightly full run found the incremental state different from a full computation."""


def forget_pending_key() -> None:
    try:
        cache.delete(ROLLUP_PENDING_KEY)
    except Exception:  # the cache is down too: the key expires on its own
        logger.warning("Could not clear %s in the cache.", ROLLUP_PENDING_KEY)


def _lock() -> None:
    """Take the roll-up's lock (RollupState's row) for the rest of the transaction: a full run,
    a refresh and the nightly check each compute after taking it, so none stores figures
    computed before another's commit."""
    RollupState.objects.select_for_update().get_or_create(pk=1)


def _latest() -> RollupSnapshot | None:
    return RollupSnapshot.objects.order_by("-as_of", "-pk").first()


def _marks() -> list[tuple[int, int]]:
    return list(RollupMark.objects.order_by("pk").values_list("pk", "programme_key"))


def _done(marks: list[tuple[int, int]]) -> None:
    """Forget the marks this run took in (by id: a mark written meanwhile stays for the next
    run) and any pending flag."""
    if marks:
        RollupMark.objects.filter(pk__in=[pk for pk, _ in marks]).delete()
    RollupState.objects.filter(pk=1).update(pending=False, pending_since=None, last_error="")


def _store(rollup: Rollup, latest: RollupSnapshot | None) -> RollupSnapshot:
    """A new snapshot of ``rollup``, or (same content as the latest) only its ``checked_at``;
    and the benefits realisation totals stored afresh (every full run comes through here)."""
    realisation.realisation_store()
    now = timezone.now()
    digest = rollup.digest
    content = content_hash(rollup.payload, digest)
    if latest and latest.content_hash == content:
        latest.checked_at = now
        latest.save(update_fields=["checked_at"])
        return latest
    snapshot = RollupSnapshot.objects.create(
        as_of=now,
        checked_at=now,
        content_hash=content,
        rows_digest=f"{digest:064x}",
        payload=rollup.payload,
    )
    RollupRow.objects.bulk_create(_row(snapshot, group) for group in rollup.groups)
    aggregates_store(snapshot, rollup.groups)
    return snapshot


def _row(snapshot: RollupSnapshot, group: tuple) -> RollupRow:
    return RollupRow(
        snapshot=snapshot,
        portfolio_id=group[0],
        programme_id=group[1],
        directorate_id=group[2],
        category=group[3] or "",
        mtfp_line_id=group[4],
        financial_year=group[5],
        **dict(zip(MONEY, group[len(KEYS) :], strict=True)),
    )


def rollup_run() -> RollupSnapshot:
    """Compute the roll-up and store it; idempotent. Returns the snapshot now current.

    Everything is computed before anything is written, under the roll-up's lock, and the write
    is one transaction, so a failed run leaves the last good snapshot in place (and any pending
    flag set). Same data as the latest snapshot: no new snapshot, only its ``checked_at`` moves.
    The marks read before computing are taken in: their changes committed before it.
    """
    forget_pending_key()
    with transaction.atomic():
        _lock()
        marks = _marks()
        snapshot = _store(rollup_compute(), _latest())
        _done(marks)
    return snapshot


def rollup_nightly() -> RollupSnapshot:
    """The nightly full run: bring the incremental state up to date (the marks not yet taken
    in), assert that a full computation equals it, row by row and every headline sum, then
    store the full run. On drift the full run's figures are stored (they are right), the
    differences are logged and ``RollupDrift`` is raised once that is committed."""
    forget_pending_key()
    with transaction.atomic():
        _lock()
        marks = _marks()
        latest = _latest()
        if _incremental(latest) and marks:
            latest = _refresh(latest, marks)
        full = rollup_compute()
        drift = (
            _drift(latest, full) + realisation.realisation_drift() if _incremental(latest) else []
        )
        if drift:
            logger.error("The incremental roll-up drifted from the full run: %s", "; ".join(drift))
        snapshot = _store(full, latest)
        if drift and snapshot == latest:  # the same rows and payload: the aggregates drifted
            aggregates_store(snapshot, full.groups)
        _done(marks)
    if drift:
        raise RollupDrift("; ".join(drift))
    return snapshot


def _stored_groups(rows: Any) -> list[tuple]:
    return [tuple(row) for row in rows.values_list(*(f"{k}_id" if k not in (
        "category", "financial_year") else k for k in KEYS), *MONEY)]  # fmt: skip


def _drift(snapshot: RollupSnapshot, full: Rollup) -> list[str]:
    """What differs between a stored snapshot and a full computation (empty: nothing)."""
    differences = []
    stored = Counter(_stored_groups(snapshot.rows.all()))
    computed = Counter(_stored(group) for group in full.groups)
    missing, extra = computed - stored, stored - computed
    if missing or extra:
        differences.append(
            f"{sum(missing.values())} rows missing from the snapshot (e.g. "
            f"{list(missing)[:3]}), {sum(extra.values())} rows it should not hold (e.g. "
            f"{list(extra)[:3]})"
        )
    for part in MONEY_PARTS:
        if snapshot.payload.get(part) != full.payload[part]:
            differences.append(
                f"payload {part}: snapshot {snapshot.payload.get(part)!r}, "
                f"full run {full.payload[part]!r}"
            )
    return differences + aggregates_drift(snapshot, full.groups)


# --- Incremental ------------------------------------------------------------------------------


def rollup_refresh() -> RollupSnapshot | None:
    """Take in the marks: recompute only the marked programmes' rows of today's snapshot and move
    the headline sums by their difference. A full run instead when a mark asks for everything,
    when there is no snapshot of today (a new day starts a new snapshot, so yesterday's keeps its
    figures) or when the current MTFP plan is not the snapshot's."""
    forget_pending_key()
    with transaction.atomic():
        _lock()
        marks = _marks()
        latest = _latest()
        if not marks:
            return latest
        plan = current_plan()
        if (
            not _incremental(latest)
            or any(key == EVERYTHING for _, key in marks)
            or timezone.localdate(latest.as_of) != timezone.localdate()
            or (latest.payload.get("plan") or {}).get("id") != (plan.pk if plan else None)
        ):
            snapshot = _store(rollup_compute(), latest)
        else:
            snapshot = _refresh(latest, marks)
        _done(marks)
    return snapshot


def _incremental(snapshot: RollupSnapshot | None) -> bool:
    """Whether a snapshot can be moved incrementally: one stored since the incremental roll-up
    came (with its rows' digest; an older one is replaced by a full run)."""
    return snapshot is not None and bool(snapshot.rows_digest)


def _programme_rows(snapshot: RollupSnapshot, key: int) -> Any:
    if key == NO_PROGRAMME:
        return snapshot.rows.filter(programme__isnull=True)
    return snapshot.rows.filter(programme_id=key)


def _refresh(snapshot: RollupSnapshot, marks: list[tuple[int, int]]) -> RollupSnapshot:
    """The marked programmes' rows of ``snapshot`` replaced, its headline sums, digest and
    hash moved by the difference; its counts of programmes recomputed. Call under the lock."""
    if any(key == EVERYTHING for _, key in marks):
        return _store(rollup_compute(), snapshot)
    realisation.realisation_refresh(key for _, key in marks)
    plan = current_plan()
    payload = snapshot.payload
    by_year = {
        row["financial_year"]: {name: Decimal(row[name]) for name in SUMMED}
        for row in payload["by_year"]
    }
    lines = {entry["mtfp_line"]: entry for entry in payload["deliverability"]}
    line_money = {
        pk: {name: Decimal(entry[name]) for name in LINE_MONEY} for pk, entry in lines.items()
    }
    wide = {name: Decimal(payload["one_off_costs"]["programme_wide"][name]) for name in COSTS}
    digest = int(snapshot.rows_digest or "0", 16)
    moved_lines: set[int] = set()
    emptied_years: set[int] = set()
    moves: list[tuple[int, list[tuple], list[tuple]]] = []  # for _aggregates_move
    for key in sorted({key for _, key in marks}):
        rows = _programme_rows(snapshot, key)
        old = _stored_groups(rows)
        new = [_stored(group) for group in _split(rollup_rows(plan, key))[1]]
        if sorted(old, key=repr) == sorted(new, key=repr):
            continue
        rows.delete()
        RollupRow.objects.bulk_create(_row(snapshot, group) for group in new)
        moves.append((key, old, new))
        digest = (digest - rows_digest(old) + rows_digest(new)) % MODULUS
        for sign, groups in ((-1, old), (1, new)):
            for group in groups:
                money = dict(zip(MONEY, group[len(KEYS) :], strict=True))
                year = by_year.setdefault(group[YEAR], dict.fromkeys(SUMMED, ZERO))
                for name in SUMMED:
                    year[name] += sign * money[name]
                line = group[LINE]
                if line in line_money:
                    moved_lines.add(line)
                    for name in LINE_MONEY:
                        line_money[line][name] += sign * money[name]
                if group[PROGRAMME] is None:
                    for name in COSTS:
                        wide[name] += sign * money[name]
        emptied_years |= {group[YEAR] for group in old} - {group[YEAR] for group in new}
    _aggregates_move(snapshot, moves)
    for year in emptied_years:  # a year is listed while any row has it
        if not snapshot.rows.filter(financial_year=year).exists():
            by_year.pop(year, None)
    totals = dict.fromkeys(SUMMED, ZERO)
    for year_money in by_year.values():
        for name in SUMMED:
            totals[name] += year_money[name]
    for money in (*by_year.values(), totals):
        money["variance"] = money["forecast"] - money["target"]
    if moved_lines:
        overridden = MTFPLine.objects.filter(pk__in=moved_lines).values_list(
            "pk", "rating_override"
        )
        for line, override in overridden:
            lines[line] = _rating(line, override, line_money[line])
    snapshot.payload = {
        **payload,
        "totals": _json({name: totals[name] for name in MONEY}),
        "by_year": [
            _json({"financial_year": year, **{name: money[name] for name in MONEY}})
            for year, money in sorted(by_year.items())
        ],
        "one_off_costs": {
            "total": {k: _text(totals[k]) for k in COSTS},
            "programme_wide": {k: _text(wide[k]) for k in COSTS},
        },
        "deliverability": [lines[entry["mtfp_line"]] for entry in payload["deliverability"]],
        # A stage move marks its programme; highlight reports mark nothing, so the delivery
        # confidence counts (each open programme's stored latest confidence) move with full runs.
        "stages": stage_counts(),
    }
    snapshot.rows_digest = f"{digest:064x}"
    snapshot.content_hash = content_hash(snapshot.payload, digest)
    snapshot.checked_at = timezone.now()
    snapshot.save(update_fields=["payload", "rows_digest", "content_hash", "checked_at"])
    return snapshot


# --- Kept with the rows for the dashboard: business cases and MTFP lines' targets ------------
# Two small aggregates of a snapshot's rows that the dashboard shows unfiltered: each business
# case (a programme's one-off costs, or the programme-wide ones) and each MTFP line's target with
# the rows naming it. Grouping every row on each fresh render grew with the portfolio (at 5,000
# programmes 76,000 rows); so the runs that write rows write these from the same groups: a full
# run all of them, the incremental run those of the programmes it recomputes. The nightly run
# checks them against the full run's groups like the rest.

BUDGET, SPEND, TARGET = (len(KEYS) + MONEY.index(name) for name in ("budget", "spend", "target"))


def business_cases(groups: Iterable[tuple]) -> dict[int | None, tuple[Decimal, Decimal]]:
    """Each business case's (budget, spend) summed over its groups, by programme (None: the
    programme-wide one): those with a group whose budget or spend is not zero."""
    cases: dict[int | None, tuple[Decimal, Decimal]] = {}
    for group in groups:
        budget, spend = group[BUDGET], group[SPEND]
        if budget or spend:
            key = group[PROGRAMME]
            if key in cases:
                summed = cases[key]
                cases[key] = (summed[0] + budget, summed[1] + spend)
            else:
                cases[key] = (budget, spend)
    return cases


def line_targets(groups: Iterable[tuple]) -> dict[int, tuple[Decimal, int]]:
    """Each MTFP line the groups name: (its target summed over them, how many name it)."""
    lines: dict[int, tuple[Decimal, int]] = {}
    for group in groups:
        line = group[LINE]
        if line is not None:
            target, rows = lines.get(line, (ZERO, 0))
            lines[line] = (target + group[TARGET], rows + 1)
    return lines


def _business_case_rows(
    snapshot: RollupSnapshot, cases: dict[int | None, tuple[Decimal, Decimal]]
) -> None:
    RollupBusinessCase.objects.bulk_create(
        RollupBusinessCase(snapshot=snapshot, programme_id=key, budget=budget, spend=spend)
        for key, (budget, spend) in cases.items()
    )


def aggregates_store(snapshot: RollupSnapshot, groups: list[tuple]) -> None:
    """Write ``snapshot``'s business cases and line targets from its groups (replacing any)."""
    snapshot.business_cases.all().delete()
    snapshot.line_targets.all().delete()
    _business_case_rows(snapshot, business_cases(groups))
    RollupLineTarget.objects.bulk_create(
        RollupLineTarget(snapshot=snapshot, mtfp_line_id=line, target=target, rows=rows)
        for line, (target, rows) in line_targets(groups).items()
    )


def _aggregates_move(
    snapshot: RollupSnapshot, moves: list[tuple[int, list[tuple], list[tuple]]]
) -> None:
    """The incremental run's share: for each recomputed key (a programme, or NO_PROGRAMME) with
    its old and new groups, that key's business case replaced and each line's target and rows
    moved by the difference (a line no row names any more is deleted)."""
    lines: dict[int, list[Any]] = {}
    for key, old, new in moves:
        cases = snapshot.business_cases.all()
        if key == NO_PROGRAMME:
            cases.filter(programme__isnull=True).delete()
        else:
            cases.filter(programme_id=key).delete()
        _business_case_rows(snapshot, business_cases(new))
        for sign, groups in ((-1, old), (1, new)):
            for line, (target, rows) in line_targets(groups).items():
                moved = lines.setdefault(line, [ZERO, 0])
                moved[0] += sign * target
                moved[1] += sign * rows
    lines = {line: moved for line, moved in lines.items() if moved[0] or moved[1]}
    if not lines:
        return
    stored = {t.mtfp_line_id: t for t in snapshot.line_targets.filter(mtfp_line_id__in=lines)}
    created, updated, emptied = [], [], []
    for line, (target, rows) in lines.items():
        entry = stored.get(line) or RollupLineTarget(
            snapshot=snapshot, mtfp_line_id=line, target=ZERO, rows=0
        )
        entry.target += target
        entry.rows += rows
        if entry.rows <= 0:
            if entry.pk:
                emptied.append(entry.pk)
        elif entry.pk:
            updated.append(entry)
        else:
            created.append(entry)
    if emptied:
        RollupLineTarget.objects.filter(pk__in=emptied).delete()
    if updated:
        RollupLineTarget.objects.bulk_update(updated, ["target", "rows"])
    if created:
        RollupLineTarget.objects.bulk_create(created)


def aggregates_drift(snapshot: RollupSnapshot, groups: list[tuple]) -> list[str]:
    """What differs between ``snapshot``'s stored business cases and line targets and those of
    ``groups`` (empty: nothing)."""
    differences = []
    if _keyed(snapshot.business_cases, "programme_id", "budget", "spend") != business_cases(groups):
        differences.append("stored business cases differ from the rows'")
    if _keyed(snapshot.line_targets, "mtfp_line_id", "target", "rows") != line_targets(groups):
        differences.append("stored MTFP line targets differ from the rows'")
    return differences


def _keyed(rows: Any, key: str, *values: str) -> dict[Any, tuple]:
    """Stored ``rows`` as ``{key: (values…)}``, the shape ``business_cases`` and
    ``line_targets`` give."""
    return {first: tuple(rest) for first, *rest in rows.values_list(key, *values)}

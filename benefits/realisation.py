"""The benefits realisation page's totals, kept by the roll-up and read exactly (issue #22).

The page shows, over the benefits of one portfolio or of all of them, how many there are, how
many are still owed after their programme closed, confirmed realised, confirmed not realised and
awaiting the PMO's confirmation, and the baseline, planned, forecast and actual sums of the
financial ones' profiles. ``realisation_computed`` is their definition: two aggregates over the
benefits and their profiles themselves, which grow with the portfolio (make bench: 35 ms at 50
programmes and 107 ms at 5,000 for the page computing them).

So the roll-up keeps them as ``RealisationTotal`` rows: one per programme with a benefit, one per
portfolio (the sum of its programmes' rows) and one for everything. Every full run replaces them
all (``realisation_store``); the incremental run recomputes the marked programmes' rows and moves
their portfolios' and everything's rows by the difference (``realisation_refresh``); the nightly
run asserts that they equal a fresh computation (``realisation_drift``). Whatever changes a
figure marks its programme (``services.rollup_mark``) in its own transaction: a profile saved, a
benefit created, changed, claimed, returned or confirmed, baselines locked or moved, a stage
moved, a programme moved to another portfolio, an onboarding import (which marks everything).

``realisation_totals`` reads them exactly, not as of the last run: the stored sum, less the
stored rows of the programmes whose marks the roll-up has not yet taken in, plus those programmes
computed afresh (their own benefits only). When a full run is owed (a mark for everything, more
than ``MARKED_AT_MOST`` programmes marked, as when the broker has been down, or nothing stored
yet) it computes everything directly, as the page did before; the page caches it either way
(``queries.realisation_summary``).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from portfolio.models import Portfolio, Stage

from .models import (
    Benefit,
    BenefitProfile,
    BenefitStatus,
    BenefitType,
    RealisationClaim,
    RealisationTotal,
    RollupMark,
)

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)
COUNTS = RealisationTotal.COUNTS
MONEY = RealisationTotal.MONEY
FIGURES = (*COUNTS, *MONEY)
SUM, NO_PORTFOLIO, EVERYTHING = (
    RealisationTotal.SUM,
    RealisationTotal.NO_PORTFOLIO,
    RealisationTotal.EVERYTHING,
)
MARKED_AT_MOST = 20  # programmes computed afresh on a request; more: everything computed

Figures = dict[str, Any]


def zeros() -> Figures:
    return {**dict.fromkeys(COUNTS, 0), **dict.fromkeys(MONEY, ZERO)}


def _counts() -> dict[str, Count]:
    confirmed = Q(realisation_confirmed_at__isnull=False)
    return {
        "total": Count("pk"),
        "owed": Count(
            "pk",
            filter=Q(programme__stage=Stage.CLOSED, realisation_confirmed_at__isnull=True)
            & ~Q(status=BenefitStatus.WITHDRAWN),
        ),
        "realised": Count("pk", filter=confirmed & Q(realisation_claim=RealisationClaim.REALISED)),
        "not_realised": Count(
            "pk", filter=confirmed & Q(realisation_claim=RealisationClaim.NOT_REALISED)
        ),
        "awaiting": Count("pk", filter=~confirmed & ~Q(realisation_claim="")),
    }


def _money() -> dict[str, Coalesce]:
    return {name: Coalesce(Sum(name), Value(ZERO), output_field=MONEY_FIELD) for name in MONEY}


def _sources(
    portfolio: Portfolio | None, programmes: Iterable[int] | None
) -> tuple[QuerySet[Benefit], QuerySet[BenefitProfile]]:
    """The benefits the figures count and the profiles they sum (the financial benefits')."""
    benefits = Benefit.objects.all()
    profiles = BenefitProfile.objects.exclude(benefit__type=BenefitType.NON_FINANCIAL)
    if portfolio is not None:
        benefits = benefits.filter(programme__portfolio=portfolio)
        profiles = profiles.filter(benefit__programme__portfolio=portfolio)
    if programmes is not None:
        programmes = list(programmes)
        benefits = benefits.filter(programme_id__in=programmes)
        profiles = profiles.filter(benefit__programme_id__in=programmes)
    return benefits, profiles


def realisation_computed(
    portfolio: Portfolio | None = None, programmes: Iterable[int] | None = None
) -> Figures:
    """The figures over every benefit (of ``portfolio``, of ``programmes`` when given), from
    the benefits and profiles themselves (two queries): the definition the stored rows keep."""
    benefits, profiles = _sources(portfolio, programmes)
    return benefits.aggregate(**_counts()) | profiles.aggregate(**_money())


def _by_programme(programmes: Iterable[int] | None = None) -> dict[int, tuple[int, Figures]]:
    """Each programme with a benefit (of ``programmes`` when given): its portfolio's key and its
    figures (two queries, grouped by programme)."""
    benefits, profiles = _sources(None, programmes)
    found: dict[int, tuple[int, Figures]] = {}
    counted = benefits.order_by().values("programme_id", "programme__portfolio_id")
    for row in counted.annotate(**_counts()):
        figures = zeros() | {name: row[name] for name in COUNTS}
        found[row["programme_id"]] = (row["programme__portfolio_id"] or NO_PORTFOLIO, figures)
    for row in profiles.order_by().values("benefit__programme_id").annotate(**_money()):
        entry = found.get(row["benefit__programme_id"])
        if entry is not None:  # else its first benefit came between the two reads: its mark
            entry[1].update((name, row[name]) for name in MONEY)  # brings it in next run
    return found


def _add(into: Figures, figures: Figures, sign: int = 1) -> None:
    for name in FIGURES:
        into[name] += sign * figures[name]


def figures_of(row: RealisationTotal) -> Figures:
    return {name: getattr(row, name) for name in FIGURES}


def _rows(found: dict[int, tuple[int, Figures]]) -> dict[tuple[int, int], Figures]:
    """The rows the roll-up keeps for ``found`` (every programme): each programme's, each
    portfolio's sum and everything's, keyed by (programme key, portfolio key)."""
    rows: dict[tuple[int, int], Figures] = {(SUM, EVERYTHING): zeros()}
    for programme, (portfolio, figures) in sorted(found.items()):
        rows[(programme, portfolio)] = figures
        _add(rows.setdefault((SUM, portfolio), zeros()), figures)
        _add(rows[(SUM, EVERYTHING)], figures)
    return rows


def realisation_store() -> None:
    """Make the stored rows those of a fresh computation: the full roll-up runs it, under its
    lock and in its transaction. Nothing written when nothing differs (the nightly run, as a
    rule); else every row replaced, in one DELETE (a ``QuerySet.delete()`` would fetch every row
    to send each one's signal to ``core.caching``, 30 s for 5,000 rows on a loaded machine; the
    roll-up's snapshot bumps the cache's generation anyway) and one insert per 1,000 rows."""
    computed = _rows(_by_programme())
    stored = {
        (row.programme_key, row.portfolio_key): figures_of(row)
        for row in RealisationTotal.objects.all()
    }
    if stored == computed:
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM benefits_realisationtotal")
    RealisationTotal.objects.bulk_create(
        (
            RealisationTotal(programme_key=programme, portfolio_key=portfolio, **figures)
            for (programme, portfolio), figures in computed.items()
        ),
        batch_size=1000,
    )


def _stored() -> bool:
    """Whether a full run has stored the rows (everything's row is written by every one)."""
    return RealisationTotal.objects.filter(programme_key=SUM, portfolio_key=EVERYTHING).exists()


def realisation_refresh(programmes: Iterable[int]) -> None:
    """Recompute the rows of ``programmes`` (the marked ones; other keys are ignored) and move
    their portfolios' rows and everything's by the difference: the incremental roll-up runs it,
    under its lock. With nothing stored yet, every row is computed instead."""
    keys = sorted({key for key in programmes if key > 0})
    if not keys:
        return
    if not _stored():
        realisation_store()
        return
    stored = RealisationTotal.objects.filter(programme_key__in=keys)
    old = {row.programme_key: row for row in stored}
    new = _by_programme(keys)
    moves: dict[int, Figures] = {}
    for key in keys:
        was = (old[key].portfolio_key, figures_of(old[key])) if key in old else None
        if was == new.get(key):
            continue
        for sign, entry in ((-1, was), (1, new.get(key))):
            if entry is not None:
                for portfolio in (entry[0], EVERYTHING):
                    _add(moves.setdefault(portfolio, zeros()), entry[1], sign)
    if not moves:
        return
    RealisationTotal.objects.filter(programme_key__in=keys).delete()
    RealisationTotal.objects.bulk_create(
        RealisationTotal(programme_key=key, portfolio_key=portfolio, **figures)
        for key, (portfolio, figures) in new.items()
    )
    sums = {
        row.portfolio_key: row
        for row in RealisationTotal.objects.filter(programme_key=SUM, portfolio_key__in=moves)
    }
    for portfolio, move in sorted(moves.items()):
        row = sums.get(portfolio) or RealisationTotal(programme_key=SUM, portfolio_key=portfolio)
        figures = figures_of(row)
        _add(figures, move)
        if figures["total"] == 0 and portfolio != EVERYTHING:  # as a full run: no benefit, no row
            if row.pk is not None:
                row.delete()
            continue
        for name, value in figures.items():
            setattr(row, name, value)
        row.save()


def realisation_drift() -> list[str]:
    """What differs between the stored rows and a fresh computation (empty: nothing, or nothing
    stored yet); the nightly run calls it after taking in the marks."""
    if not _stored():
        return []
    stored = {
        (row.programme_key, row.portfolio_key): figures_of(row)
        for row in RealisationTotal.objects.all()
    }
    computed = _rows(_by_programme())
    differing = sorted(
        key for key in stored.keys() | computed.keys() if stored.get(key) != computed.get(key)
    )
    if not differing:
        return []
    return [
        f"{len(differing)} benefits realisation totals differ (programme, portfolio), e.g. "
        + "; ".join(
            f"{key}: stored {stored.get(key)}, computed {computed.get(key)}"
            for key in differing[:3]
        )
    ]


def realisation_totals(portfolio: Portfolio | None = None) -> Figures:
    """The page's figures for ``portfolio`` (None: every portfolio), exactly as
    ``realisation_computed`` gives them, from a few stored rows: the stored sum, less the stored
    rows of the programmes the roll-up has still to take in, plus those computed afresh (three
    queries; five with programmes marked). Computed directly when a full run is owed."""
    marked = list(
        RollupMark.objects.order_by()
        .values_list("programme_key", flat=True)
        .distinct()[: MARKED_AT_MOST + 1]
    )
    if RollupMark.EVERYTHING in marked or len(marked) > MARKED_AT_MOST:
        return realisation_computed(portfolio)
    programmes = [key for key in marked if key > 0]
    scope = EVERYTHING if portfolio is None else portfolio.pk
    rows = list(
        RealisationTotal.objects.filter(
            Q(programme_key=SUM, portfolio_key__in={scope, EVERYTHING})
            | Q(programme_key__in=programmes)
        )
    )  # one statement: the sums and the marked programmes' rows as of the same moment
    if not any(row.portfolio_key == EVERYTHING for row in rows):
        return realisation_computed(portfolio)
    totals = zeros()
    for row in rows:
        if row.programme_key == SUM and row.portfolio_key == scope:
            _add(totals, figures_of(row))
        elif row.programme_key != SUM and scope in (EVERYTHING, row.portfolio_key):
            _add(totals, figures_of(row), -1)
    if programmes:
        _add(totals, realisation_computed(portfolio, programmes))
    return totals

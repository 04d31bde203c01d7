"""The risk counts the database keeps (``RiskTally``, moved by the triggers of migration 0024),
against a recount of the risks themselves.

Nothing in the app writes the counts: the triggers do, in the writer's transaction, whatever
path the write takes. This module is the check on them: ``tally_check`` (nightly, the task
``governance.tally_check``) recounts, logs any difference and puts the recount in their place,
so a drift (rows written with the triggers missing or disabled) lasts at most a night.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import Coalesce

from .models import Risk, RiskTally

logger = logging.getLogger(__name__)

Key = tuple[int, str, int, int]  # portfolio_key, status, residual likelihood, residual impact


class TallyDrift(RuntimeError):
    """The kept counts differed from a recount (and were replaced by it)."""


def recount() -> dict[Key, int]:
    """Every risk counted by its tally's key, from the risks (one grouped query)."""
    portfolio_key = Case(
        When(programme__isnull=True, then=Coalesce("portfolio_id", Value(0))),
        default=Coalesce("programme__portfolio_id", Value(0)),
        output_field=IntegerField(),
    )
    rows = (
        Risk.objects.order_by()
        .annotate(key=portfolio_key)
        .values_list("key", "status", "residual_likelihood", "residual_impact")
        .annotate(n=Count("*"))
    )
    return {(key, status, likelihood, impact): n for key, status, likelihood, impact, n in rows}


def kept() -> dict[Key, int]:
    """The counts as the triggers keep them, leaving out those at 0."""
    rows = RiskTally.objects.exclude(n=0).values_list(
        "portfolio_key", "status", "likelihood", "impact", "n"
    )
    return {(key, status, likelihood, impact): n for key, status, likelihood, impact, n in rows}


def tally_drift() -> list[str]:
    """Each count that differs from a recount, as "key: kept K, counted C"."""
    counted, held = recount(), kept()
    return [
        f"portfolio {key[0]} {key[1]} {key[2]}×{key[3]}: kept {held.get(key, 0)},"
        f" counted {counted.get(key, 0)}"
        for key in sorted(counted.keys() | held.keys())
        if counted.get(key, 0) != held.get(key, 0)
    ]


def _lock() -> None:
    """Hold every write to the counts until the transaction ends: a write to a risk that moves
    a count waits, and one not yet committed is waited for, so the recount sees every risk the
    counts will. (SQLite: one writer at a time already.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RiskTally._meta.db_table} IN EXCLUSIVE MODE")


def tally_rebuild() -> None:
    """The counts made a recount of the risks, in one transaction that locks them first."""
    with transaction.atomic():
        _lock()
        counted = recount()
        RiskTally.objects.all().delete()
        RiskTally.objects.bulk_create(
            RiskTally(portfolio_key=key, status=status, likelihood=likelihood, impact=impact, n=n)
            for (key, status, likelihood, impact), n in counted.items()
        )


def tally_check() -> int:
    """The nightly check: the kept counts against a recount. On a difference the differences
    are logged, the recount replaces the counts, and ``TallyDrift`` is raised once that is
    committed (so the task shows as failed). Returns how many counts were compared."""
    with transaction.atomic():
        _lock()
        drift = tally_drift()
        if drift:
            logger.error("The risk counts drifted from a recount: %s", "; ".join(drift))
            tally_rebuild()
        compared = RiskTally.objects.exclude(n=0).count()
    if drift:
        raise TallyDrift("; ".join(drift))
    return compared

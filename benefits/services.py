"""Writes to benefits, one-off costs, the MTFP and the roll-up snapshots.

Every write that changes money or status (or a figure of the benefits realisation totals, which
the roll-up keeps: benefits/realisation.py) calls ``rollup_mark``: in its own transaction it
records which programme's rows of the roll-up it moves (a ``RollupMark``), and once it has
committed it asks for the incremental roll-up (``rollup_request``), which recomputes only the
marked programmes. A burst of requests enqueues one run, and a broker that is down never fails
the save: the marks stay, the request is remembered in ``RollupState.pending`` and the next run
(the next successful enqueue, "Recalculate now" or the nightly run) takes them in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import duty_check
from core.audit import audited
from core.errors import ServiceError, full_clean
from core.limits import SHORT_TEXT
from portfolio.models import Directorate, Programme
from portfolio.periods import FinancialYear

from .models import (
    Benefit,
    BenefitProfile,
    BenefitStatus,
    Deliverability,
    MTFPLine,
    MTFPPlan,
    MTFPTarget,
    OneOffCost,
    RealisationClaim,
    RollupMark,
    RollupSnapshot,
    RollupState,
)
from .rollup import ROLLUP_PENDING_KEY, forget_pending_key
from .tasks import rollup_refresh_task

logger = logging.getLogger(__name__)


# --- Benefits -------------------------------------------------------------------------------


BENEFIT_FIELDS = (
    "title", "description", "type", "owner", "directorate", "measure", "baseline", "target",
    "status", "mtfp_line",
)  # fmt: skip


@transaction.atomic
@audited
def benefit_create(*, programme: Programme, actor: User, **fields: object) -> Benefit:
    benefit = Benefit(programme=programme, **{k: fields[k] for k in BENEFIT_FIELDS if k in fields})
    duty_check(person=benefit.owner, duty="owner", field="owner")
    full_clean(benefit)
    benefit.save()
    rollup_mark(programmes=[benefit.programme_id])
    return benefit


@transaction.atomic
@audited
def benefit_update(*, benefit: Benefit, actor: User, **fields: object) -> Benefit:
    benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
    owner_was = benefit.owner_id
    for name in BENEFIT_FIELDS:
        if name in fields:
            setattr(benefit, name, fields[name])
    duty_check(person=benefit.owner, duty="owner", field="owner", was_id=owner_was)
    full_clean(benefit)
    benefit.save()
    rollup_mark(programmes=[benefit.programme_id])
    return benefit


@dataclass(frozen=True)
class ProfileRow:
    financial_year: int
    planned: Decimal
    forecast: Decimal
    actual: Decimal


@transaction.atomic
@audited
def benefit_profile_save(
    *, benefit: Benefit, rows: Iterable[ProfileRow], actor: User
) -> list[BenefitProfile]:
    """Write the whole profile grid of a financial benefit at once (validated by the form)."""
    benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
    if not benefit.is_financial:
        raise ServiceError("A non-financial benefit has a measure and target, not money.")
    rows = list(rows)
    if benefit.programme.baselines_locked:
        stored = {p.financial_year: p.planned for p in benefit.profile.all()}
        _refuse_baseline_moves(
            {row.financial_year: row.planned for row in rows}, stored, "planned benefit"
        )
    saved = []
    for row in rows:
        profile, _ = BenefitProfile.objects.update_or_create(
            benefit=benefit,
            financial_year=row.financial_year,
            defaults={"planned": row.planned, "forecast": row.forecast, "actual": row.actual},
        )
        saved.append(profile)
    rollup_mark(programmes=[benefit.programme_id])
    return saved


@transaction.atomic
@audited
def benefit_realisation_claim(
    *, benefit: Benefit, claim: RealisationClaim | str, note: str, actor: User
) -> Benefit:
    """The owner (or the programme team, or the PMO) says the benefit was realised, with the
    evidence, or was not, with the reason. It stays on the owner's list until the PMO
    confirms."""
    benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
    if benefit.realisation_confirmed_at is not None:
        raise ServiceError(
            f"“{benefit.title}” is already confirmed {benefit.get_realisation_claim_display()}."
        )
    if benefit.status == BenefitStatus.WITHDRAWN:
        raise ServiceError(f"“{benefit.title}” was withdrawn: it cannot be realised.")
    claim = RealisationClaim(claim)
    if not note.strip():
        what = (
            "evidence that it was realised"
            if claim == RealisationClaim.REALISED
            else ("reason it was not realised")
        )
        raise ServiceError({"note": f"Give the {what}"})
    benefit.realisation_claim = claim
    benefit.realisation_note = note.strip()
    benefit.realisation_claimed_by = actor
    benefit.realisation_claimed_at = timezone.now()
    benefit.save(update_fields=[
        "realisation_claim", "realisation_note", "realisation_claimed_by",
        "realisation_claimed_at",
    ])  # fmt: skip
    rollup_mark(programmes=[benefit.programme_id])  # the realisation totals count the claims
    return benefit


@transaction.atomic
@audited
def benefit_realisation_confirm(
    *, benefit: Benefit, confirm: bool, actor: User, reason: str = ""
) -> Benefit:
    """The PMO confirms the owner's claim (the benefit leaves the owner's list, its status
    becomes Realised or Not realised), or returns it to the owner with the reason."""
    benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
    if not benefit.realisation_claim:
        raise ServiceError(f"The owner of “{benefit.title}” has not said whether it was realised.")
    if benefit.realisation_confirmed_at is not None:
        raise ServiceError(f"“{benefit.title}” is already confirmed.")
    if not confirm:
        if not reason.strip():
            raise ServiceError({"reason": "Give the reason for returning it to the owner"})
        benefit.realisation_note = (
            f"{benefit.realisation_note}\n\nReturned by the PMO: {reason.strip()}"
        )[:SHORT_TEXT]
        benefit.realisation_claim = ""
        benefit.save(update_fields=["realisation_claim", "realisation_note"])
        rollup_mark(programmes=[benefit.programme_id])
        return benefit
    benefit.realisation_confirmed_by = actor
    benefit.realisation_confirmed_at = timezone.now()
    benefit.status = (
        BenefitStatus.REALISED
        if benefit.realisation_claim == RealisationClaim.REALISED
        else BenefitStatus.NOT_REALISED
    )
    benefit.save(update_fields=["realisation_confirmed_by", "realisation_confirmed_at", "status"])
    rollup_mark(programmes=[benefit.programme_id])
    return benefit


def _override(obj: Benefit | MTFPLine, rating: str, reason: str, actor: User) -> None:
    if rating and not reason.strip():
        raise ServiceError({"reason": "Give the reason for overriding the rating."})
    obj.rating_override = rating
    obj.rating_override_reason = reason.strip() if rating else ""
    obj.rating_override_by = actor if rating else None
    obj.rating_override_at = timezone.now() if rating else None
    obj.save(
        update_fields=[
            "rating_override", "rating_override_reason", "rating_override_by",
            "rating_override_at",
        ]
    )  # fmt: skip


@transaction.atomic
@audited
def benefit_deliverability_override(
    *, benefit: Benefit, rating: Deliverability | str, reason: str, actor: User
) -> Benefit:
    """Set (or with an empty rating, clear) the PMO's override of a benefit's rating."""
    benefit = Benefit.objects.select_for_update().get(pk=benefit.pk)
    _override(benefit, rating, reason, actor)
    rollup_mark(programmes=[benefit.programme_id])
    return benefit


@transaction.atomic
@audited
def mtfp_line_deliverability_override(
    *, line: MTFPLine, rating: Deliverability | str, reason: str, actor: User
) -> MTFPLine:
    line = MTFPLine.objects.select_for_update().get(pk=line.pk)
    _override(line, rating, reason, actor)
    rollup_mark(everything=True)  # a rating, not money: rare
    return line


# --- One-off costs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CostRow:
    financial_year: int
    budget: Decimal
    actual: Decimal


def baseline_moves(posted: dict[int, Decimal], stored: dict[int, Decimal]) -> list[int]:
    """The years whose baseline ``posted`` would change (a new year counts if it is not 0)."""
    return sorted(y for y, amount in posted.items() if amount != stored.get(y, Decimal("0")))


def _refuse_baseline_moves(
    posted: dict[int, Decimal], stored: dict[int, Decimal], what: str
) -> None:
    moved = baseline_moves(posted, stored)
    if moved:
        years = ", ".join(FinancialYear(y).label for y in moved)
        raise ServiceError(
            f"The {what} for {years} is a baseline agreed when the Full Brief was approved: "
            "raise a change request to change it."
        )


@transaction.atomic
@audited
def one_off_costs_save(
    *, programme: Programme, rows: Iterable[CostRow], actor: User
) -> list[OneOffCost]:
    """Write a programme's one-off cost grid (budget and actual per financial year) at once."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    rows = list(rows)
    if programme.baselines_locked:
        stored = {c.financial_year: c.budget for c in programme.one_off_costs.all()}
        _refuse_baseline_moves(
            {row.financial_year: row.budget for row in rows}, stored, "one-off cost budget"
        )
    saved = []
    for row in rows:
        cost, _ = OneOffCost.objects.update_or_create(
            programme=programme,
            financial_year=row.financial_year,
            defaults={"budget": row.budget, "actual": row.actual},
        )
        saved.append(cost)
    rollup_mark(programmes=[programme.pk])
    return saved


# --- MTFP ------------------------------------------------------------------------------------


@transaction.atomic
@audited
def mtfp_targets_save(
    *, plan: MTFPPlan, amounts: dict[tuple[int, int], Decimal], actor: User
) -> int:
    """Write the plan's target grid: ``amounts`` maps (line id, financial year) to pounds."""
    plan = MTFPPlan.objects.select_for_update().get(pk=plan.pk)
    lines = set(plan.lines.values_list("pk", flat=True))
    for (line_id, year), amount in amounts.items():
        if line_id not in lines or not plan.first_year <= year <= plan.last_year:
            raise ServiceError(f"Line {line_id} in {year} is not part of {plan}.")
        MTFPTarget.objects.update_or_create(
            line_id=line_id, financial_year=year, defaults={"amount": amount}
        )
    rollup_mark(
        programmes=set(
            plan.lines.filter(pk__in={k for k, _ in amounts}).values_list("programme_id", flat=True)
        )
    )
    return len(amounts)


@dataclass(frozen=True)
class TargetImportRow:
    line: str
    directorate: Directorate | None
    programme: Programme | None
    financial_year: int
    amount: Decimal


@transaction.atomic
@audited
def mtfp_import(*, plan: MTFPPlan, rows: list[TargetImportRow], actor: User) -> int:
    """Import validated target rows, all or nothing: lines matched by name, targets replaced."""
    plan = MTFPPlan.objects.select_for_update().get(pk=plan.pk)
    for row in rows:
        line, created = MTFPLine.objects.get_or_create(
            plan=plan,
            name=row.line,
            defaults={"directorate": row.directorate, "programme": row.programme},
        )
        if not created and (line.directorate, line.programme) != (row.directorate, row.programme):
            line.directorate, line.programme = row.directorate, row.programme
            line.save(update_fields=["directorate", "programme"])
        MTFPTarget.objects.update_or_create(
            line=line, financial_year=row.financial_year, defaults={"amount": row.amount}
        )
    rollup_mark(everything=True)  # lines may move between programmes
    return len(rows)


# --- The roll-up -----------------------------------------------------------------------------


def rollup_mark(*, programmes: Iterable[int | None] = (), everything: bool = False) -> None:
    """Record in the caller's transaction which rows of the roll-up a change moves, and ask for
    the incremental roll-up once it commits. ``programmes`` are programme ids (``None``: the rows
    of no programme, directorate lines' targets and programme-wide costs); ``everything``
    asks for a full run. The marks are rows, so a change is never forgotten: a broker or worker
    that is down leaves them for the next run."""
    keys = (
        {RollupMark.EVERYTHING}
        if everything
        else {RollupMark.NO_PROGRAMME if pk is None else pk for pk in programmes}
    )
    RollupMark.objects.bulk_create(RollupMark(programme_key=key) for key in sorted(keys))
    transaction.on_commit(rollup_request)


def rollup_request() -> None:
    """Ask for the incremental roll-up soon (``tasks.rollup_refresh_task``, which takes in the
    marks). Call it with ``transaction.on_commit``; it never raises.

    A burst of requests enqueues one run: the first sets ``rollup:pending`` in the cache and
    enqueues the task with a countdown; the task clears the key when it starts. If the cache or
    the broker is unreachable the failure is logged and ``RollupState.pending`` is set, so the
    next run catches up.
    """
    added = False
    try:
        added = cache.add(ROLLUP_PENDING_KEY, "1", timeout=settings.ROLLUP_COALESCE_SECONDS * 12)
        if added:
            rollup_refresh_task.apply_async(countdown=settings.ROLLUP_COALESCE_SECONDS)
    except Exception as error:  # the broker or cache is down: the save must still succeed
        logger.warning("Could not enqueue the roll-up (%s); marked as pending.", error)
        if added:
            forget_pending_key()
        rollup_mark_pending(error=f"{type(error).__name__}: {error}")


def rollup_mark_pending(*, error: str = "") -> None:
    RollupState.objects.update_or_create(
        pk=1, defaults={"pending": True, "pending_since": timezone.now(), "last_error": error}
    )


def rollup_latest() -> RollupSnapshot | None:
    return RollupSnapshot.objects.order_by("-as_of", "-pk").first()

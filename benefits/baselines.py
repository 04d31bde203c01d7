"""Baselines: Gate 3 locks each benefit's planned profile as its baseline; after that only the
writes an approved change request makes move it (and the one-off cost budgets).

Each change returns the value before and after, so the caller can record both. Rows are locked
while they change so two approvals cannot interleave.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.audit import audited
from portfolio.models import Programme

from .models import Benefit, BenefitProfile, BenefitStatus, OneOffCost
from .services import rollup_mark


@transaction.atomic
@audited
def one_off_budget_set(
    *, programme: Programme, financial_year: int, budget: Decimal, actor: User
) -> tuple[Decimal, Decimal]:
    """Set a programme's one-off cost budget for a financial year; returns (before, after)."""
    cost, _ = OneOffCost.objects.select_for_update().get_or_create(
        programme=programme, financial_year=financial_year
    )
    before = cost.budget
    cost.budget = budget
    cost.save(update_fields=["budget"])
    rollup_mark(programmes=[programme.pk])
    return before, cost.budget


@transaction.atomic
@audited
def benefit_planned_set(
    *, benefit: Benefit, financial_year: int, planned: Decimal, actor: User
) -> tuple[Decimal, Decimal]:
    """Set a benefit's planned value for a financial year; returns (before, after)."""
    profile, _ = BenefitProfile.objects.select_for_update().get_or_create(
        benefit=benefit, financial_year=financial_year
    )
    before = profile.planned
    profile.planned = planned
    profile.baseline = planned
    profile.save(update_fields=["planned", "baseline"])
    rollup_mark(programmes=[benefit.programme_id])
    return before, profile.planned


@transaction.atomic
@audited
def benefit_baselines_lock(*, programme: Programme, actor: User) -> int:
    """Gate 3 approved the Full Brief: each benefit's planned profile becomes its baseline
    (financial benefits; withdrawn ones left out). Returns how many years were locked."""
    benefits = Benefit.objects.select_for_update().filter(programme=programme).financial()
    locked = 0
    now = timezone.now()
    for benefit in benefits.exclude(status=BenefitStatus.WITHDRAWN):
        for profile in benefit.profile.select_for_update():
            profile.baseline = profile.planned
            profile.save(update_fields=["baseline"])
            locked += 1
        benefit.baselined_at = now
        benefit.save(update_fields=["baselined_at"])
    rollup_mark(programmes=[programme.pk])  # the realisation totals sum the baselines
    return locked

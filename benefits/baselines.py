"""Baseline writes an approved change request makes to the money registers.

Each returns the value before and after, so the caller can record both. Rows are locked while
they change so two approvals cannot interleave.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from accounts.models import User
from core.audit import audited
from portfolio.models import Programme

from .models import Benefit, BenefitProfile, OneOffCost
from .services import rollup_request


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
    transaction.on_commit(rollup_request)
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
    profile.save(update_fields=["planned"])
    transaction.on_commit(rollup_request)
    return before, profile.planned

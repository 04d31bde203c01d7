"""Reads for the benefits, one-off costs and MTFP pages, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict

from django.core.paginator import Page, Paginator
from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from core import caching
from portfolio.models import Portfolio, Programme, ProgrammeQuerySet, Stage
from portfolio.periods import FinancialYear

from . import deliverability, finance
from .models import (
    Benefit,
    BenefitProfile,
    BenefitQuerySet,
    BenefitType,
    MTFPLine,
    MTFPPlan,
    OneOffCost,
)
from .realisation import realisation_totals
from .services import rollup_latest

ZERO = Decimal("0")


@dataclass(frozen=True)
class Totals:
    planned: Decimal = ZERO
    forecast: Decimal = ZERO
    actual: Decimal = ZERO


def benefit_totals(benefit: Benefit) -> Totals:
    """Sums of a benefit's prefetched profile (rows already loaded with the register)."""
    rows = list(benefit.profile.all())
    return Totals(
        planned=sum((r.planned for r in rows), ZERO),
        forecast=sum((r.forecast for r in rows), ZERO),
        actual=sum((r.actual for r in rows), ZERO),
    )


def benefit_rating(benefit: Benefit) -> deliverability.Rating:
    """A benefit is rated against its own planned profile (its target in pounds)."""
    if not benefit.is_financial:
        return deliverability.rate(benefit, target=ZERO, forecast=ZERO, actual=ZERO)
    totals = benefit_totals(benefit)
    return deliverability.rate(
        benefit, target=totals.planned, forecast=totals.forecast, actual=totals.actual
    )


def log_page(programme: Programme) -> dict[str, Any]:
    benefits = list(Benefit.objects.for_programme(programme).with_register())
    entries = [
        {"benefit": b, "totals": benefit_totals(b), "rating": benefit_rating(b)} for b in benefits
    ]
    financial = [e for e in entries if e["benefit"].is_financial]
    return {
        "programme": programme,
        "financial": financial,
        "non_financial": [e for e in entries if not e["benefit"].is_financial],
        "totals": Totals(
            planned=sum((e["totals"].planned for e in financial), ZERO),
            forecast=sum((e["totals"].forecast for e in financial), ZERO),
            actual=sum((e["totals"].actual for e in financial), ZERO),
        ),
    }


def benefit_years(benefit: Benefit, today_year: int) -> range:
    """The grid's years: the plan's, or the benefit's span (its rows, this year and four more)."""
    line = benefit.mtfp_line  # None without a query when the benefit has no line
    if line is not None:
        plan = line.plan
        return range(plan.first_year, plan.last_year + 1)
    years = [row.financial_year for row in benefit.profile.all()] or [today_year]
    return range(min([*years, today_year]), max([*years, today_year + 4]) + 1)


MY_BENEFITS_PAGE = 25


def _profile_sum(column: str) -> Coalesce:
    """One benefit's profile ``column`` summed, as a correlated subquery rather than a join and
    GROUP BY: PostgreSQL evaluates it only for the rows of the page (after the sort and LIMIT),
    and the page's count needs no join (make bench: summing the profiles of every benefit a
    person owns grew with the portfolio)."""
    summed = (
        BenefitProfile.objects.filter(benefit=OuterRef("pk"))
        .order_by()
        .values("benefit")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=MONEY), Value(ZERO), output_field=MONEY)


def my_benefits(user: User, page_number: str | None = None) -> dict[str, Any]:
    """The benefits a person owns that are still tracked (during the programme and after its
    closure, until the PMO confirms them realised or not realised), a page at a time, each with
    its profile's totals summed in SQL and its deliverability rating (three queries, however
    many benefits and years)."""
    benefits = (
        Benefit.objects.owned_by(user)
        .still_tracked()
        .select_related(
            "programme", "owner", "directorate", "mtfp_line__plan", "rating_override_by"
        )
        .annotate(
            planned_total=_profile_sum("planned"),
            forecast_total=_profile_sum("forecast"),
            actual_total=_profile_sum("actual"),
        )
        .order_by("programme__name", "title", "pk")
    )
    page: Page = Paginator(benefits, MY_BENEFITS_PAGE).get_page(page_number)
    entries = []
    for b in page.object_list:
        totals = Totals(planned=b.planned_total, forecast=b.forecast_total, actual=b.actual_total)
        if b.is_financial:
            rating = deliverability.rate(
                b, target=totals.planned, forecast=totals.forecast, actual=totals.actual
            )
        else:
            rating = deliverability.rate(b, target=ZERO, forecast=ZERO, actual=ZERO)
        entries.append({"benefit": b, "totals": totals, "rating": rating})
    return {"page": page, "entries": entries}


def my_confirmed_benefits(user: User) -> int:
    return Benefit.objects.owned_by(user).filter(realisation_confirmed_at__isnull=False).count()


MONEY = DecimalField(max_digits=16, decimal_places=2)


def realisation_programmes(
    portfolio: Portfolio | None = None, owed: bool = False
) -> ProgrammeQuerySet:
    """The programmes the benefits realisation view walks, by portfolio and name: the view is
    paged by programme, so a page and the count for its links read programmes, not every
    benefit (make bench: sorting all 50,000 benefits by portfolio and programme for a page of 25
    grew with the portfolio). With ``owed``, the closed programmes with a benefit still owed."""
    programmes = Programme.objects.select_related("portfolio").in_portfolio(portfolio)
    if owed:
        programmes = programmes.filter(stage=Stage.CLOSED).filter(
            Exists(Benefit.objects.owed_after_closure().filter(programme=OuterRef("pk")))
        )
    return programmes.order_by("portfolio__position", "name", "pk")


def realisation(programmes: list[Programme], owed: bool = False) -> BenefitQuerySet:
    """The benefits of ``programmes`` with their baseline (locked at Gate 3), planned, forecast
    and actual totals over their profiles, by title: a page of the benefits realisation view.
    The totals are per-row subqueries over the page's own benefits."""
    benefits = Benefit.objects.filter(programme__in=programmes).select_related(
        "owner", "realisation_confirmed_by"
    )
    if owed:
        benefits = benefits.owed_after_closure()
    return benefits.annotate(
        baseline_total=_profile_sum("baseline"),
        planned_total=_profile_sum("planned"),
        forecast_total=_profile_sum("forecast"),
        actual_total=_profile_sum("actual"),
    ).order_by("title", "pk")


def realisation_page(
    portfolio: Portfolio | None, owed: bool, page_number: str | None, per_page: int
) -> tuple[Page, list[tuple[Programme, list[Benefit]]]]:
    """A page of the benefits realisation view: ``per_page`` programmes, each with its benefits
    (all, or those still owed), in three queries whatever the size of the portfolio."""
    page = Paginator(realisation_programmes(portfolio, owed), per_page).get_page(page_number)
    programmes = list(page.object_list)
    benefits: dict[int, list[Benefit]] = defaultdict(list)
    for benefit in realisation(programmes, owed):
        benefits[benefit.programme_id].append(benefit)
    groups = []
    for programme in programmes:
        for benefit in benefits[programme.pk]:
            benefit.programme = programme  # the page's programme: no query per benefit
        groups.append((programme, benefits[programme.pk]))
    return page, groups


def realisation_summary(portfolio: Portfolio | None = None) -> dict[str, Any]:
    """The benefits realisation page's totals (``realisation_totals``: exact, from the rows the
    roll-up keeps), kept by ``core.caching`` until anything is saved: a few stored rows usually,
    every benefit and profile while a full roll-up is owed."""
    scope = "-" if portfolio is None else str(portfolio.pk)
    return caching.cached(
        "benefits:realisation-totals", [scope], lambda: realisation_totals(portfolio)
    )


# --- One-off costs and the business case ----------------------------------------------------


def programme_business_case(programme: Programme) -> dict[str, Any]:
    """Investment (one-off cost budget) by year against planned savings by year: ROI, payback."""
    costs = list(OneOffCost.objects.filter(programme=programme).order_by("financial_year"))
    savings = dict(
        BenefitProfile.objects.filter(benefit__programme=programme)
        .exclude(benefit__type__in=[BenefitType.NON_FINANCIAL, BenefitType.DIS_BENEFIT])
        .order_by()
        .values_list("financial_year")
        .annotate(total=Coalesce(Sum("planned"), ZERO))
    )
    investment = {c.financial_year: c.budget for c in costs}
    return {
        "costs": costs,
        "budget": sum((c.budget for c in costs), ZERO),
        "spend": sum((c.actual for c in costs), ZERO),
        "case": finance.business_case(investment=investment, savings=savings),
        "has_money": bool(costs or savings),
    }


def business_cases(programme_ids: list[int]) -> dict[int, finance.BusinessCase]:
    """Each programme's business case (as programme_business_case) in two queries, for lists
    such as a board pack."""
    costs: dict[int, dict[int, Decimal]] = {pk: {} for pk in programme_ids}
    savings: dict[int, dict[int, Decimal]] = {pk: {} for pk in programme_ids}
    for pk, year, budget in OneOffCost.objects.filter(programme_id__in=programme_ids).values_list(
        "programme_id", "financial_year", "budget"
    ):
        costs[pk][year] = costs[pk].get(year, ZERO) + budget
    planned = (
        BenefitProfile.objects.filter(benefit__programme_id__in=programme_ids)
        .exclude(benefit__type__in=[BenefitType.NON_FINANCIAL, BenefitType.DIS_BENEFIT])
        .order_by()
        .values_list("benefit__programme_id", "financial_year")
        .annotate(total=Coalesce(Sum("planned"), ZERO))
    )
    for pk, year, total in planned:
        savings[pk][year] = total
    return {
        pk: finance.business_case(investment=costs[pk], savings=savings[pk]) for pk in programme_ids
    }


# --- MTFP -----------------------------------------------------------------------------------


class MTFPAmounts(TypedDict):
    target: Decimal
    forecast: Decimal
    actual: Decimal


class MTFPCell(MTFPAmounts):
    """One MTFP line's target and savings in one financial year."""

    year: FinancialYear


class MTFPLineEntry(TypedDict):
    line: MTFPLine
    cells: list[MTFPCell]
    total: MTFPAmounts
    rating: deliverability.Rating


def plan_list() -> list[dict[str, Any]]:
    plans = list(MTFPPlan.objects.all())
    targets = dict(
        MTFPPlan.objects.order_by()
        .values_list("pk")
        .annotate(total=Coalesce(Sum("lines__targets__amount"), ZERO))
    )
    return [{"plan": p, "target": targets.get(p.pk, ZERO)} for p in plans]


def plan_page(plan: MTFPPlan) -> dict[str, Any]:
    """Lines with their target per year, savings against them, and the deliverability rating."""
    lines = list(
        plan.lines.select_related(
            "directorate", "programme", "rating_override_by"
        ).prefetch_related("targets")
    )
    savings: dict[int, dict[int, Totals]] = defaultdict(dict)
    for row in (
        BenefitProfile.objects.filter(benefit__mtfp_line__plan=plan)
        .exclude(benefit__type=BenefitType.NON_FINANCIAL)
        .order_by()
        .values("benefit__mtfp_line", "financial_year")
        .annotate(forecast=Sum("forecast"), actual=Sum("actual"), planned=Sum("planned"))
    ):
        savings[row["benefit__mtfp_line"]][row["financial_year"]] = Totals(
            planned=row["planned"] or ZERO,
            forecast=row["forecast"] or ZERO,
            actual=row["actual"] or ZERO,
        )
    years = plan.financial_years
    entries: list[MTFPLineEntry] = []
    for line in lines:
        targets = {t.financial_year: t.amount for t in line.targets.all()}
        line_savings = savings.get(line.pk, {})
        cells: list[MTFPCell] = []
        for year in years:
            saved = line_savings.get(year.start_year, Totals())
            cells.append({
                "year": year,
                "target": targets.get(year.start_year, ZERO),
                "forecast": saved.forecast,
                "actual": saved.actual,
            })  # fmt: skip
        total = MTFPAmounts(
            target=sum((c["target"] for c in cells), ZERO),
            forecast=sum((c["forecast"] for c in cells), ZERO),
            actual=sum((c["actual"] for c in cells), ZERO),
        )
        entries.append(
            {
                "line": line,
                "cells": cells,
                "total": total,
                "rating": deliverability.rate(line, **total),
            }
        )
    year_totals = [
        {
            "year": year,
            "target": sum((e["cells"][i]["target"] for e in entries), ZERO),
            "forecast": sum((e["cells"][i]["forecast"] for e in entries), ZERO),
            "actual": sum((e["cells"][i]["actual"] for e in entries), ZERO),
        }
        for i, year in enumerate(years)
    ]
    return {
        "plan": plan,
        "years": years,
        "entries": entries,
        "year_totals": year_totals,
        "rule": deliverability.rule_rows(),
        "snapshot": rollup_latest(),
    }

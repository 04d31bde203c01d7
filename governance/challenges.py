"""Reads: "Ratings to challenge" — programmes whose latest delivery confidence is Green or
Amber/Green while their own registers say otherwise (issue 21). Scrutiny committees have been
caught out by a Green headline over red detail; this lists the contradictions with their reasons.

A programme is listed when its latest highlight report is Green or Amber/Green and it has any of:

- a late milestone: not complete, and due after its baseline date or already past due;
- an overdue gate: a gate review awaiting decision for more than ``GATE_REVIEW_OVERDUE_DAYS``;
- an escalated open risk whose residual rating is High (score 15 or more);
- forecast benefits more than ``BENEFITS_SHORTFALL_PERCENT`` below plan (financial benefits,
  withdrawn ones left out, summed over all financial years).

Every cause is a correlated subquery on one programme query, so the page of programmes and
their count are two queries whatever the size of the portfolio.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from benefits.models import BenefitProfile, BenefitStatus, BenefitType
from core.counting import count_up_to as bounded_count
from portfolio.models import (
    DeliveryConfidence,
    HighlightReport,
    Milestone,
    Programme,
    ProgrammeQuerySet,
)

from .models import GateReview, ReviewStatus, Risk, RiskStatus

HIGH_SCORE = 15  # governance.models.raid.score_band: "High"
ZERO = Decimal("0")
MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class RatingToChallenge:
    """A programme whose favourable rating its registers contradict, and why."""

    programme: Programme
    confidence: DeliveryConfidence
    reported_for: object
    reasons: list[str]


def _count(queryset, field: str = "programme") -> Subquery:
    return Coalesce(
        Subquery(
            queryset.order_by().values(field).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _sum(queryset, column: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by()
            .values("benefit__programme")
            .annotate(total=Sum(column))
            .values("total")[:1],
            output_field=MONEY,
        ),
        Value(ZERO),
        output_field=MONEY,
    )


def challenged(programmes: ProgrammeQuerySet) -> ProgrammeQuerySet:
    """``programmes`` (open ones) whose latest rating is favourable and contradicted, each
    annotated with the evidence: ``late_milestones``, ``oldest_open_review``,
    ``high_risks``, ``benefits_planned`` and ``benefits_forecast``."""
    today = timezone.localdate()
    latest = HighlightReport.objects.filter(programme=OuterRef("pk")).order_by("-month")
    late = Milestone.objects.filter(programme=OuterRef("pk"), completed_on__isnull=True).filter(
        Q(baseline_date__isnull=False, due_date__gt=F("baseline_date")) | Q(due_date__lt=today)
    )
    overdue_before = timezone.now() - timedelta(days=settings.GATE_REVIEW_OVERDUE_DAYS)
    open_reviews = GateReview.objects.filter(programme=OuterRef("pk"), status=ReviewStatus.OPEN)
    high = (
        Risk.objects.filter(programme=OuterRef("pk"), status=RiskStatus.OPEN, escalated=True)
        .annotate(residual=F("residual_likelihood") * F("residual_impact"))
        .filter(residual__gte=HIGH_SCORE)
    )
    profile = (
        BenefitProfile.objects.filter(benefit__programme=OuterRef("pk"))
        .exclude(benefit__type=BenefitType.NON_FINANCIAL)
        .exclude(benefit__status=BenefitStatus.WITHDRAWN)
    )
    keep = Decimal(100 - settings.BENEFITS_SHORTFALL_PERCENT) / 100
    return (
        programmes.open()
        .annotate(
            latest_confidence=Subquery(latest.values("delivery_confidence")[:1]),
            latest_month=Subquery(latest.values("month")[:1]),
        )
        .filter(latest_confidence__in=DeliveryConfidence.favourable())
        .annotate(
            late_milestones=_count(late),
            oldest_open_review=Subquery(
                open_reviews.order_by("submitted_at").values("submitted_at")[:1]
            ),
            overdue_gate=Exists(open_reviews.filter(submitted_at__lt=overdue_before)),
            high_risks=_count(high),
            benefits_planned=_sum(profile, "planned"),
            benefits_forecast=_sum(profile, "forecast"),
        )
        .filter(
            Q(late_milestones__gt=0)
            | Q(overdue_gate=True)
            | Q(high_risks__gt=0)
            | Q(benefits_planned__gt=0, benefits_forecast__lt=F("benefits_planned") * keep)
        )
    )


def reasons(programme: Programme) -> list[str]:
    """The contradictions of one annotated programme, in words."""
    found = []
    late = programme.late_milestones
    if late:
        found.append(f"{late} milestone{'s' if late != 1 else ''} late")
    if programme.overdue_gate:
        waited = (timezone.now() - programme.oldest_open_review).days
        found.append(f"Gate review awaiting a decision for {waited} days")
    high = programme.high_risks
    if high:
        found.append(f"{high} escalated risk{'s' if high != 1 else ''} rated High")
    planned, forecast = programme.benefits_planned, programme.benefits_forecast
    keep = Decimal(100 - settings.BENEFITS_SHORTFALL_PERCENT) / 100
    if planned > 0 and forecast < planned * keep:
        short = (planned - forecast) / planned * 100
        found.append(f"Forecast benefits {short:.0f}% below plan")
    return found


def ratings_to_challenge(
    programmes: ProgrammeQuerySet, limit: int | None = None, count_up_to: int | None = None
) -> tuple[list[RatingToChallenge], int]:
    """The challenged programmes by name (``limit`` of them) and how many there are (two
    queries). With ``count_up_to`` the count stops there: a total above it means "more than
    ``count_up_to``", and the database tests only as many programmes as it takes to find them
    (make bench: counting every challenged programme was the dashboard's slowest query at
    5,000 programmes)."""
    found = challenged(programmes).order_by("name")
    total = found.count() if count_up_to is None else bounded_count(found, count_up_to)
    page = found if limit is None else found[:limit]
    return [
        RatingToChallenge(
            programme=p,
            confidence=DeliveryConfidence(p.latest_confidence),
            reported_for=p.latest_month,
            reasons=reasons(p),
        )
        for p in page
    ], total

"""The dashboard's delivery confidence and follow-up reviews read each programme's latest report
from the programme (kept when reports are written); the figures are those that ranking every
report of every programme gave (the computation before issue #22), on a generated portfolio."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Case, Count, IntegerField, Max, When

from dashboard.queries import LIST_LIMIT, DashboardFilters, confidence_panel, follow_up_reviews
from portfolio.models import (
    AssuranceRating,
    DeliveryConfidence,
    HighlightReport,
    Portfolio,
    Programme,
)
from portfolio.periods import Quarter

pytestmark = pytest.mark.django_db

SCORE = Case(
    *(When(delivery_confidence=c.value, then=c.score) for c in DeliveryConfidence),
    output_field=IntegerField(),
)


def _before(filters: DashboardFilters) -> dict:
    """The panel's figures as they were computed before: a window over every report."""
    latest = filters.scoped(HighlightReport.objects.latest_per_programme())
    counted = list(
        latest.order_by()
        .values_list("delivery_confidence")
        .annotate(n=Count("pk"), newest=Max("month"))
    )
    lowest = latest.annotate(score=SCORE).order_by("score", "programme__name")[:LIST_LIMIT]
    return {
        "counts": {c: n for c, n, _ in counted},
        "quarter": Quarter.from_date(max(newest for _, _, newest in counted)),
        "lowest": [(r.programme.name, r.month, r.delivery_confidence) for r in lowest],
    }


def _after(filters: DashboardFilters) -> dict:
    panel = confidence_panel(filters)
    return {
        "counts": {c["confidence"].value: c["count"] for c in panel["counts"] if c["count"]},
        "quarter": panel["reporting_quarter"],
        "lowest": [
            (r["programme"].name, r["report"].month, r["confidence"].value) for r in panel["rows"]
        ],
    }


@pytest.fixture
def generated():
    call_command("generate_portfolio", programmes=16, seed=3, stdout=StringIO())


def test_the_confidence_panel_equals_ranking_every_report(generated):
    assert _after(DashboardFilters()) == _before(DashboardFilters())
    for portfolio in Portfolio.objects.all():
        filters = DashboardFilters(portfolio=portfolio)
        assert _after(filters) == _before(filters)


def test_the_lowest_span_ratings_when_the_lowest_has_too_few(generated):
    """Fewer Red programmes than the list holds: the list goes on into the next rating."""
    reds = Programme.objects.filter(latest_report_confidence="red")
    for programme in reds[1:]:
        HighlightReport.objects.filter(pk=programme.latest_report_id).update(
            delivery_confidence="amber"
        )
    Programme.objects.all().latest_reports_refresh()
    after = _after(DashboardFilters())
    assert after == _before(DashboardFilters())
    assert len({confidence for _, _, confidence in after["lowest"]}) > 1


def test_follow_up_reviews_are_those_of_each_programmes_latest_report(generated):
    reports = list(HighlightReport.objects.order_by("pk")[::3])
    for i, report in enumerate(reports):
        report.follow_up_review_on = report.month + timedelta(days=90 + i)
        report.save()
    latest = HighlightReport.objects.latest_per_programme().filter(
        follow_up_review_on__isnull=False, programme__in=Programme.objects.open()
    )
    assert not AssuranceRating.objects.exists()  # so every follow-up is a self-assessment's
    shown = follow_up_reviews(DashboardFilters())
    assert shown["total"] == latest.count()
    expected = latest.order_by("follow_up_review_on", "programme__name")[:LIST_LIMIT]
    assert [(f.programme.name, f.due_on) for f in shown["rows"]] == [
        (r.programme.name, r.follow_up_review_on) for r in expected
    ]

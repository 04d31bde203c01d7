"""Ratings to challenge (issue 21): a Green or Amber/Green over contradicting registers is
listed with its reasons; one test per cause; bounded queries; the dashboard shows them."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from governance.challenges import ratings_to_challenge
from governance.models import GateReview
from portfolio.models import DocumentVersion, HighlightReport, Programme, Stage, StageDocument
from tests.benefits.factories import BenefitFactory, BenefitProfileFactory
from tests.governance.factories import RiskFactory
from tests.portfolio.factories import MilestoneFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def author(make_user):
    return make_user(Role.PROGRAMME_MANAGER, username="author")


def rated(author, confidence="green", **kwargs) -> Programme:
    programme = ProgrammeFactory(stage=Stage.DELIVER, **kwargs)
    HighlightReport.objects.create(
        programme=programme, month=date(2024, 5, 1), delivery_confidence=confidence,
        schedule_rag="green", budget_rag="green", benefits_rag="green", risk_rag="green",
        progress="On track.", created_by=author,
    )  # fmt: skip
    return programme


def open_review(programme, author, days_ago: int) -> GateReview:
    document = StageDocument.objects.create(programme=programme, kind="closure-report")
    version = DocumentVersion.objects.create(
        document=document, number=1, content=[], content_hash="x", submitted_by=author
    )
    return GateReview.objects.create(
        programme=programme, gate="closure", version=version, route=["delivery"],
        current_sign_off="delivery", submitted_by=author,
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )  # fmt: skip


def challenged() -> dict[str, list[str]]:
    rows, total = ratings_to_challenge(Programme.objects.all())
    assert total == len(rows)
    return {row.programme.name: row.reasons for row in rows}


def test_a_green_over_late_milestones_is_challenged(author):
    slipped = rated(author, name="Slipped")
    MilestoneFactory(programme=slipped, due_date=TODAY + timedelta(days=60),
                     baseline_date=TODAY + timedelta(days=30))  # fmt: skip
    past_due = rated(author, "amber_green", name="Past due")
    MilestoneFactory(programme=past_due, due_date=TODAY - timedelta(days=1))
    MilestoneFactory(programme=past_due, due_date=TODAY - timedelta(days=5))
    on_time = rated(author, name="On time")
    MilestoneFactory(programme=on_time, due_date=TODAY - timedelta(days=3),
                     completed_on=TODAY - timedelta(days=3))  # fmt: skip
    MilestoneFactory(programme=on_time, due_date=TODAY + timedelta(days=9),
                     baseline_date=TODAY + timedelta(days=9))  # fmt: skip
    assert challenged() == {"Past due": ["2 milestones late"], "Slipped": ["1 milestone late"]}


def test_a_green_over_an_overdue_gate_is_challenged(author, settings):
    settings.GATE_REVIEW_OVERDUE_DAYS = 28
    overdue = rated(author, name="Overdue gate")
    open_review(overdue, author, days_ago=40)
    recent = rated(author, name="Recent gate")
    open_review(recent, author, days_ago=3)
    assert challenged() == {"Overdue gate": ["Gate review awaiting a decision for 40 days"]}


def test_a_green_over_escalated_high_risks_is_challenged(author):
    high = rated(author, name="High risk")
    RiskFactory(programme=high, escalated=True, residual_likelihood=5, residual_impact=3)
    not_escalated = rated(author, name="Not escalated")
    RiskFactory(programme=not_escalated, escalated=False, residual_likelihood=5, residual_impact=5)
    medium = rated(author, name="Medium risk")
    RiskFactory(programme=medium, escalated=True, residual_likelihood=3, residual_impact=4)
    closed = rated(author, name="Closed risk")
    RiskFactory(programme=closed, escalated=True, residual_likelihood=5, residual_impact=5,
                status="closed")  # fmt: skip
    assert challenged() == {"High risk": ["1 escalated risk rated High"]}


def test_a_green_over_benefits_below_plan_is_challenged(author):
    short = rated(author, name="Short")
    benefit = BenefitFactory(programme=short)
    BenefitProfileFactory(benefit=benefit, financial_year=2024, planned=Decimal("100000"),
                          forecast=Decimal("60000"))  # fmt: skip
    BenefitProfileFactory(benefit=benefit, financial_year=2025, planned=Decimal("100000"),
                          forecast=Decimal("100000"))  # fmt: skip
    near = rated(author, name="Near")
    BenefitProfileFactory(benefit=BenefitFactory(programme=near), planned=Decimal("100000"),
                          forecast=Decimal("91000"))  # fmt: skip
    assert challenged() == {"Short": ["Forecast benefits 20% below plan"]}


def test_a_lower_rating_or_a_closed_programme_is_not_challenged(author):
    amber = rated(author, "amber", name="Amber")
    HighlightReport.objects.create(
        programme=amber, month=date(2024, 4, 1), delivery_confidence="green",
        schedule_rag="green", budget_rag="green", benefits_rag="green", risk_rag="green",
        progress="Was on track.", created_by=author,
    )  # fmt: skip
    MilestoneFactory(programme=amber, due_date=TODAY - timedelta(days=1))
    closed = rated(author, name="Closed")
    Programme.objects.filter(pk=closed.pk).update(stage=Stage.CLOSED)
    MilestoneFactory(programme=closed, due_date=TODAY - timedelta(days=1))
    # The latest report counts: an old Green under a newer Amber is not challenged.
    assert challenged() == {}


def _grow(author, count: int) -> None:
    for _ in range(count):
        programme = rated(author)
        MilestoneFactory(programme=programme, due_date=TODAY - timedelta(days=2))
        RiskFactory(programme=programme, escalated=True, residual_likelihood=5, residual_impact=5)
        BenefitProfileFactory(benefit=BenefitFactory(programme=programme),
                              forecast=Decimal("1000"))  # fmt: skip
        open_review(programme, author, days_ago=90)


def test_the_panel_query_count_is_constant_and_the_dashboard_lists_the_reasons(
    author, client_as, make_user
):
    pmo = client_as(make_user(Role.PMO))
    _grow(author, 3)
    with CaptureQueriesContext(connection) as small:
        rows, total = ratings_to_challenge(Programme.objects.all(), limit=10)
    _grow(author, 30)
    with CaptureQueriesContext(connection) as large:
        rows, total = ratings_to_challenge(Programme.objects.all(), limit=10)
    assert len(small.captured_queries) == len(large.captured_queries) == 2
    assert (len(rows), total) == (10, 33)
    assert len(rows[0].reasons) == 4
    text = pmo.get("/dashboard/").content.decode()
    assert "Ratings to challenge" in text
    assert "The first 10 of 33 ratings to challenge" in text
    assert "1 escalated risk rated High" in text
    assert "Forecast benefits 99% below plan" in text


def test_the_dashboard_counts_ratings_to_challenge_only_up_to_its_bound(
    author, client_as, make_user, monkeypatch
):
    from dashboard import queries

    _grow(author, 13)
    rows, total = ratings_to_challenge(Programme.objects.all(), limit=10, count_up_to=5)
    assert (len(rows), total) == (10, 6)  # six found: "more than five"
    assert ratings_to_challenge(Programme.objects.all(), limit=10, count_up_to=13)[1] == 13
    monkeypatch.setattr(queries, "CHALLENGES_COUNTED", 12)
    text = client_as(make_user(Role.PMO)).get("/dashboard/").content.decode()
    assert "The first 10 of more than 12 ratings to challenge" in text

"""generate_portfolio: the synthetic portfolio for `make bench` (no timing here, ever)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from benefits.models import Benefit, BenefitProfile, RollupSnapshot
from devdata import synthetic
from governance.models import (
    Action,
    Assumption,
    Decision,
    Dependency,
    GateReview,
    GateSignOff,
    Issue,
    Lesson,
    Risk,
)
from portfolio.models import DocumentVersion, HighlightReport, Milestone, Programme

pytestmark = pytest.mark.django_db

PROGRAMMES = 3


def _fingerprint() -> dict:
    return {
        "names": list(Programme.objects.order_by("name").values_list("name", "stage")),
        "profiles": BenefitProfile.objects.aggregate(
            planned=Sum("planned"), forecast=Sum("forecast"), actual=Sum("actual")
        ),
        "reviews": list(
            GateReview.objects.order_by("programme__name", "submitted_at").values_list(
                "gate", "status"
            )
        ),
    }


def _wipe() -> None:
    for model in (GateSignOff, Decision, GateReview, DocumentVersion):
        model.objects.all().delete()
    Programme.objects.all().delete()


def test_generates_the_per_programme_counts_and_a_rollup():
    call_command("generate_portfolio", programmes=PROGRAMMES, seed=7, stdout=StringIO())
    per = synthetic.PER_PROGRAMME
    assert Programme.objects.count() == PROGRAMMES
    assert Benefit.objects.count() == PROGRAMMES * per["benefits"]
    assert BenefitProfile.objects.count() == PROGRAMMES * per["profiles"]
    raid = Risk.objects.count() + Assumption.objects.count() + Issue.objects.count()
    raid += Dependency.objects.count()
    assert raid == PROGRAMMES * 40
    assert HighlightReport.objects.count() == PROGRAMMES * per["highlight_reports"]
    assert Milestone.objects.count() == PROGRAMMES * per["milestones"]
    assert GateReview.objects.count() == PROGRAMMES * per["gate_reviews"]
    assert Action.objects.count() == PROGRAMMES * per["actions"]
    assert Lesson.objects.count() == PROGRAMMES * per["lessons"]
    assert RollupSnapshot.objects.exists()


def test_the_same_seed_gives_the_same_names_and_totals():
    synthetic.portfolio_generate(programmes=PROGRAMMES, seed=11)
    first = _fingerprint()
    _wipe()
    synthetic.portfolio_generate(programmes=PROGRAMMES, seed=11)
    assert _fingerprint() == first
    _wipe()
    synthetic.portfolio_generate(programmes=PROGRAMMES, seed=12)
    assert _fingerprint()["names"] != first["names"]


def test_refuses_a_database_that_already_holds_programmes():
    call_command("generate_portfolio", programmes=1, seed=1, stdout=StringIO())
    with pytest.raises(CommandError, match="already holds 1 programmes"):
        call_command("generate_portfolio", programmes=1, seed=1, stdout=StringIO())

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
from portfolio.periods import Quarter
from reports.quarterly import quarter_end, report_data

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


def test_every_risk_has_a_history_ending_in_its_current_score_and_some_scores_moved():
    synthetic.portfolio_generate(programmes=PROGRAMMES, seed=7)
    risks = {r.pk: r for r in Risk.objects.all()}
    records: dict[int, list] = {}
    for record in Risk.history.order_by("history_date", "history_id"):
        records.setdefault(record.id, []).append(record)
    assert set(records) == set(risks)
    moved = 0
    for pk, history in records.items():
        assert history[0].history_type == "+"
        last = history[-1]
        now = risks[pk]
        assert (last.residual_likelihood, last.residual_impact, last.status) == (
            now.residual_likelihood,
            now.residual_impact,
            now.status,
        )
        scores = {(h.residual_likelihood, h.residual_impact) for h in history}
        moved += len(scores) > 1
    assert moved > len(risks) // 4
    # So the quarterly report's Annex 2 lists the risks open at the quarter's end.
    quarter = Quarter.from_date(synthetic.ANCHOR)
    assert quarter_end(quarter) >= max(h[0].history_date for h in records.values())
    assert report_data(quarter)["risks"]

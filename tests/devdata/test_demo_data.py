"""The demo data carries the seeds' programmes, stages, risks and money, and loads once."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from benefits.models import BenefitProfile, MTFPTarget, OneOffCost
from governance.lessons import THEMES
from governance.models import Board, Lesson, LessonTheme, Risk
from portfolio.models import Programme, Stage

FORWARD_LOOK = {
    Stage.IDENTIFY: {"Corporate Landlord", "One Fleet"},
    Stage.DESIGN: {"SEND", "HtST", "Oxfordshire Way", "Business Intelligence"},
    Stage.DELIVER: {
        "Business Service Transformation", "Strategic AI", "Commercial", "Agile Accommodation",
        "Improving Customer Experience", "Our People and Culture Strategy",
        "Organisational Design",
    },
}  # fmt: skip


@pytest.mark.django_db
def test_2024_programmes_are_at_the_forward_look_stage(demo):
    for stage, names in FORWARD_LOOK.items():
        found = set(
            Programme.objects.filter(name__in=names, stage=stage).values_list("name", flat=True)
        )
        assert found == names
    assert set(Programme.objects.filter(light_touch=True).values_list("name", flat=True)) == {
        "SEND",
        "HtST",
    }


@pytest.mark.django_db(transaction=True)
def test_the_demo_loads_into_a_database_a_transactional_test_emptied():
    # What a transactional test leaves for the next one on its worker: every table empty, the
    # migrations' own rows (the lesson themes) too. The demo installs what it tags lessons with.
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_demo", quiet=True, stdout=StringIO())
    assert list(LessonTheme.objects.values_list("slug", flat=True)) == [s for s, _ in THEMES]
    assert Lesson.objects.filter(themes__slug="commercial").exists()


@pytest.mark.django_db
def test_loading_twice_changes_nothing(demo):
    from portfolio.models import Programme as P

    counts = (
        P.objects.count(),
        Risk.objects.count(),
        BenefitProfile.objects.count(),
        P.history.count(),
        Board.objects.count(),
    )
    call_command("load_demo", quiet=True)
    assert counts == (
        P.objects.count(),
        Risk.objects.count(),
        BenefitProfile.objects.count(),
        P.history.count(),
        Board.objects.count(),
    )


@pytest.mark.django_db
def test_finance_savings_are_018m_then_049m_over_three_years(demo):
    profile = BenefitProfile.objects.filter(benefit__programme__slug="finance")
    assert profile.get(financial_year=2019).planned == Decimal("180000.00")
    later = profile.filter(financial_year__in=[2020, 2021, 2022]).aggregate(t=Sum("planned"))["t"]
    assert later == Decimal("490000.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "in_year", "later"),
    [
        ("strategic-capability", "160000", "2110000"),
        ("provision-cycle", None, "1470000"),
        ("support-services", "30000", "2320000"),
    ],
)
def test_workstream_savings_match_the_quarterly_review(demo, slug, in_year, later):
    targets = MTFPTarget.objects.filter(line__programme__slug=slug)
    if in_year:
        assert targets.get(financial_year=2019).amount == Decimal(in_year)
    total_later = targets.filter(financial_year__gte=2020).aggregate(t=Sum("amount"))["t"]
    assert total_later == Decimal(later)


@pytest.mark.django_db
def test_one_off_costs_are_179m_estimated_against_79m_spent(demo):
    totals = OneOffCost.objects.filter(programme__isnull=True).aggregate(
        budget=Sum("budget"), actual=Sum("actual")
    )
    assert totals == {"budget": Decimal("17900000.00"), "actual": Decimal("7900000.00")}


@pytest.mark.django_db
def test_ict_business_case_is_22m_for_62m(demo):
    ict = Programme.objects.get(slug="ict-strategy")
    assert ict.one_off_costs.aggregate(t=Sum("budget"))["t"] == Decimal("2200000.00")
    savings = BenefitProfile.objects.filter(benefit__programme=ict).aggregate(t=Sum("planned"))
    assert savings["t"] == Decimal("6200000.00")
    targets = set(ict.benefits.filter(type="non_financial").values_list("target", flat=True))
    assert {"63% reduction", "81% reduction", "30% reduction"} <= targets


@pytest.mark.django_db
def test_annex_2_risks_with_their_ratings_and_controls(demo):
    ratings = {r.title: r.residual_band for r in Risk.objects.portfolio_wide()}
    assert ratings == {
        "Organisational Change and Service Design": "Medium/High",
        "Quality of services": "Medium",
        "Scope and governance": "Low",
        "Pace and capacity": "High",
        "Value for money": "High",
        "HR as an enabler of change activity": "Medium",
        "Information Communication Technology (ICT) dependency": "Medium",
    }
    vfm = Risk.objects.get(title="Value for money")
    assert "3 year transformation implementation plan" in vfm.existing_controls
    assert "corporate reserve / contingency" in vfm.further_action
    assert vfm.escalated


@pytest.mark.django_db
def test_boards_from_the_2024_governance_model(demo):
    names = set(Board.objects.values_list("name", flat=True))
    assert {
        "Strategic Transformation Board",
        "Delivery Board",
        "Employer of Choice Portfolio Board",
    } <= names
    assert Board.objects.get(slug="delivery-board").members.filter(username="board").exists()

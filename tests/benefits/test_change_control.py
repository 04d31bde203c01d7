"""Change control: once the Full Brief is approved (Deliver), one-off budgets and benefits'
planned profiles are read-only baselines that only an approved change request moves."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from benefits.models import BenefitProfile, OneOffCost
from governance.models import ChangeRequest
from governance.services import change_request_decide
from portfolio.models import Stage
from tests.benefits.factories import BenefitFactory
from tests.governance.factories import BoardFactory
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _costs(rows):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0"}
    for i, (year, budget, actual) in enumerate(rows):
        data |= {f"form-{i}-financial_year": year, f"form-{i}-budget": budget,
                 f"form-{i}-actual": actual}  # fmt: skip
    return data


@pytest.fixture
def delivering(make_user):
    manager = make_user(Role.PROGRAMME_MANAGER, username="manager")
    programme = ProgrammeFactory(slug="income", name="Income", stage=Stage.DELIVER, manager=manager)
    OneOffCost.objects.create(programme=programme, financial_year=2024, budget=D("100000"))
    return programme, manager


def test_in_deliver_the_budget_is_read_only_with_a_link_to_raise_a_change_request(
    delivering, client_as
):
    _, manager = delivering
    page = client_as(manager).get("/programmes/income/one-off-costs/").content.decode()
    assert "only an approved change request moves them" in page
    assert "/programmes/income/change-requests/add/?baseline=budget" in page
    assert 'type="hidden" name="form-0-budget" value="100000"' in page
    assert 'name="form-0-actual"' in page


def test_in_deliver_a_posted_budget_change_is_refused_and_nothing_saved(delivering, client_as):
    programme, manager = delivering
    response = client_as(manager).post(
        "/programmes/income/one-off-costs/", _costs([("2024/25", "150000", "20000")])
    )
    assert response.status_code == 400
    assert "raise a change request to change it" in response.content.decode()
    cost = OneOffCost.objects.get(programme=programme, financial_year=2024)
    assert (cost.budget, cost.actual) == (D("100000"), D("0"))


def test_in_deliver_actual_spend_is_still_recorded(delivering, client_as):
    programme, manager = delivering
    response = client_as(manager).post(
        "/programmes/income/one-off-costs/", _costs([("2024/25", "100000", "20000")])
    )
    assert response.status_code == 302
    assert OneOffCost.objects.get(programme=programme, financial_year=2024).actual == D("20000")


def test_before_deliver_the_budget_is_edited_directly(make_user, client_as):
    manager = make_user(Role.PROGRAMME_MANAGER, username="manager")
    programme = ProgrammeFactory(slug="idea", stage=Stage.DESIGN, manager=manager)
    response = client_as(manager).post(
        "/programmes/idea/one-off-costs/", _costs([("2024/25", "150000", "0")])
    )
    assert response.status_code == 302
    assert OneOffCost.objects.get(programme=programme).budget == D("150000")


def test_a_change_request_takes_the_year_as_2024_25_and_moves_the_budget_when_approved(
    delivering, client_as, make_user
):
    programme, manager = delivering
    member = make_user(Role.BOARD_MEMBER, username="member")
    BoardFactory(slug="delivery", name="Delivery Board", kind="delivery", members=[member])
    page = client_as(manager).get("/programmes/income/change-requests/add/?baseline=budget")
    assert "Baseline year it changes" in page.content.decode()
    response = client_as(manager).post(
        "/programmes/income/change-requests/add/",
        {"title": "More budget for the marketing system", "kind": "cost",
         "description": "The supplier's price rose.", "cost_impact": "50000",
         "time_impact_days": "0", "benefits_impact": "0", "baseline": "budget",
         "financial_year": "2024/25", "new_amount": "150000"},
    )  # fmt: skip
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.financial_year == 2024
    detail = client_as(manager).get(f"/change-requests/{change.pk}/").content.decode()
    assert "One-off cost budget 2024/25" in detail
    change_request_decide(change_request=change, approve=True, reasons="Agreed.", actor=member)
    assert OneOffCost.objects.get(programme=programme, financial_year=2024).budget == D("150000")


def test_a_change_request_year_that_is_not_a_financial_year_is_refused(delivering, client_as):
    _, manager = delivering
    response = client_as(manager).post(
        "/programmes/income/change-requests/add/",
        {"title": "More budget", "kind": "cost", "description": "Why.", "cost_impact": "1",
         "time_impact_days": "0", "benefits_impact": "0", "baseline": "budget",
         "financial_year": "2024", "new_amount": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_in_deliver_a_benefits_planned_profile_is_read_only(delivering, client_as):
    programme, manager = delivering
    benefit = BenefitFactory(programme=programme, type="income")
    BenefitProfile.objects.create(benefit=benefit, financial_year=2024, planned=D("80000"))
    url = f"/programmes/income/benefits/{benefit.pk}/"
    page = client_as(manager).get(url).content.decode()
    assert "Raise a change request to change a year" in page
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
            "form-0-financial_year": "2024/25", "form-0-planned": "90000",
            "form-0-forecast": "85000", "form-0-actual": "0"}  # fmt: skip
    response = client_as(manager).post(f"{url}profile/", data)
    assert response.status_code == 400
    profile = BenefitProfile.objects.get(benefit=benefit)
    assert (profile.planned, profile.forecast) == (D("80000"), D("0"))
    data["form-0-planned"] = "80000"
    assert client_as(manager).post(f"{url}profile/", data).status_code == 302
    assert BenefitProfile.objects.get(benefit=benefit).forecast == D("85000")

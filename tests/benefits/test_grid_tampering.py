"""The one-off costs and profile grids refuse years no plan can hold and rows the post does not
count, saving nothing (regressions found by the hostile-grid tests in tests/security)."""

import pytest

from accounts.models import User
from benefits.models import Benefit, OneOffCost

pytestmark = pytest.mark.django_db

COSTS = "/programmes/ict-strategy/one-off-costs/"


def _costs(*rows: tuple[str, str, str], total: int | None = None) -> dict[str, str]:
    data = {
        "form-TOTAL_FORMS": str(len(rows) if total is None else total),
        "form-INITIAL_FORMS": "0",
    }
    for i, (year, budget, actual) in enumerate(rows):
        data |= {
            f"form-{i}-financial_year": year,
            f"form-{i}-budget": budget,
            f"form-{i}-actual": actual,
        }
    return data


@pytest.mark.parametrize("year", ["0000/01", "1066/67", "9999/00"])
def test_a_year_outside_the_range_a_council_plans_in_is_refused(client_as, demo, year):
    client = client_as(User.objects.get(username="pmo"))
    before = list(OneOffCost.objects.values_list("programme", "financial_year", "budget"))
    response = client.post(COSTS, _costs(("2020/21", "5", "5"), (year, "1", "0")))
    assert response.status_code == 400
    assert "must be between" in response.content.decode()
    assert list(OneOffCost.objects.values_list("programme", "financial_year", "budget")) == before


def test_rows_beyond_the_management_forms_count_refuse_the_whole_grid(client_as, demo):
    client = client_as(User.objects.get(username="pmo"))
    before = list(OneOffCost.objects.values_list("programme", "financial_year", "budget"))
    data = _costs(("2020/21", "777", "0"), ("2021/22", "888", "0"), total=1)
    response = client.post(COSTS, data)
    assert response.status_code == 400
    assert "more rows than it says it has" in response.content.decode()
    assert list(OneOffCost.objects.values_list("programme", "financial_year", "budget")) == before


def test_a_profile_grid_with_its_management_form_missing_saves_nothing(client_as, demo):
    benefit = Benefit.objects.get(programme__slug="finance", type="cashable_saving")
    client = client_as(User.objects.get(username="pmo"))
    before = list(benefit.profile.values_list("financial_year", "planned", "forecast", "actual"))
    response = client.post(
        f"/programmes/finance/benefits/{benefit.pk}/profile/",
        {"form-0-financial_year": "2020/21", "form-0-planned": "1"},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert list(benefit.profile.values_list("financial_year", "planned", "forecast", "actual")) == (
        before
    )

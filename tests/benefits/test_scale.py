"""/benefits/mine/ at a national scale (issue #22): paged, totals summed in SQL, the same queries
at two sizes."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from benefits.queries import MY_BENEFITS_PAGE
from tests.benefits.factories import BenefitFactory, BenefitProfileFactory
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def _get(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _benefits(owner, programme, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        benefit = BenefitFactory(programme=programme, owner=owner, title=f"Saving {n:03d}")
        for year in (2024, 2025, 2026):
            BenefitProfileFactory(
                benefit=benefit, financial_year=year, forecast=D("1000"), actual=D("250")
            )


def test_my_benefits_is_paged_with_the_same_queries_at_two_sizes(make_user, client_as):
    owner = make_user(Role.VIEWER, username="benefit-owner")
    programme = ProgrammeFactory()
    client = client_as(owner)
    _benefits(owner, programme, 2)
    small_queries, small = _get(client, "/benefits/mine/")
    _benefits(owner, programme, MY_BENEFITS_PAGE + 10, start=2)
    big_queries, big = _get(client, "/benefits/mine/")
    assert small_queries == big_queries
    assert small.count("Saving ") == 2
    assert big.count("Saving ") == MY_BENEFITS_PAGE
    assert f"{MY_BENEFITS_PAGE + 12} benefits; showing 1 to {MY_BENEFITS_PAGE}" in big
    assert "£3,000" in big  # forecast summed over three years, in SQL
    assert "£750" in big
    last = client.get("/benefits/mine/?page=2").content.decode()
    assert "Saving 036" in last
    assert "Saving 000" not in last

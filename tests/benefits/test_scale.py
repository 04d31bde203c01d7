"""/benefits/mine/ at a national scale (issue #22): paged, totals summed in SQL, the same queries
at two sizes."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from benefits.models import Benefit, BenefitStatus
from benefits.queries import MY_BENEFITS_PAGE, my_benefits, my_confirmed_benefits
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


@pytest.mark.postgres
def test_my_benefits_counts_come_from_the_owners_partial_indexes(make_user):
    """The two counts My benefits shows (still tracked, confirmed) are read from partial indexes
    by owner (index-only at scale), not from every benefit the person owns; the counts are
    those of the querysets."""
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's (DATABASE_URL)")
    owner = make_user(Role.VIEWER, username="benefit-owner")
    _benefits(owner, ProgrammeFactory(), 3)
    tracked = Benefit.objects.owned_by(owner).still_tracked()
    confirmed = Benefit.objects.owned_by(owner).filter(realisation_confirmed_at__isnull=False)
    tracked.filter(title="Saving 000").update(realisation_confirmed_at=timezone.now())
    tracked.filter(title="Saving 001").update(status=BenefitStatus.WITHDRAWN)
    assert my_benefits(owner)["page"].paginator.count == 1
    assert my_confirmed_benefits(owner) == 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small is read whole
        for queryset, index in (
            (tracked, "benefits_tracked_by_owner"),
            (confirmed, "benefits_confirmed_by_owner"),
        ):
            sql, params = queryset.order_by().values("pk").query.sql_with_params()
            cursor.execute(f"EXPLAIN SELECT COUNT(*) FROM ({sql}) counted", params)  # noqa: S608 - the ORM's own SQL
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan

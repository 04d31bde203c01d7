"""A year's savings drill-down at a national scale (issue #22): paged with elided navigation,
the same queries at two sizes, the download holding every row."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from benefits.rollup import rollup_run
from dashboard.queries import SAVINGS_PAGE
from tests.benefits.factories import BenefitFactory, BenefitProfileFactory
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def _programmes(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        programme = ProgrammeFactory(name=f"Saver {n:03d}", slug=f"saver-{n:03d}")
        benefit = BenefitFactory(programme=programme)
        BenefitProfileFactory(benefit=benefit, financial_year=2020)


def _get(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_savings_year_is_paged_with_the_same_queries_at_two_sizes(client_as, make_user):
    client = client_as(make_user(Role.PMO))
    _programmes(3)
    rollup_run()
    small_queries, small = _get(client, "/dashboard/savings/2020/")
    _programmes(SAVINGS_PAGE + 2, start=3)
    rollup_run()
    big_queries, big = _get(client, "/dashboard/savings/2020/")
    assert small_queries == big_queries
    assert small.count('href="/programmes/saver-') == 3
    assert big.count('href="/programmes/saver-') == SAVINGS_PAGE
    total = SAVINGS_PAGE + 5
    assert f"{total} programme and MTFP line rows; showing 1 to {SAVINGS_PAGE}" in big
    assert 'aria-label="Page 2"' in big
    last = client.get("/dashboard/savings/2020/?page=2").content.decode()
    assert f"Saver {total - 1:03d}" in last
    assert "Saver 000" not in last
    download = client.get("/dashboard/savings/2020.csv")
    rows = list(csv.reader(io.StringIO(download.getvalue().decode("utf-8-sig"))))
    assert len(rows) == 1 + total

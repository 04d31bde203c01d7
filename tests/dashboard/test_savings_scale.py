"""A year's savings drill-down at a national scale (issue #22): paged by programme (the page and
its count read programmes by name, not the year's programme × MTFP line groups) with elided
navigation, the same queries at two sizes, every page's rows together equal to the download."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from benefits.rollup import rollup_run
from dashboard.queries import SAVINGS_PROGRAMMES
from tests.benefits.factories import (
    BenefitFactory,
    BenefitProfileFactory,
    MTFPLineFactory,
    MTFPTargetFactory,
)
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


def _download(client) -> list[list[str]]:
    download = client.get("/dashboard/savings/2020.csv")
    return list(csv.reader(io.StringIO(download.getvalue().decode("utf-8-sig"))))[1:]


def test_savings_year_is_paged_by_programme_with_the_same_queries_at_two_sizes(
    client_as, make_user
):
    client = client_as(make_user(Role.PMO))
    _programmes(3)
    rollup_run()
    one_page = client.get("/dashboard/savings/2020/").content.decode()
    assert one_page.count('href="/programmes/saver-') == 3
    assert "3 programme and MTFP line rows." in one_page
    assert 'aria-label="Page 2"' not in one_page
    _programmes(SAVINGS_PROGRAMMES, start=3)
    rollup_run()
    small_queries, small = _get(client, "/dashboard/savings/2020/")
    _programmes(2 * SAVINGS_PROGRAMMES + 2, start=SAVINGS_PROGRAMMES + 3)
    rollup_run()
    big_queries, big = _get(client, "/dashboard/savings/2020/")
    assert small_queries == big_queries
    assert small.count('href="/programmes/saver-') == SAVINGS_PROGRAMMES
    assert big.count('href="/programmes/saver-') == SAVINGS_PROGRAMMES
    total = 3 * SAVINGS_PROGRAMMES + 5
    assert f"Programmes 1 to {SAVINGS_PROGRAMMES} of {total}, by name" in big
    assert 'aria-label="Page 4"' in big
    last = client.get("/dashboard/savings/2020/?page=4").content.decode()
    assert f"Programmes {3 * SAVINGS_PROGRAMMES + 1} to {total} of {total}" in last
    assert f"Saver {total - 1:03d}" in last
    assert "Saver 000" not in last
    assert len(_download(client)) == total


def test_every_page_of_savings_together_is_the_download_in_its_order(client_as, make_user):
    """Programmes with several MTFP lines, one with no figures for the year, and programme-wide
    rows (a directorate's line with no programme): each row on exactly one page, the
    programme-wide ones on the last, in the download's order."""
    client = client_as(make_user(Role.PMO))
    _programmes(SAVINGS_PROGRAMMES + 4)
    several = ProgrammeFactory(name="Saver 002b", slug="saver-002b")
    for line in ("Libraries", "Waste"):
        benefit = BenefitFactory(programme=several, mtfp_line=MTFPLineFactory(name=line))
        BenefitProfileFactory(benefit=benefit, financial_year=2020)
    quiet = ProgrammeFactory(name="Saver 003b", slug="saver-003b")
    BenefitProfileFactory(benefit=BenefitFactory(programme=quiet), financial_year=2021)
    MTFPTargetFactory(line__name="Adult social care", financial_year=2020)
    rollup_run()
    shown = []
    for number in (1, 2):
        text = client.get(f"/dashboard/savings/2020/?page={number}").content.decode()
        assert ("Adult social care" in text) is (number == 2)
        assert "Saver 003b" not in text
        shown.append(text)
    download = _download(client)
    names = [row[0] for row in download]
    assert names[-1] == "Programme-wide"
    assert names[:4] == ["Saver 000", "Saver 001", "Saver 002", "Saver 002b"]
    assert len(download) == SAVINGS_PROGRAMMES + 4 + 2 + 1
    positions = []
    for row in download:
        label = f">{row[0]}<" if row[0] != "Programme-wide" else "Programme-wide"
        pages = [n for n, text in enumerate(shown) if label in text]
        assert len(pages) == 1, row
        positions.append((pages[0], shown[pages[0]].index(label)))
    assert positions == sorted(positions)

"""The home page of staff who are not the PMO, at a national scale (issue #22): bounded, the same
queries at two sizes, counts linking to the full filtered list."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from dashboard.queries import HOME_OWN_LIMIT, OWN_ITEMS_SHOWN, PIPELINE_NAMED, own_open_items
from governance.models import Issue
from portfolio.models import Stage
from tests.governance.factories import IssueFactory
from tests.portfolio.factories import PortfolioFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _home(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_home_is_bounded_and_makes_the_same_queries_at_two_sizes(make_user, client_as):
    manager = make_user(Role.PROGRAMME_MANAGER, username="home-manager")
    portfolio = PortfolioFactory(name="Place", slug="place")
    client = client_as(manager)
    ProgrammeFactory(manager=manager, portfolio=portfolio, name="Mine 00", stage=Stage.DESIGN)
    small_queries, small = _home(client)
    assert "Mine 00" in small
    for n in range(1, HOME_OWN_LIMIT + 5):
        ProgrammeFactory(manager=manager, portfolio=portfolio, name=f"Mine {n:02d}")
    ProgrammeFactory.create_batch(PIPELINE_NAMED, portfolio=portfolio, stage=Stage.DELIVER)
    ProgrammeFactory.create_batch(3, portfolio=portfolio, stage=Stage.PAUSED)
    big_queries, big = _home(client)
    assert big_queries == small_queries
    assert big.count("Mine ") == HOME_OWN_LIMIT
    assert f"See all {HOME_OWN_LIMIT + 5} of your programmes" in big
    assert 'href="/programmes/?mine=on"' in big
    assert f'href="/programmes/?stage=deliver&amp;portfolio=place">{PIPELINE_NAMED}' in big
    assert 'href="/programmes/?stage=paused">3 programmes paused' in big
    assert len(big) < 2 * len(small) + 20_000


def test_the_programme_list_filters_to_my_own(make_user, client_as):
    manager = make_user(Role.PROGRAMME_MANAGER, username="list-manager")
    sro = make_user(Role.SRO, username="list-sro")
    ProgrammeFactory(manager=manager, name="Managed by me")
    ProgrammeFactory(sro=manager, name="Sponsored by me")
    ProgrammeFactory(manager=sro, name="Someone else's")
    text = client_as(manager).get("/programmes/?mine=on").content.decode()
    assert "Managed by me" in text
    assert "Sponsored by me" in text
    assert "Someone else" not in text
    assert "2 programmes" in text


def test_own_open_issues_are_the_highest_priority_then_the_newest(make_user):
    """The ten issues shown are the first ten of every open issue of the person's open
    programmes sorted by priority (High, Medium, Low), then newest raised, then first recorded;
    others' programmes, closed issues and closed programmes are left out."""
    manager = make_user(Role.PROGRAMME_MANAGER, username="issues-manager")
    mine = [ProgrammeFactory(manager=manager, stage=Stage.DELIVER) for _ in range(3)]
    closed = ProgrammeFactory(manager=manager, stage=Stage.CLOSED)
    others = ProgrammeFactory(stage=Stage.DELIVER)
    day = dt.date(2026, 1, 1)
    for i in range(30):
        IssueFactory(
            programme=mine[i % 3], priority=["low", "high", "medium"][i % 3],
            raised_on=day + dt.timedelta(days=i % 7), status="open" if i % 5 else "closed",
        )  # fmt: skip
    IssueFactory(programme=closed, priority="high", raised_on=day + dt.timedelta(days=30))
    IssueFactory(programme=others, priority="high", raised_on=day + dt.timedelta(days=30))
    rank = {"high": 0, "medium": 1, "low": 2}
    expected = sorted(
        Issue.objects.filter(programme__in=mine, status="open"),
        key=lambda issue: (rank[issue.priority], -issue.raised_on.toordinal(), issue.pk),
    )
    shown = [row.item for row in own_open_items(manager)["own_issues"]]
    assert shown == expected[:OWN_ITEMS_SHOWN]

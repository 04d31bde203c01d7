"""Pages that must not grow with the portfolio (issue #22): the same number of queries at two
sizes, a bounded number of rows, flags computed in the query. No timings: `make bench` has them."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from governance.models import Risk
from tests.governance.factories import ActionFactory
from tests.governance.test_import_export import row, workbook
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _actions(owner, programme, count: int, late: int) -> None:
    past = dt.date.today() - dt.timedelta(days=3)
    for n in range(count):
        due = past if n < late else dt.date.today() + dt.timedelta(days=n + 1)
        ActionFactory(programme=programme, owner=owner, title=f"Task {n:03d}", due_date=due)


def test_my_actions_makes_the_same_queries_and_rows_at_two_sizes(make_user, client_as):
    me = make_user(Role.PROGRAMME_MANAGER, username="busy-manager")
    programme = ProgrammeFactory(manager=me)
    client = client_as(me)
    _actions(me, programme, 3, late=1)
    small_queries, small = _queries(client, "/actions/mine/")
    _actions(me, programme, 60, late=40)
    big_queries, big = _queries(client, "/actions/mine/")
    assert small_queries == big_queries
    assert small.count('<tr class="govuk-table__row">') == 1 + 3
    assert big.count('<tr class="govuk-table__row">') == 1 + 25  # the header and one page
    assert "41 of your actions are overdue" in big
    assert "63 outstanding actions" in big


def test_my_actions_flags_overdue_from_the_query_and_pages_on(make_user, client_as):
    me = make_user(Role.PROGRAMME_MANAGER, username="late-manager")
    programme = ProgrammeFactory(manager=me)
    _actions(me, programme, 30, late=2)
    client = client_as(me)
    first = client.get("/actions/mine/").content.decode()
    assert len(re.findall(r"govuk-tag--red\">Overdue", first)) == 2
    assert "2 of your actions are overdue" in first
    second = client.get("/actions/mine/?page=2").content.decode()
    assert "Overdue</strong>" not in second
    assert second.count('<tr class="govuk-table__row">') == 1 + 5
    assert client.get("/actions/mine/?page=nonsense").status_code == 200


def test_a_large_raid_import_writes_in_bulk_with_history_and_invalidates_once(
    logs_world, client_as
):
    manager = logs_world["people"]["manager"]
    rows = [row(Title=f"Imported risk {n:03d}") for n in range(300)]
    upload = workbook(rows)
    with (
        mock.patch("core.caching.invalidate") as invalidate,
        CaptureQueriesContext(connection) as captured,
    ):
        response = client_as(manager).post("/programmes/commercial/raid/import/", {"file": upload})
    assert response.status_code == 302
    risks = Risk.objects.filter(programme=logs_world["programme"], title__startswith="Imported")
    assert risks.count() == 300
    history = Risk.history.filter(title__startswith="Imported", history_type="+")
    assert history.count() == 300
    assert set(history.values_list("history_user", flat=True)) == {manager.pk}
    assert invalidate.call_count == 1  # one bulk write, one invalidation (was two per row)
    assert len(captured) < 60  # a save per row made more than 600


def test_a_raid_import_with_one_bad_row_among_many_imports_nothing(logs_world, client_as):
    rows = [row(Title=f"Imported risk {n:03d}") for n in range(300)]
    rows[250] = row(Title="Bad", **{"Residual impact": 9})
    response = client_as(logs_world["people"]["manager"]).post(
        "/programmes/commercial/raid/import/", {"file": workbook(rows)}
    )
    assert response.status_code == 200
    assert "Row 252, column Residual impact" in response.content.decode()
    assert not Risk.objects.filter(title__startswith="Imported").exists()

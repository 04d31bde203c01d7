"""The dashboard at a national scale: bounded lists with full downloads, and panels cached until
anything changes (with the cache down, still rendered)."""

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from core import caching
from dashboard.queries import LIST_LIMIT, PIPELINE_NAMED, ROADMAP_LIMIT
from governance.models import Action
from portfolio.models import Programme, Stage
from tests.governance.factories import ActionFactory
from tests.portfolio.factories import MilestoneFactory, PortfolioFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pmo_client(client_as, make_user):
    return client_as(make_user(Role.PMO))


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))[1:]


def test_overdue_actions_show_the_oldest_ten_with_the_count_and_all_in_the_download(pmo_client):
    programme = ProgrammeFactory()
    today = dt.date.today()
    for days in range(1, LIST_LIMIT + 6):
        ActionFactory(
            programme=programme, title=f"Chase {days:02d}", due_date=today - dt.timedelta(days=days)
        )
    text = pmo_client.get("/dashboard/").content.decode()
    assert f"{LIST_LIMIT + 5} actions overdue; the {LIST_LIMIT} longest overdue are below" in text
    assert "Chase 15" in text  # the oldest
    assert "Chase 01" not in text  # the newest is only in the download
    rows = _csv_rows(pmo_client.get("/dashboard/export/overdue-actions.csv"))
    assert len(rows) == LIST_LIMIT + 5
    assert rows[0][0] == "Chase 15"


def test_pipeline_counts_programmes_once_there_are_too_many_to_name(pmo_client):
    portfolio = PortfolioFactory(name="People", slug="people")
    ProgrammeFactory.create_batch(PIPELINE_NAMED + 1, portfolio=portfolio, stage=Stage.DESIGN)
    text = pmo_client.get("/dashboard/").content.decode()
    assert f"{PIPELINE_NAMED + 1} programmes." in text
    assert "Each cell counts the programmes at that stage" in text
    assert f'href="/programmes/?stage=design&amp;portfolio=people">{PIPELINE_NAMED + 1}' in text
    assert "days in stage" not in text
    rows = _csv_rows(pmo_client.get("/dashboard/export/pipeline.csv"))
    assert len(rows) == PIPELINE_NAMED + 1


def test_unassigned_programmes_are_counted_without_a_link_the_list_cannot_follow(pmo_client):
    ProgrammeFactory.create_batch(PIPELINE_NAMED, stage=Stage.DESIGN)
    ProgrammeFactory.create_batch(3, portfolio=None, stage=Stage.IDENTIFY, category="")
    text = pmo_client.get("/dashboard/").content.decode()
    row = text.split("Not yet assigned (before Gate 1)")[1].split("</tr>")[0]
    assert ">3<" in row.replace(" ", "").replace("\n", "")
    assert "href" not in row


def test_roadmap_shows_the_first_programmes_and_downloads_them_all(pmo_client):
    due = dt.date.today() + dt.timedelta(days=20)
    for i in range(ROADMAP_LIMIT + 2):
        MilestoneFactory(programme=ProgrammeFactory(name=f"Roadmap {i:02d}"), due_date=due)
    text = pmo_client.get("/dashboard/").content.decode()
    assert f"{ROADMAP_LIMIT + 2} programmes have milestones in these quarters" in text
    assert f"the first {ROADMAP_LIMIT} are below" in text
    rows = _csv_rows(pmo_client.get("/dashboard/export/roadmap.csv"))
    assert len(rows) == ROADMAP_LIMIT + 2


def test_a_cached_dashboard_reads_no_portfolio_data(demo, pmo_client):
    assert pmo_client.get("/dashboard/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert pmo_client.get("/dashboard/").status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "portfolio_programme" not in tables
    assert "governance_risk" not in tables
    assert len(queries.captured_queries) < 10


def test_a_save_shows_on_the_next_dashboard(demo, pmo_client):
    assert "Renamed by the PMO" not in pmo_client.get("/dashboard/").content.decode()
    programme = Programme.objects.get(slug="finance")
    programme.name = "Renamed by the PMO"
    programme.save()
    assert "Renamed by the PMO" in pmo_client.get("/dashboard/").content.decode()


def test_a_deletion_shows_on_the_next_dashboard(pmo_client):
    action = ActionFactory(title="Gone tomorrow", due_date=dt.date.today() - dt.timedelta(days=3))
    assert "Gone tomorrow" in pmo_client.get("/dashboard/").content.decode()
    Action.objects.filter(pk=action.pk).get().delete()
    assert "Gone tomorrow" not in pmo_client.get("/dashboard/").content.decode()


def test_filters_are_cached_apart(demo, pmo_client):
    def panels(query: str) -> str:
        headers = {"HX-Request": "true", "HX-Target": "dashboard-panels"}
        return pmo_client.get(f"/dashboard/{query}", headers=headers).content.decode()

    everything, narrowed = panels(""), panels("?category=A")
    assert "Where are we?" in narrowed
    assert narrowed != everything
    assert panels("?category=A") == narrowed
    assert panels("") == everything


def test_with_the_cache_down_the_dashboard_still_renders_every_panel(demo, pmo_client):
    broken = mock.Mock(side_effect=ConnectionError("Redis is down"))
    with (
        mock.patch.object(caching.cache, "get", broken),
        mock.patch.object(caching.cache, "add", broken),
        mock.patch.object(caching.cache, "set", broken),
        mock.patch.object(caching, "_unavailable_until", 0.0),
    ):
        response = pmo_client.get("/dashboard/")
        assert caching._unavailable_until > 0  # and it is left alone for a while
    assert response.status_code == 200
    for heading in ["Where are we?", "Delivery confidence", "Decisions pending", "Roadmap"]:
        assert heading in response.content.decode()


def test_a_new_deployment_never_serves_panels_the_old_code_rendered(demo, pmo_client, monkeypatch):
    assert pmo_client.get("/dashboard/").status_code == 200
    monkeypatch.setattr(caching, "CODE_VERSION", "the next release")
    with CaptureQueriesContext(connection) as queries:
        assert pmo_client.get("/dashboard/").status_code == 200
    assert "portfolio_programme" in " ".join(q["sql"] for q in queries.captured_queries)

"""The portfolio dependency page: which programme waits on which, from plans (a milestone
waiting on another programme's milestone) and RAID logs, late ones first, a page at a time."""

import datetime as dt

import pytest
from django.utils import timezone

from governance import queries
from governance.models import Dependency, LogStatus
from tests.portfolio.factories import MilestoneFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_late_dependencies_come_first_from_plans_and_raid_logs(logs_world, client_as):
    commercial, ai = logs_world["programme"], logs_world["other"]
    today = timezone.localdate()
    platform = MilestoneFactory(
        programme=ai, title="Data platform live", due_date=today + dt.timedelta(days=100)
    )
    MilestoneFactory(
        programme=commercial,
        title="Pricing engine",
        depends_on=platform,
        due_date=today + dt.timedelta(days=60),
    )
    on_time = MilestoneFactory(
        programme=ai, title="Model trained", due_date=today + dt.timedelta(days=10)
    )
    MilestoneFactory(
        programme=commercial,
        title="Pilot",
        depends_on=on_time,
        due_date=today + dt.timedelta(days=20),
    )
    Dependency.objects.create(
        programme=ai,
        depends_on=commercial,
        title="Commercial sponsor",
        needed_by=today - dt.timedelta(days=5),
    )
    Dependency.objects.create(
        programme=ai,
        depends_on=commercial,
        title="Closed one",
        needed_by=today - dt.timedelta(days=50),
        status=LogStatus.CLOSED,
    )
    Dependency.objects.create(programme=ai, outside_body="NHS trust", title="Outside body")

    context = queries.portfolio_dependencies()
    rows = [(r.waiting.name, r.on.name, r.what, r.days_late) for r in context["rows"]]
    assert rows == [
        ("Strategic AI", "Commercial", "Commercial sponsor", 5),
        ("Commercial", "Strategic AI", "Pricing engine waits on Data platform live", 40),
        ("Commercial", "Strategic AI", "Pilot waits on Model trained", 0),
    ]
    assert context["late_count"] == 2

    page = client_as(logs_world["people"]["viewer"]).get("/dependencies/").content.decode()
    assert "40 days late" in page
    assert "5 days late" in page
    assert "Closed one" not in page
    assert client_as(logs_world["people"]["scrutiny"]).get("/dependencies/").status_code == 403


def test_the_dependency_page_is_paged(logs_world, client_as):
    target = MilestoneFactory(programme=logs_world["other"], due_date=dt.date(2030, 1, 1))
    waiting = ProgrammeFactory()
    for n in range(queries.DEPENDENCIES_PER_PAGE + 3):
        MilestoneFactory(
            programme=waiting,
            title=f"Step {n}",
            depends_on=target,
            due_date=dt.date(2029, 1, 1) + dt.timedelta(days=n),
        )
    client = client_as(logs_world["people"]["pmo"])
    first = client.get("/dependencies/").content.decode()
    assert first.count("days late") == queries.DEPENDENCIES_PER_PAGE
    second = client.get("/dependencies/?page=2").content.decode()
    assert second.count("days late") == 3

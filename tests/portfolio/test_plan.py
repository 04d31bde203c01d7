"""The Plan page: milestones added, changed, reordered and completed in the browser; lateness;
the baseline locked in Deliver and moved by an approved change request; the timeline."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dashboard.queries import DashboardFilters, roadmap
from governance import services as governance
from governance.models import BaselineKind, ChangeRequest
from portfolio import services
from portfolio.models import Milestone, MilestoneStatus, Programme, Stage
from portfolio.periods import FinancialYear
from tests.portfolio.factories import MilestoneFactory

pytestmark = pytest.mark.django_db

PLAN = "/programmes/commercial/plan/"


def add(client, **fields):
    data = {"title": "Go live", "due_date": "2027-03-31", "status": "not_started"} | fields
    return client.post(PLAN, data)


def test_the_manager_adds_milestones_to_the_end_of_the_plan(logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    response = add(
        client,
        title="Supplier chosen",
        due_date="2026-09-30",
        reference="M-01",
        stage="design",
        owner=logs_world["people"]["sro"].pk,
    )
    assert response.status_code == 302
    add(client, title="Go live", due_date="2027-03-31")
    first, second = Milestone.objects.in_plan_order()
    assert (first.title, first.position, second.position) == ("Supplier chosen", 1, 2)
    assert first.baseline_date == first.due_date == dt.date(2026, 9, 30)
    assert first.owner == logs_world["people"]["sro"]
    text = client.get(PLAN).content.decode()
    assert "Supplier chosen" in text
    assert "(M-01)" in text
    assert "<svg" in text
    assert "Plan timeline by quarter" in text
    assert ">2026/27</text>" in text  # the timeline's years, and its quarters
    assert ">Q2</text>" in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"due_date": "2026-02-31"}, "Enter a valid date."),
        ({"due_date": "31/02/2026"}, "Enter a valid date."),
        ({"due_date": ""}, "This field is required."),
        ({"due_date": "2301-01-01"}, "Enter a date between 1 January 2000 and 31 December 2099."),
        ({"status": "complete"}, "Enter the actual date the milestone was completed."),
        ({"completed_on": "2026-01-05"}, "A milestone with an actual date is complete"),
        ({"title": ""}, "This field is required."),
    ],
)
def test_a_bad_milestone_is_refused_with_a_message_and_nothing_saved(
    logs_world, client_as, fields, message
):
    response = add(client_as(logs_world["people"]["manager"]), **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Milestone.objects.exists()


def test_a_forecast_past_its_baseline_shows_late_with_the_days(logs_world, client_as):
    milestone = MilestoneFactory(
        programme=logs_world["programme"],
        title="Go live",
        baseline_date=dt.date(2027, 3, 1),
        due_date=dt.date(2027, 3, 15),
    )
    assert milestone.days_late == 14
    text = client_as(logs_world["people"]["viewer"]).get(PLAN).content.decode()
    assert "14 days late" in text
    assert "1 late" in text


def test_milestones_are_reordered_and_completed(logs_world, client_as):
    manager = logs_world["people"]["manager"]
    client = client_as(manager)
    for title in ("One", "Two", "Three"):
        add(client, title=title)
    three = Milestone.objects.get(title="Three")
    client.post(f"{PLAN}{three.pk}/move/", {"direction": "up"})
    assert [m.title for m in Milestone.objects.in_plan_order()] == ["One", "Three", "Two"]
    one = Milestone.objects.get(title="One")
    response = client.post(f"{PLAN}{one.pk}/move/", {"direction": "up"})
    assert "already first in the plan" in client.get(response["Location"]).content.decode()
    response = client.post(f"{PLAN}{one.pk}/complete/", {"completed_on": "2026-01-10"})
    assert response.status_code == 302
    one.refresh_from_db()
    assert (one.status, one.completed_on) == (MilestoneStatus.COMPLETE, dt.date(2026, 1, 10))
    future = client.post(f"{PLAN}{three.pk}/complete/", {"completed_on": "2099-01-01"})
    assert (
        "The actual date cannot be in the future."
        in client.get(future["Location"]).content.decode()
    )
    three.refresh_from_db()
    assert not three.is_complete


def test_a_milestone_waits_on_another_programmes_milestone_but_not_in_a_circle(logs_world):
    manager = logs_world["people"]["manager"]
    theirs = MilestoneFactory(programme=logs_world["other"], title="Data platform live")
    ours = services.milestone_save(
        programme=logs_world["programme"],
        title="AI pilot",
        due_date=dt.date(2027, 1, 1),
        depends_on=theirs,
        actor=manager,
    )
    assert list(theirs.dependents.all()) == [ours]
    with pytest.raises(ValidationError, match="already waits on this milestone"):
        services.milestone_save(
            programme=logs_world["other"],
            milestone=theirs,
            title=theirs.title,
            due_date=theirs.due_date,
            depends_on=ours,
            actor=logs_world["people"]["pmo"],
        )
    sibling = MilestoneFactory(programme=logs_world["programme"])
    with pytest.raises(ValidationError, match="another programme"):
        services.milestone_save(
            programme=logs_world["programme"],
            milestone=ours,
            title="AI pilot",
            due_date=ours.due_date,
            depends_on=sibling,
            actor=manager,
        )


def test_viewers_and_other_managers_see_the_plan_but_cannot_change_it(logs_world, client_as):
    milestone = MilestoneFactory(programme=logs_world["programme"])
    for who in ("viewer", "other_manager", "board"):
        client = client_as(logs_world["people"][who])
        page = client.get(PLAN)
        assert page.status_code == 200
        assert "Add a milestone" not in page.content.decode()
        assert add(client).status_code == 403
        assert client.post(f"{PLAN}{milestone.pk}/move/", {"direction": "up"}).status_code == 403
    assert client_as(logs_world["people"]["scrutiny"]).get(PLAN).status_code == 403
    assert Milestone.objects.count() == 1


def test_in_deliver_the_baseline_moves_only_through_an_approved_change_request(
    logs_world, client_as
):
    Programme.objects.filter(pk=logs_world["programme"].pk).update(stage=Stage.DELIVER)
    programme = Programme.objects.get(pk=logs_world["programme"].pk)
    manager = logs_world["people"]["manager"]
    milestone = MilestoneFactory(
        programme=programme,
        title="Go live",
        baseline_date=dt.date(2026, 6, 30),
        due_date=dt.date(2026, 6, 30),
    )
    client = client_as(manager)
    client.post(
        f"{PLAN}{milestone.pk}/",
        {
            "title": "Go live",
            "baseline_date": "2026-09-30",
            "due_date": "2026-08-15",
            "status": "in_progress",
        },
    )
    milestone.refresh_from_db()
    assert milestone.baseline_date == dt.date(2026, 6, 30)  # the disabled field is ignored
    assert milestone.due_date == dt.date(2026, 8, 15)
    assert milestone.days_late == 46
    with pytest.raises(ValidationError, match="only through an approved change request"):
        services.milestone_save(
            programme=programme,
            milestone=milestone,
            title="Go live",
            due_date=milestone.due_date,
            baseline_date=dt.date(2026, 9, 1),
            actor=logs_world["people"]["pmo"],
        )
    change = governance.change_request_raise(
        change_request=ChangeRequest(
            programme=programme,
            title="Later go-live",
            kind="time",
            description="Supplier",
            time_impact_days=46,
            baseline=BaselineKind.MILESTONE,
            milestone=milestone,
            new_due_date=dt.date(2026, 8, 15),
        ),
        actor=manager,
    )
    governance.change_request_decide(
        change_request=change, approve=True, reasons="Agreed", actor=logs_world["people"]["board"]
    )
    milestone.refresh_from_db()
    assert milestone.baseline_date == dt.date(2026, 8, 15)
    assert milestone.days_late == 0
    page = client.get(f"{PLAN}{milestone.pk}/").content.decode()
    assert "Baseline: 30 Jun 2026 → 15 Aug 2026" in page
    assert "Forecast: 30 Jun 2026 → 15 Aug 2026" in page


def test_the_roadmap_draws_the_forecast_the_plan_sets(logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    add(client, title="Go live", due_date="2026-05-10")
    milestone = Milestone.objects.get()
    filters = DashboardFilters(financial_year=FinancialYear(2026))
    cells = roadmap(filters)["groups"]
    row = next(r for rows in cells.values() for r in rows if r["programme"].slug == "commercial")
    assert [len(c) for c in row["cells"]] == [1, 0, 0, 0]
    client.post(
        f"{PLAN}{milestone.pk}/",
        {"title": "Go live", "due_date": "2026-11-10", "status": "in_progress"},
    )
    cells = roadmap(filters)["groups"]
    row = next(r for rows in cells.values() for r in rows if r["programme"].slug == "commercial")
    assert [len(c) for c in row["cells"]] == [0, 0, 1, 0]

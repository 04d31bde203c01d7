"""Calendar feeds, read back with icalendar as Outlook-style clients would read them."""

import datetime as dt

import pytest
from icalendar import Calendar

from accounts.roles import Role
from governance.models import ActionStatus
from tests.api.conftest import basic, bearer
from tests.governance.factories import ActionFactory, BoardFactory, RiskFactory
from tests.portfolio.factories import MilestoneFactory, ProgrammeFactory


def _events(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    return {
        str(event["UID"]): {"summary": str(event["SUMMARY"]), "start": event.decoded("DTSTART")}
        for event in calendar.walk("VEVENT")
    }


@pytest.fixture
def person(make_user):
    return make_user(Role.PROGRAMME_MANAGER, username="priya")


def test_a_persons_feed_has_their_actions_risk_reviews_and_board_meetings(
    client, person, make_user, make_token
):
    due = dt.date(2026, 12, 3)
    mine = ActionFactory(owner=person, title="Send the brief", due_date=due)
    ActionFactory(owner=person, title="Finished", status=ActionStatus.DONE)
    ActionFactory(title="Someone else's")
    risk = RiskFactory(owner=person, title="Supplier failure", review_date=dt.date(2027, 1, 15))
    board = BoardFactory(name="Delivery Board", next_meeting=dt.date(2026, 12, 10))
    board.members.add(person)
    BoardFactory(name="Not mine", next_meeting=dt.date(2026, 12, 11))
    events = _events(client.get("/calendar/mine.ics?token=" + make_token(person)))
    assert events[f"action-{mine.pk}@delivery-hub"]["start"] == due
    assert "Send the brief" in events[f"action-{mine.pk}@delivery-hub"]["summary"]
    assert events[f"risk-review-{risk.pk}@delivery-hub"]["start"] == dt.date(2027, 1, 15)
    meeting = events[f"board-{board.pk}-meeting-20261210@delivery-hub"]
    assert meeting["summary"] == "Delivery Board meets"
    summaries = " ".join(e["summary"] for e in events.values())
    assert "Finished" not in summaries
    assert "Someone else's" not in summaries
    assert "Not mine" not in summaries


def test_a_programmes_feed_has_its_milestones(client, person, make_token):
    programme = ProgrammeFactory(name="Libraries")
    milestone = MilestoneFactory(programme=programme, title="Go live", due_date=dt.date(2027, 3, 1))
    MilestoneFactory(title="Another programme's")
    response = client.get(
        f"/calendar/programmes/{programme.slug}.ics", **basic("priya", make_token(person))
    )
    events = _events(response)
    assert list(events) == [f"milestone-{milestone.pk}@delivery-hub"]
    assert events[f"milestone-{milestone.pk}@delivery-hub"]["start"] == dt.date(2027, 3, 1)


def test_calendar_feeds_need_a_token_and_a_reading_role(client, make_user, make_token):
    programme = ProgrammeFactory()
    for url in ("/calendar/mine.ics", f"/calendar/programmes/{programme.slug}.ics"):
        assert client.get(url).status_code == 401
        assert client.get(url + "?token=dh_nonsense").status_code == 401
        scrutiny = make_user(Role.SCRUTINY_MEMBER)
        assert client.get(url, **bearer(make_token(scrutiny))).status_code == 403
    # ?token= is taken on the calendar feeds only, not on the OData feed.
    viewer = make_user(Role.VIEWER, username="vic")
    secret = make_token(viewer)
    assert client.get("/calendar/mine.ics?token=" + secret).status_code == 200
    assert client.get("/odata/?token=" + secret).status_code == 401

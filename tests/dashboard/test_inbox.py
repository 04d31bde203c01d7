"""Every role's home page has a personal inbox: what waits for me, newest first and bounded,
with its count in the navigation; its queries do not grow with what waits."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from governance.models import ChangeRequest, Escalation
from tests.governance.factories import ActionFactory, BoardFactory
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(make_user):
    person = make_user(Role.BOARD_MEMBER, username="member", first_name="Mina")
    board = BoardFactory(slug="delivery-board", name="Delivery Board", kind="delivery",
                         members=[person])  # fmt: skip
    return person, board


def _waiting(person, board, n):
    programme = ProgrammeFactory()
    raiser = programme.manager or person
    for i in range(n):
        ChangeRequest.objects.create(
            programme=programme, title=f"Change {i}", kind="cost", description="Why.",
            routed_to=board, raised_by=raiser,
            raised_on=dt.date(2026, 1, 1) + dt.timedelta(days=i),
        )  # fmt: skip
        Escalation.objects.create(
            programme=programme, source="decision_request", title=f"Escalation {i}",
            board=board, ask="Decide.", raised_by=raiser,
        )  # fmt: skip
        ActionFactory(programme=programme, owner=person, title=f"Action {i}",
                      due_date=dt.date(2020, 1, 1) + dt.timedelta(days=i))  # fmt: skip


def test_a_board_members_home_shows_what_waits_newest_first_with_counts(member, client_as):
    person, board = member
    _waiting(person, board, 3)
    page = client_as(person).get("/").content.decode()
    assert "What waits for you" in page
    assert "Change request: 3" in page
    assert "Escalation: 3" in page
    assert "Overdue action: 3" in page
    assert page.index("Escalation 2") < page.index("Escalation 0")
    assert 'class="govuk-tag govuk-tag--red app-inbox-count">9' in page


def test_the_home_inbox_is_bounded_and_links_to_the_full_list(member, client_as):
    person, board = member
    _waiting(person, board, 5)  # 15 items, 10 shown
    page = client_as(person).get("/").content.decode()
    assert "The newest 10 of 15 are shown." in page
    assert 'href="/inbox/"' in page
    full = client_as(person).get("/inbox/").content.decode()
    assert full.count("app-inbox") >= 1
    assert "Change 0" in full


def test_inbox_queries_do_not_grow_with_what_waits(member, client_as):
    person, board = member
    client = client_as(person)
    _waiting(person, board, 2)
    with CaptureQueriesContext(connection) as few:
        client.get("/inbox/")
    _waiting(person, board, 30)
    with CaptureQueriesContext(connection) as many:
        client.get("/inbox/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_programmes_own_team_is_not_asked_to_decide_its_change_request(
    member, client_as, make_user
):
    person, board = member
    programme = ProgrammeFactory(manager=person)
    ChangeRequest.objects.create(
        programme=programme, title="Own change", kind="cost", description="Why.",
        routed_to=board, raised_by=person,
    )  # fmt: skip
    assert "Own change" not in client_as(person).get("/").content.decode()


def test_the_navigations_count_is_the_inboxs_total_in_one_statement(member):
    from dashboard.inbox import inbox, inbox_count

    person, board = member
    assert inbox_count(person) == 0
    _waiting(person, board, 4)
    with CaptureQueriesContext(connection) as counted:
        total = inbox_count(person)
    assert total == inbox(person)["total"] == 12
    # the person's boards, read twice to shape the filters, then the one count
    assert len(counted.captured_queries) <= 3


def test_someone_on_no_board_with_nothing_waiting_counts_nothing(make_user):
    from dashboard.inbox import inbox_count

    assert inbox_count(make_user(Role.VIEWER, username="viewer")) == 0

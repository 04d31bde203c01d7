"""The "Escalate" link on each open action and issue row (the actions log, the RAID log's issues,
"My actions" and the manager's dashboard): shown only to whom ``governance.escalate_item``
allows, leading to the escalation form for that item; once escalated the row says to which board
(a link to the escalation) and offers no second escalation while that one is open."""

import re

import pytest

from governance.models import Escalation
from governance.models.logs import ActionStatus
from governance.models.raid import LogStatus
from portfolio.models import Stage
from tests.governance.factories import ActionFactory, IssueFactory

pytestmark = pytest.mark.django_db

ESCALATE = re.compile(
    r'href="/programmes/commercial/escalate/\?source=(action|issue)&amp;id=(\d+)"'
)


@pytest.fixture
def delivering(logs_world):
    programme = logs_world["programme"]
    type(programme).objects.filter(pk=programme.pk).update(stage=Stage.DELIVER)
    programme.refresh_from_db()
    return programme


def links(html: str) -> set[tuple[str, int]]:
    return {(source, int(pk)) for source, pk in ESCALATE.findall(html)}


@pytest.fixture
def items(logs_world, delivering):
    people = logs_world["people"]
    return {
        "action": ActionFactory(
            programme=delivering, owner=people["manager"], title="Sign the lease"
        ),
        "done": ActionFactory(
            programme=delivering,
            owner=people["manager"],
            title="Draft the lease",
            status=ActionStatus.DONE,
        ),
        "issue": IssueFactory(programme=delivering, title="Supplier went bust"),
        "closed_issue": IssueFactory(
            programme=delivering, title="Old outage", status=LogStatus.CLOSED
        ),
    }


@pytest.mark.parametrize(
    ("source", "log", "open_key", "closed_key"),
    [
        ("action", "/programmes/commercial/actions/", "action", "done"),
        ("issue", "/programmes/commercial/raid/issues/", "issue", "closed_issue"),
    ],
)
def test_an_open_row_is_escalated_once_and_then_says_to_which_board(
    logs_world, items, client_as, source, log, open_key, closed_key
):
    people, board = logs_world["people"], logs_world["boards"]["delivery"]
    item, closed = items[open_key], items[closed_key]
    client = client_as(people["manager"])
    page = client.get(log).content.decode()
    assert links(page) == {(source, item.pk)}  # the open row only, not the closed one

    form = client.get(f"/programmes/commercial/escalate/?source={source}&id={item.pk}")
    assert f"{source.title()}: {item.title}" in form.content.decode()
    response = client.post(
        f"/programmes/commercial/escalate/?source={source}&id={item.pk}",
        {"board": board.pk, "ask": "Decide how to proceed."},
    )
    escalation = Escalation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/escalations/{escalation.pk}/"

    page = client.get(log).content.decode()
    assert links(page) == set()
    assert "Escalated</strong> to the" in page
    assert f'href="/escalations/{escalation.pk}/">Delivery Board' in page

    # The form is not offered again while it is open (it leads to the open escalation), and a
    # second escalation posted anyway is refused and saves nothing.
    again = client.get(f"/programmes/commercial/escalate/?source={source}&id={item.pk}")
    assert again.status_code == 302
    assert again["Location"] == f"/escalations/{escalation.pk}/"
    refused = client.post(
        f"/programmes/commercial/escalate/?source={source}&id={item.pk}",
        {"board": logs_world["boards"]["stb"].pk, "ask": "Again."},
    )
    assert "already escalated to the Delivery Board" in refused.content.decode()
    # A closed row cannot be escalated either.
    closed_post = client.post(
        f"/programmes/commercial/escalate/?source={source}&id={closed.pk}",
        {"board": board.pk, "ask": "Decide."},
    )
    assert "only an open" in closed_post.content.decode()
    assert Escalation.objects.count() == 1

    # Once the board has responded, the row may be escalated again; the decision log links the
    # answer to its escalation and names what was escalated.
    client_as(people["board"]).post(f"/escalations/{escalation.pk}/", {"response": "Proceed."})
    page = client_as(people["manager"]).get(log).content.decode()
    assert links(page) == {(source, item.pk)}
    decisions = client.get("/programmes/commercial/decisions/").content.decode()
    assert f'href="/escalations/{escalation.pk}/">Escalation answered: {item.title}' in decisions
    assert f"Escalated {source}" in decisions


@pytest.mark.parametrize(
    ("who", "sees_link", "may_post"),
    [
        ("manager", True, True),
        ("sro", True, True),
        ("pmo", True, True),
        ("other_manager", False, False),
        ("board", False, False),
        ("viewer", False, False),
    ],
)
def test_who_sees_the_link_and_who_may_escalate(
    logs_world, items, client_as, who, sees_link, may_post
):
    people, board = logs_world["people"], logs_world["boards"]["delivery"]
    client = client_as(people[who])
    actions = client.get("/programmes/commercial/actions/").content.decode()
    issues = client.get("/programmes/commercial/raid/issues/").content.decode()
    expected = {("action", items["action"].pk)} if sees_link else set()
    assert links(actions) == expected
    assert links(issues) == ({("issue", items["issue"].pk)} if sees_link else set())
    response = client.post(
        f"/programmes/commercial/escalate/?source=action&id={items['action'].pk}",
        {"board": board.pk, "ask": "Decide."},
    )
    assert response.status_code == (302 if may_post else 403)
    assert Escalation.objects.count() == (1 if may_post else 0)


def test_a_closed_programme_offers_no_escalation(logs_world, items, client_as):
    programme = logs_world["programme"]
    type(programme).objects.filter(pk=programme.pk).update(stage=Stage.CLOSED)
    client = client_as(logs_world["people"]["manager"])
    assert links(client.get("/programmes/commercial/actions/").content.decode()) == set()
    response = client.post(
        f"/programmes/commercial/escalate/?source=action&id={items['action'].pk}",
        {"board": logs_world["boards"]["delivery"].pk, "ask": "Decide."},
    )
    assert response.status_code == 403
    assert not Escalation.objects.exists()


def test_the_manager_escalates_from_the_dashboard_and_my_actions(logs_world, items, client_as):
    people, board = logs_world["people"], logs_world["boards"]["delivery"]
    client = client_as(people["manager"])
    dashboard = client.get("/dashboard/").content.decode()
    assert "Your programmes' open actions and issues" in dashboard
    assert links(dashboard) == {("action", items["action"].pk), ("issue", items["issue"].pk)}
    assert "Draft the lease" not in dashboard  # done
    mine = client.get("/actions/mine/").content.decode()
    assert links(mine) == {("action", items["action"].pk)}

    client.post(
        f"/programmes/commercial/escalate/?source=action&id={items['action'].pk}",
        {"board": board.pk, "ask": "Agree the lease terms."},
    )
    escalation = Escalation.objects.get()
    dashboard = client.get("/dashboard/").content.decode()
    assert links(dashboard) == {("issue", items["issue"].pk)}
    assert f'href="/escalations/{escalation.pk}/">Delivery Board' in dashboard
    assert links(client.get("/actions/mine/").content.decode()) == set()
    home = client.get("/").content.decode()
    assert f'href="/escalations/{escalation.pk}/">Delivery Board' in home

    # Others' dashboards do not list this programme's items to escalate.
    viewer = client_as(people["viewer"]).get("/dashboard/").content.decode()
    assert "open actions and issues" not in viewer


def test_the_dashboard_counts_own_open_actions_only_up_to_its_bound(
    logs_world, delivering, client_as, monkeypatch
):
    from dashboard import queries

    monkeypatch.setattr(queries, "OWN_ITEMS_COUNTED", 12)
    people = logs_world["people"]
    for n in range(queries.OWN_ITEMS_SHOWN + 3):
        ActionFactory(programme=delivering, owner=people["manager"], title=f"Action {n}")
    client = client_as(people["manager"])
    assert "The first 10 of more than 12 are shown" in client.get("/dashboard/").content.decode()
    monkeypatch.setattr(queries, "OWN_ITEMS_COUNTED", 13)
    assert "The first 10 of 13 are shown" in client.get("/dashboard/").content.decode()

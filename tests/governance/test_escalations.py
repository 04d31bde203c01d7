"""Escalation as a first-class thing: a highlight report, action, issue or decision request is
escalated to a named board with what is asked of it, waits on the dashboard and in the board's
pack until the board responds, and the response lands in the decision log."""

import datetime as dt

import pytest

from governance.models import Decision, Escalation
from portfolio.models import HighlightReport, Stage
from tests.governance.factories import ActionFactory, BoardFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivering(logs_world):
    programme = logs_world["programme"]
    type(programme).objects.filter(pk=programme.pk).update(stage=Stage.DELIVER)
    programme.refresh_from_db()
    return programme


def test_manager_escalates_an_action_to_the_delivery_board_and_it_waits_in_the_pack(
    logs_world, delivering, client_as
):
    people, board = logs_world["people"], logs_world["boards"]["delivery"]
    action = ActionFactory(programme=delivering, owner=people["manager"], title="Sign the lease")
    client = client_as(people["manager"])
    url = f"/programmes/commercial/escalate/?source=action&id={action.pk}"
    assert "Action: Sign the lease" in client.get(url).content.decode()
    response = client.post(url, {"board": board.pk, "ask": "Agree the lease terms."})
    escalation = Escalation.objects.get()
    assert response.status_code == 302
    assert (escalation.title, escalation.board, escalation.source) == (
        "Sign the lease", board, "action",
    )  # fmt: skip
    pack = client_as(people["board"]).get("/boards/delivery-board/pack/").content.decode()
    assert "Escalations awaiting the board" in pack
    assert "Agree the lease terms." in pack
    dashboard = client_as(people["viewer"]).get("/dashboard/").content.decode()
    assert "Sign the lease" in dashboard


def test_the_board_responds_and_the_response_lands_in_the_decision_log(
    logs_world, delivering, client_as
):
    people, board = logs_world["people"], logs_world["boards"]["delivery"]
    escalation = Escalation.objects.create(
        programme=delivering, source="decision_request", title="Recruit the commercial team",
        board=board, ask="Agree to recruit now.", raised_by=people["manager"],
    )  # fmt: skip
    url = f"/escalations/{escalation.pk}/"
    assert client_as(people["manager"]).post(url, {"response": "Yes."}).status_code == 403
    response = client_as(people["board"]).post(url, {"response": "Agreed: recruit in Q2."})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert not escalation.is_open
    decision = Decision.objects.get(escalation=escalation)
    assert (decision.board, decision.decision) == (board, "Agreed: recruit in Q2.")
    assert "Agree to recruit now." in decision.rationale
    pack = client_as(people["board"]).get("/boards/delivery-board/pack/").content.decode()
    assert "Recruit the commercial team" not in pack
    again = client_as(people["board"]).post(url, {"response": "Twice."}, follow=True)
    assert "already responded" in again.content.decode()


def test_a_highlight_report_and_an_issue_can_be_escalated(logs_world, delivering, client_as):
    people, board = logs_world["people"], logs_world["boards"]["stb"]
    report = HighlightReport.objects.create(
        programme=delivering, month=dt.date(2026, 10, 1), delivery_confidence="amber",
        schedule_rag="amber", budget_rag="green", benefits_rag="green", risk_rag="amber",
        progress="On track.", escalations="Supplier delay.", created_by=people["manager"],
    )  # fmt: skip
    issue = IssueFactory(programme=delivering, title="Data centre outage")
    client = client_as(people["manager"])
    workbook = client.get("/programmes/commercial/workbook/").content.decode()
    assert f"?source=highlight_report&amp;id={report.pk}" in workbook
    for source, pk in (("highlight_report", report.pk), ("issue", issue.pk)):
        client.post(
            f"/programmes/commercial/escalate/?source={source}&id={pk}",
            {"board": board.pk, "ask": "Decide."},
        )
    assert set(Escalation.objects.values_list("source", flat=True)) == {
        "highlight_report", "issue",
    }  # fmt: skip


def test_an_item_of_another_programme_cannot_be_escalated_here(logs_world, client_as):
    people = logs_world["people"]
    elsewhere = ActionFactory(programme=logs_world["other"])
    response = client_as(people["manager"]).get(
        f"/programmes/commercial/escalate/?source=action&id={elsewhere.pk}"
    )
    assert response.status_code == 404


def test_an_escalation_needs_what_is_asked_and_an_active_board(logs_world, client_as):
    people = logs_world["people"]
    archived = BoardFactory(slug="old", name="Old board")
    archived.archived_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    archived.save()
    client = client_as(people["manager"])
    response = client.post("/programmes/commercial/escalate/", {"board": archived.pk, "ask": ""})
    text = response.content.decode()
    assert "Say what is asked of the board" in text
    assert "Select a valid choice" in text
    assert "Say what the board is asked to decide" in text
    assert not Escalation.objects.exists()

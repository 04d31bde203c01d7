"""The governance demo: the journey of issue 4 on the demo data."""

import pytest

from accounts.models import User
from governance.models import (
    Action,
    ChangeRequest,
    Decision,
    Dependency,
    RaciActivity,
    Risk,
    TermsOfReference,
)

pytestmark = pytest.mark.django_db


def test_demo_has_programme_logs_for_the_managers_programmes(demo):
    assert Risk.objects.filter(programme__slug="business-intelligence", escalated=True).exists()
    assert Risk.objects.review_overdue().filter(programme__slug="commercial").exists()
    assert Action.objects.overdue().filter(owner__username="manager").exists()
    dependency = Dependency.objects.get(depends_on__slug="business-intelligence")
    assert dependency.programme.slug == "strategic-ai"
    assert RaciActivity.objects.filter(programme__slug="commercial").count() == 4
    for slug in ["strategic-transformation-board", "delivery-board",
                 "partner-of-choice-portfolio-board", "commercial-programme-board"]:  # fmt: skip
        assert TermsOfReference.objects.filter(board__slug=slug).exists()


def test_demo_board_member_approves_the_change_and_the_milestone_moves(demo, client):
    change = ChangeRequest.objects.get(programme__slug="commercial", status="awaiting")
    assert change.routed_to.slug == "delivery-board"
    before = change.milestone.due_date
    client.force_login(User.objects.get(username="board"))
    assert "Delivery Board" in client.get("/boards/delivery-board/pack/").content.decode()
    response = client.post(
        f"/change-requests/{change.pk}/", {"outcome": "approve", "reasons": "Agreed"}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    change.milestone.refresh_from_db()
    assert change.milestone.due_date == change.new_due_date != before
    assert Decision.objects.filter(change_request=change).exists()


def test_demo_manager_sees_the_raid_log_with_the_heat_map(demo, client):
    client.force_login(User.objects.get(username="manager"))
    text = client.get("/programmes/business-intelligence/raid/").content.decode()
    assert "Data quality in source systems" in text
    assert "Heat map of open risks" in text
    assert "Add a risk" in text

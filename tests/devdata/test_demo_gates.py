"""The demo's lifecycle content: what a new user signing in as the demo people finds."""

from datetime import date

import pytest

from accounts.models import User
from governance.models import GateReview, ReviewStatus
from portfolio.models import DeliveryConfidence, HighlightReport, StageDocument

pytestmark = pytest.mark.django_db


def test_demo_board_member_has_business_intelligence_awaiting_the_delivery_board(demo, client):
    review = GateReview.objects.open().get(programme__slug="business-intelligence")
    assert (review.gate, review.current_sign_off, review.current_step) == ("gate_3", "delivery", 1)
    client.force_login(User.objects.get(username="board"))
    queue = client.get("/gates/").content.decode().split("Awaiting your decision")[1]
    assert "Business Intelligence" in queue.split("</table>")[0]


def test_demo_corporate_landlord_soc_is_partly_written(demo):
    soc = StageDocument.objects.get(programme__slug="corporate-landlord", kind="soc")
    written = {s.key for s in soc.sections.all() if s.text}
    assert written == {"strategic-case", "economic-case"}
    assert not soc.locked


def test_demo_highlight_reports_show_a_confidence_trend(demo):
    finance = HighlightReport.objects.filter(programme__slug="finance")
    assert finance.filter(month__gte=date(2019, 10, 1), month__lte=date(2019, 12, 1)).count() == 3
    commercial = HighlightReport.objects.filter(programme__slug="commercial")
    assert commercial.filter(month__year=2024).count() == 12
    assert len(set(commercial.values_list("delivery_confidence", flat=True))) >= 3
    assert set(HighlightReport.objects.values_list("delivery_confidence", flat=True)) <= set(
        DeliveryConfidence.values
    )


def test_demo_deliver_programmes_have_passed_gates_on_their_timeline(demo, client):
    passed = GateReview.objects.filter(programme__slug="commercial", status=ReviewStatus.APPROVED)
    assert sorted(passed.values_list("gate", flat=True)) == ["gate_1", "gate_2", "gate_3"]
    client.force_login(User.objects.get(username="viewer"))
    text = client.get("/programmes/commercial/").content.decode()
    assert "Gate 3: Full Programme Brief</a>: approved" in text

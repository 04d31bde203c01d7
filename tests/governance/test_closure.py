"""The closure checklist on the closure report's submit, and tracking benefits after closure."""

import pytest

from benefits.models import BenefitStatus
from governance.models import Action, ClosureHandover, Decision, GateReview, Risk
from governance.services import GateError, gate_review_decide, gate_review_submit
from portfolio.models import DocumentKind, Stage
from tests.benefits.factories import BenefitFactory
from tests.governance.conftest import write_document
from tests.governance.factories import ActionFactory, RiskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closing(world, make_programme):
    programme = make_programme(slug="income", name="Income", stage=Stage.DELIVER, category="B")
    write_document(programme, DocumentKind.CLOSURE_REPORT, world.manager)
    action = ActionFactory(programme=programme, owner=world.manager, title="Hand over the CRM")
    risk = RiskFactory(programme=programme, owner=world.manager, title="Supplier exit")
    benefit = BenefitFactory(programme=programme, title="Commercial income", type="income")
    return programme, action, risk, benefit


def test_the_closure_report_cannot_be_submitted_with_unsettled_items(world, closing):
    programme, *_ = closing
    with pytest.raises(GateError, match="Complete the closure checklist first: 3 open items"):
        gate_review_submit(programme=programme, actor=world.manager)
    assert not GateReview.objects.exists()


def test_the_checklist_settles_every_item_submits_and_the_decision_records_the_handover(
    world, closing, client_as
):
    programme, action, risk, benefit = closing
    client = client_as(world.manager)
    page = client.get("/programmes/income/closure-checklist/").content.decode()
    for title in ("Hand over the CRM", "Supplier exit", "Commercial income"):
        assert title in page
    response = client.post(
        "/programmes/income/closure-checklist/",
        {f"action-{action.pk}-outcome": "close",
         f"risk-{risk.pk}-outcome": "transfer", f"risk-{risk.pk}-owner": world.sro.pk,
         f"risk-{risk.pk}-board": world.delivery.pk,
         f"benefit-{benefit.pk}-outcome": "track", f"benefit-{benefit.pk}-owner": world.sro.pk},
    )  # fmt: skip
    assert response.status_code == 302
    assert Action.objects.get(pk=action.pk).status == "done"
    assert Risk.objects.get(pk=risk.pk).owner == world.sro
    benefit.refresh_from_db()
    assert benefit.owner == world.sro
    assert ClosureHandover.objects.filter(programme=programme).count() == 3
    review = GateReview.objects.get(programme=programme)
    review = gate_review_decide(
        review=review, step=0, outcome="approve", reasons="Delivered.", actor=world.board
    )
    programme.refresh_from_db()
    assert programme.stage == Stage.CLOSED
    decision = Decision.objects.get(gate_review=review)
    assert "Supplier exit" in decision.decision
    assert f"transferred to {world.sro} (Delivery Board)" in decision.decision
    assert "carried into benefits tracking" in decision.decision


def test_transferring_without_a_named_owner_is_refused_and_nothing_saved(world, closing, client_as):
    _, action, risk, benefit = closing
    response = client_as(world.manager).post(
        "/programmes/income/closure-checklist/",
        {f"action-{action.pk}-outcome": "close", f"risk-{risk.pk}-outcome": "transfer",
         f"benefit-{benefit.pk}-outcome": "realised"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "Name who takes over “Supplier exit”" in response.content.decode()
    assert Action.objects.get(pk=action.pk).status == "open"
    assert not ClosureHandover.objects.exists()
    assert not GateReview.objects.exists()


def test_an_incomplete_closure_report_rolls_the_checklist_back(world, make_programme, client_as):
    programme = make_programme(slug="bare", stage=Stage.DELIVER)
    action = ActionFactory(programme=programme, owner=world.manager)
    response = client_as(world.manager).post(
        "/programmes/bare/closure-checklist/", {f"action-{action.pk}-outcome": "close"}
    )
    assert "Complete the required sections before submitting" in response.content.decode()
    assert Action.objects.get(pk=action.pk).status == "open"
    assert not ClosureHandover.objects.exists()


def test_after_closure_the_benefit_owner_marks_the_benefit_realised(
    world, make_programme, client_as
):
    programme = make_programme(slug="closed", stage=Stage.CLOSED)
    benefit = BenefitFactory(programme=programme, owner=world.board, title="Income line")
    url = f"/programmes/closed/benefits/{benefit.pk}/"
    assert "Mark “Income line” realised" in client_as(world.board).get(url).content.decode()
    claim = {"claim": "realised", "note": "Income reported in the 2024/25 outturn."}
    assert client_as(world.manager).post(f"{url}realised/", claim).status_code == 403
    response = client_as(world.board).post(f"{url}realised/", claim)
    assert response.status_code == 302
    benefit.refresh_from_db()
    assert benefit.realisation_claim == "realised"
    assert benefit.status != BenefitStatus.REALISED  # until the PMO confirms it
    client_as(world.pmo).post(f"{url}realised/confirm/", {"decision": "confirm"})
    benefit.refresh_from_db()
    assert benefit.status == BenefitStatus.REALISED

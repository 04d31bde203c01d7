"""Change requests: routing by the PMO's thresholds, deciding once, baselines moved and recorded."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from benefits.models import Benefit, BenefitProfile, OneOffCost
from governance import services
from governance.models import (
    BaselineKind,
    Board,
    BoardKind,
    ChangeRequest,
    ChangeStatus,
    Decision,
)
from tests.governance.factories import BoardFactory
from tests.portfolio.factories import MilestoneFactory

pytestmark = pytest.mark.django_db


def raise_change(logs_world, **fields):
    fields.setdefault("title", "A change")
    fields.setdefault("kind", "time")
    fields.setdefault("description", "Why")
    return services.change_request_raise(
        change_request=ChangeRequest(programme=logs_world["programme"], **fields),
        actor=logs_world["people"]["manager"],
    )


@pytest.mark.parametrize(
    ("cost", "days", "board"),
    [
        ("1000", 5, "Partner of Choice Portfolio Board"),
        ("50000", 30, "Partner of Choice Portfolio Board"),  # at the threshold, not above
        ("50001", 0, "Delivery Board"),
        ("0", 31, "Delivery Board"),
        ("250000.01", 0, "Strategic Transformation Board"),
        ("10", 91, "Strategic Transformation Board"),
    ],
)
def test_change_requests_are_routed_by_the_pmo_thresholds(logs_world, cost, days, board):
    change = raise_change(logs_world, cost_impact=Decimal(cost), time_impact_days=days)
    assert change.routed_to.name == board


def test_below_thresholds_a_programme_board_comes_before_the_portfolio_board(logs_world):
    BoardFactory(name="Commercial Programme Board", kind=BoardKind.PROGRAMME,
                 programme=logs_world["programme"])  # fmt: skip
    change = raise_change(logs_world, cost_impact=Decimal("10"), time_impact_days=1)
    assert change.routed_to.name == "Commercial Programme Board"


def test_the_pmo_changes_the_thresholds_in_the_browser_and_routing_follows(logs_world, client_as):
    client = client_as(logs_world["people"]["pmo"])
    response = client.post(
        "/change-requests/thresholds/",
        {"delivery_board_cost": "1000", "delivery_board_days": "5", "stb_cost": "5000",
         "stb_days": "10"},
    )  # fmt: skip
    assert response.status_code == 302
    change = raise_change(logs_world, cost_impact=Decimal("2000"), time_impact_days=0)
    assert change.routed_to.name == "Delivery Board"


def test_thresholds_where_stb_is_below_the_delivery_board_are_refused(logs_world, client_as):
    client = client_as(logs_world["people"]["pmo"])
    response = client.post(
        "/change-requests/thresholds/",
        {"delivery_board_cost": "9000", "delivery_board_days": "5", "stb_cost": "5000",
         "stb_days": "10"},
    )  # fmt: skip
    assert "STB&#x27;s thresholds must be at least the Delivery Board&#x27;s." in (
        response.content.decode()
    )
    assert services.change_thresholds().stb_cost == Decimal("250000.00")


def test_manager_raises_a_change_in_the_browser(logs_world, client_as):
    milestone = MilestoneFactory(programme=logs_world["programme"], due_date=dt.date(2026, 6, 30))
    client = client_as(logs_world["people"]["manager"])
    response = client.post(
        "/programmes/commercial/change-requests/add/",
        {"title": "Later launch", "kind": "time", "description": "Market testing",
         "cost_impact": "0", "time_impact_days": "42", "benefits_impact": "0",
         "baseline": "milestone", "milestone": milestone.pk, "new_due_date": "2026-08-11"},
    )  # fmt: skip
    change = ChangeRequest.objects.get()
    assert response["Location"] == f"/change-requests/{change.pk}/"
    assert change.routed_to.name == "Delivery Board"
    assert change.raised_by == logs_world["people"]["manager"]


def test_a_milestone_change_without_a_new_date_is_refused(logs_world, client_as):
    milestone = MilestoneFactory(programme=logs_world["programme"])
    client = client_as(logs_world["people"]["manager"])
    response = client.post(
        "/programmes/commercial/change-requests/add/",
        {"title": "Later launch", "kind": "time", "description": "x", "cost_impact": "0",
         "time_impact_days": "42", "benefits_impact": "0", "baseline": "milestone",
         "milestone": milestone.pk},
    )  # fmt: skip
    assert "Enter the new due date." in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_approved_change_moves_the_milestone_and_records_before_after_and_a_decision(
    logs_world, client_as
):
    milestone = MilestoneFactory(
        programme=logs_world["programme"], due_date=dt.date(2026, 6, 30), baseline_date=None
    )
    change = raise_change(logs_world, time_impact_days=42, baseline=BaselineKind.MILESTONE,
                          milestone=milestone, new_due_date=dt.date(2026, 8, 11))  # fmt: skip
    client = client_as(logs_world["people"]["board"])
    response = client.post(
        f"/change-requests/{change.pk}/", {"outcome": "approve", "reasons": "Worth the wait"}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2026, 8, 11)
    assert milestone.baseline_date == dt.date(2026, 8, 11)
    baselines = [h.baseline_date for h in milestone.history.order_by("history_date")]
    assert baselines == [None, dt.date(2026, 8, 11)]
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert (change.baseline_before, change.baseline_after) == ("30 June 2026", "11 August 2026")
    decision = Decision.objects.get(change_request=change)
    assert decision.board.name == "Delivery Board"
    assert decision.recorded_by == logs_world["people"]["board"]
    assert "Worth the wait" in decision.rationale
    text = client.get(f"/change-requests/{change.pk}/").content.decode()
    assert "Before: 30 June 2026" in text


def test_approved_change_sets_a_one_off_budget(logs_world):
    OneOffCost.objects.create(programme=logs_world["programme"], financial_year=2026,
                              budget=Decimal("100000"))  # fmt: skip
    change = raise_change(logs_world, kind="cost", cost_impact=Decimal("60000"),
                          baseline=BaselineKind.BUDGET, financial_year=2026,
                          new_amount=Decimal("160000"))  # fmt: skip
    services.change_request_decide(change_request=change, approve=True, reasons="Agreed",
                                   actor=logs_world["people"]["board"])  # fmt: skip
    cost = OneOffCost.objects.get(programme=logs_world["programme"], financial_year=2026)
    assert cost.budget == Decimal("160000")
    change.refresh_from_db()
    assert (change.baseline_before, change.baseline_after) == ("£100,000", "£160,000")


def test_approved_change_sets_a_benefit_planned_profile(logs_world):
    benefit = Benefit.objects.create(programme=logs_world["programme"], title="Income",
                                     type="income")  # fmt: skip
    BenefitProfile.objects.create(benefit=benefit, financial_year=2026, planned=Decimal("5000"))
    change = raise_change(logs_world, kind="benefits", benefits_impact=Decimal("-2000"),
                          baseline=BaselineKind.BENEFIT, benefit=benefit, financial_year=2026,
                          new_amount=Decimal("3000"))  # fmt: skip
    services.change_request_decide(change_request=change, approve=True, reasons="Agreed",
                                   actor=logs_world["people"]["board"])  # fmt: skip
    assert BenefitProfile.objects.get(benefit=benefit, financial_year=2026).planned == 3000
    change.refresh_from_db()
    assert change.baseline_before == "£5,000"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"baseline": BaselineKind.MILESTONE}, "no milestone or new due date"),
        ({"baseline": BaselineKind.BUDGET, "financial_year": 2026}, "no financial year or new"),
        (
            {"baseline": BaselineKind.BENEFIT, "financial_year": 2026, "new_amount": Decimal(1)},
            "no benefit",
        ),
    ],
)
def test_approving_a_change_missing_what_its_baseline_needs_is_refused_and_saves_nothing(
    logs_world, fields, message
):
    # Saved around the form, whose clean() would have refused it.
    change = raise_change(logs_world, **fields)
    with pytest.raises(ValidationError, match=message):
        services.change_request_decide(change_request=change, approve=True, reasons="Agreed",
                                       actor=logs_world["people"]["board"])  # fmt: skip
    change.refresh_from_db()
    assert change.status == ChangeStatus.AWAITING
    assert not Decision.objects.filter(change_request=change).exists()
    assert not OneOffCost.objects.filter(programme=logs_world["programme"]).exists()


def test_rejected_change_moves_nothing_and_still_writes_a_decision(logs_world):
    milestone = MilestoneFactory(programme=logs_world["programme"], due_date=dt.date(2026, 6, 30))
    change = raise_change(logs_world, baseline=BaselineKind.MILESTONE, milestone=milestone,
                          new_due_date=dt.date(2026, 9, 1))  # fmt: skip
    services.change_request_decide(change_request=change, approve=False, reasons="Not now",
                                   actor=logs_world["people"]["board"])  # fmt: skip
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2026, 6, 30)
    assert Decision.objects.get(change_request=change).summary.startswith(
        f"CR-{change.pk} rejected"
    )


def test_a_change_decided_twice_gets_a_clear_message_and_nothing_changes(logs_world, client_as):
    milestone = MilestoneFactory(programme=logs_world["programme"], due_date=dt.date(2026, 6, 30))
    change = raise_change(logs_world, baseline=BaselineKind.MILESTONE, milestone=milestone,
                          new_due_date=dt.date(2026, 9, 1))  # fmt: skip
    services.change_request_decide(change_request=change, approve=False, reasons="Not now",
                                   actor=logs_world["people"]["board"])  # fmt: skip
    with pytest.raises(ValidationError, match="already rejected"):
        services.change_request_decide(change_request=change, approve=True, reasons="Yes",
                                       actor=logs_world["people"]["board"])  # fmt: skip
    client = client_as(logs_world["people"]["board"])
    response = client.post(f"/change-requests/{change.pk}/", {"outcome": "approve",
                                                              "reasons": "Second go"})  # fmt: skip
    assert response.status_code == 200
    assert "was already rejected" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2026, 6, 30)
    assert Decision.objects.filter(change_request=change).count() == 1


def test_the_programmes_own_sro_cannot_decide_even_as_a_board_member(logs_world, client_as):
    sro = logs_world["people"]["sro"]
    Board.objects.get(slug="delivery-board").members.add(sro)
    change = raise_change(logs_world, time_impact_days=40)
    response = client_as(sro).post(f"/change-requests/{change.pk}/",
                                   {"outcome": "approve", "reasons": "Mine"})  # fmt: skip
    assert response.status_code == 403
    change.refresh_from_db()
    assert change.status == ChangeStatus.AWAITING


def test_a_member_of_another_board_cannot_decide(logs_world, client_as, make_user):
    from accounts.roles import Role

    outsider = make_user(Role.BOARD_MEMBER)
    change = raise_change(logs_world, time_impact_days=40)
    response = client_as(outsider).post(f"/change-requests/{change.pk}/",
                                        {"outcome": "approve", "reasons": "x"})  # fmt: skip
    assert response.status_code == 403


def test_a_decision_without_reasons_is_refused(logs_world, client_as):
    change = raise_change(logs_world, time_impact_days=40)
    response = client_as(logs_world["people"]["board"]).post(
        f"/change-requests/{change.pk}/", {"outcome": "approve", "reasons": ""}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeStatus.AWAITING


def test_the_change_request_log_links_each_request_to_its_decision_page(logs_world, client_as):
    change = raise_change(logs_world, time_impact_days=40)
    text = (
        client_as(logs_world["people"]["board"])
        .get("/programmes/commercial/change-requests/")
        .content.decode()
    )
    assert f'href="/change-requests/{change.pk}/"' in text
    assert "Delivery Board" in text

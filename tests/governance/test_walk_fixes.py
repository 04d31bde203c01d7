"""The small defects the seeds' walk met (issue 15's last list), each as the user reads it."""

import pytest

from governance.models import Decision, RaciActivity, RaciAssignment
from governance.services import gate_review_decide
from portfolio.models import DocumentKind, Stage
from tests.benefits.factories import BenefitFactory
from tests.governance.conftest import submit, write_document

pytestmark = pytest.mark.django_db


def test_decision_log_made_by_shows_board_and_person_and_the_source_apart(world, make_programme,
                                                                          client_as):  # fmt: skip
    programme = make_programme(slug="p", name="Income", stage=Stage.IDENTIFY)
    review = submit(programme, world.manager)
    gate_review_decide(review=review, step=0, outcome="approve", reasons="Good.",
                       actor=world.board, portfolio=world.portfolio, category="A")  # fmt: skip
    page = client_as(world.viewer).get("/programmes/p/decisions/").content.decode()
    assert "Made by" in page
    assert "Source" in page
    assert f"Strategic Transformation Board: {world.board}" in page or (
        f"Strategic Transformation Board: {world.board.get_full_name()}" in page
    )
    assert "Gate 1: Strategic Outline Case" in page


def test_approved_with_conditions_is_said_as_such(world, make_programme, client_as):
    programme = make_programme(slug="p", stage=Stage.DEFINE)
    review = submit(programme, world.manager)
    review = gate_review_decide(review=review, step=0, outcome="approve", reasons="Ok.",
                                actor=world.sro)  # fmt: skip
    review = gate_review_decide(
        review=review, step=1, outcome="approve_with_conditions", reasons="Ok.",
        actor=world.board, conditions=[{"title": "Cost it", "owner": world.manager,
                                        "due_date": "2026-12-01"}],
    )  # fmt: skip
    decision = Decision.objects.get(gate_review=review, board=world.delivery)
    assert "approved with conditions by Delivery Board" in decision.summary
    assert decision.decision.startswith("Approved with conditions.")


def test_submitting_says_it_is_with_the_sro_for_sign_off(world, make_programme, client_as):
    programme = make_programme(slug="p", stage=Stage.DEFINE)
    write_document(programme, DocumentKind.INITIAL_BRIEF, world.manager)
    response = client_as(world.manager).post("/programmes/p/submit/", follow=True)
    assert "It is with the SRO for sign-off." in response.content.decode()


def test_a_closed_programme_has_no_current_document(world, make_programme, client_as):
    make_programme(slug="done", stage=Stage.CLOSED)
    page = client_as(world.viewer).get("/programmes/done/").content.decode()
    assert "Current document" not in page


def test_an_income_benefits_total_is_not_total_saved(world, make_programme, client_as):
    programme = make_programme(slug="p", stage=Stage.DESIGN)
    benefit = BenefitFactory(programme=programme, type="income")
    page = client_as(world.manager).get(f"/programmes/p/benefits/{benefit.pk}/").content.decode()
    assert "Total income" in page
    assert "Total saved" not in page


def test_no_return_is_shown_when_no_investment_is_recorded(world, make_programme, client_as):
    programme = make_programme(slug="p", stage=Stage.DESIGN)
    benefit = BenefitFactory(programme=programme, type="income")
    benefit.profile.create(financial_year=2025, planned=1000)
    page = client_as(world.viewer).get("/programmes/p/").content.decode()
    assert "No investment is recorded, so there is no return to show." in page
    assert "Payback period" not in page


def test_likelihood_and_impact_are_chosen_1_to_5(logs_world, client_as):
    page = (
        client_as(logs_world["people"]["manager"])
        .get("/programmes/commercial/raid/risks/add/")
        .content.decode()
    )
    assert '<select name="inherent_likelihood"' in page
    assert "1 – rare" in page
    assert "5 – severe" in page


def test_filter_and_edit_forms_have_different_ids(logs_world, client_as):
    page = (
        client_as(logs_world["people"]["manager"])
        .get("/programmes/commercial/actions/")
        .content.decode()
    )
    assert 'id="filter-owner"' in page
    assert 'for="filter-owner"' in page


def test_an_empty_raci_column_is_refused_with_a_message(logs_world, client_as):
    people = logs_world["people"]
    activity = RaciActivity.objects.create(programme=logs_world["programme"], name="Report")
    RaciAssignment.objects.create(activity=activity, person=people["manager"], role="A")
    response = client_as(people["manager"]).post(
        "/programmes/commercial/raci/edit/",
        {"person": "viewer", f"cell-{activity.pk}-{people['manager'].pk}": "A"},
    )
    assert response.status_code == 200
    assert "column is empty" in response.content.decode()
    assert activity.cells.count() == 1


def test_owners_are_listed_by_name_with_their_job_title(logs_world, client_as):
    people = logs_world["people"]
    people["sro"].first_name, people["sro"].last_name = "Stephen", "Garcia"
    people["sro"].job_title = "Director of Finance"
    people["sro"].save()
    page = client_as(people["manager"]).get("/programmes/commercial/actions/add/").content.decode()
    assert "Stephen Garcia (Director of Finance)" in page


# --- Found by the browser walk (tests/browser/test_seed_walk.py) --------------------------------
def test_the_new_programme_and_benefit_pickers_name_people_with_their_job_title(
    world, make_programme, client_as
):
    type(world.manager).objects.filter(pk=world.manager.pk).update(job_title="Programme Manager")
    world.manager.refresh_from_db()
    label = f"{world.manager} (Programme Manager)"
    assert label in client_as(world.pmo).get("/programmes/new/").content.decode()
    make_programme(slug="p", stage=Stage.DEFINE)
    assert label in client_as(world.manager).get("/programmes/p/benefits/add/").content.decode()


def test_the_sros_step_is_a_sign_off_and_a_closed_programme_is_said_closed(
    world, make_programme, client_as
):
    programme = make_programme(slug="p", stage=Stage.DEFINE)
    review = submit(programme, world.manager)
    page = client_as(world.sro).get(f"/gates/{review.pk}/").content.decode()
    assert "Record the SRO&#x27;s sign-off" in page or "Record the SRO's sign-off" in page
    assert "sign-off&#x27;s decision" not in page
    assert "sign-off's decision" not in page

    closing = make_programme(slug="c", stage=Stage.DELIVER, category="B")
    review = submit(closing, world.manager)
    response = client_as(world.board).post(
        f"/gates/{review.pk}/",
        {"step": review.current_step, "outcome": "approve", "reasons": "Done."},
        follow=True,
    )
    assert f"{closing} is closed." in response.content.decode()

"""The RAID log: score rules, risk to issue, dependencies, heat map, overdue flags, inline edit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance import queries, services
from governance.models import Dependency, Issue, Risk, RiskStatus
from tests.governance.factories import ActionFactory, AssumptionFactory, RiskFactory

pytestmark = pytest.mark.django_db


def risk_post(**overrides):
    data = {
        "title": "Supplier capacity",
        "inherent_likelihood": "4", "inherent_impact": "4",
        "residual_likelihood": "3", "residual_impact": "4",
        "target_likelihood": "2", "target_impact": "2",
        "response": "treat", "status": "open", "review_date": "2030-01-31",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_score_outside_1_to_5_is_refused_with_a_clear_message_and_nothing_saved(
    logs_world, client_as
):
    client = client_as(logs_world["people"]["manager"])
    response = client.post(
        "/programmes/commercial/raid/risks/add/", risk_post(residual_likelihood="6")
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "less than or equal to 5" in text
    assert not Risk.objects.exists()


def test_the_database_refuses_a_score_of_zero(logs_world):
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactory(programme=logs_world["programme"], residual_impact=0)


def test_manager_adds_a_risk_and_it_shows_with_its_band(logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    response = client.post("/programmes/commercial/raid/risks/add/", risk_post())
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert risk.programme == logs_world["programme"]
    text = client.get("/programmes/commercial/raid/").content.decode()
    assert "Supplier capacity" in text
    assert "3×4 = 12 (Medium/High)" in text
    assert risk.history.first().history_user == logs_world["people"]["manager"]


def test_inline_edit_swaps_the_row_form_in_and_the_saved_row_back(logs_world, client_as):
    risk = RiskFactory(programme=logs_world["programme"], title="Old title")
    client = client_as(logs_world["people"]["manager"])
    url = f"/programmes/commercial/raid/risks/{risk.pk}/edit/"
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert form.lstrip().startswith("<tr")
    assert 'hx-post="' + url in form
    assert f'value="{risk.review_date:%Y-%m-%d}"' in form  # a date input keeps its value
    saved = client.post(
        url, risk_post(title="New title", owner=risk.owner.pk), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert saved.lstrip().startswith("<tr")
    assert "New title" in saved
    assert "<html" not in saved
    risk.refresh_from_db()
    assert risk.title == "New title"


def test_inline_edit_with_a_bad_score_returns_the_form_with_the_error(logs_world, client_as):
    risk = RiskFactory(programme=logs_world["programme"])
    client = client_as(logs_world["people"]["manager"])
    url = f"/programmes/commercial/raid/risks/{risk.pk}/edit/"
    text = client.post(url, risk_post(target_impact="9"), HTTP_HX_REQUEST="true").content.decode()
    assert "There is a problem" in text
    risk.refresh_from_db()
    assert risk.target_impact == 2


def test_edit_without_javascript_redirects_back_to_the_log(logs_world, client_as):
    risk = RiskFactory(programme=logs_world["programme"])
    client = client_as(logs_world["people"]["manager"])
    response = client.post(
        f"/programmes/commercial/raid/risks/{risk.pk}/edit/", risk_post(title="Changed")
    )
    assert response.status_code == 302
    assert response["Location"] == "/programmes/commercial/raid/risks/"


def test_a_risk_turned_into_an_issue_keeps_the_link(logs_world, client_as):
    risk = RiskFactory(programme=logs_world["programme"], title="Supplier fails")
    client = client_as(logs_world["people"]["manager"])
    response = client.post(f"/programmes/commercial/raid/risks/{risk.pk}/issue/")
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.risk == risk
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OCCURRED
    assert "Supplier fails" in client.get("/programmes/commercial/raid/issues/").content.decode()
    # Doing it twice does not make a second issue.
    client.post(f"/programmes/commercial/raid/risks/{risk.pk}/issue/")
    assert Issue.objects.count() == 1


def test_a_dependency_on_itself_is_refused_with_a_clear_message(logs_world, client_as):
    client = client_as(logs_world["people"]["manager"])
    response = client.post(
        "/programmes/commercial/raid/dependencies/add/",
        {"title": "Circular", "depends_on": logs_world["programme"].pk, "status": "open"},
    )
    assert "A programme cannot depend on itself." in response.content.decode()
    assert not Dependency.objects.exists()


def test_the_database_refuses_a_dependency_on_itself(logs_world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Dependency.objects.create(
            programme=logs_world["programme"], depends_on=logs_world["programme"], title="Loop"
        )


def test_a_dependency_on_another_programme_shows_on_both_programmes(logs_world, client_as):
    Dependency.objects.create(
        programme=logs_world["other"],
        depends_on=logs_world["programme"],
        title="Needs commercial data",
    )
    client = client_as(logs_world["people"]["viewer"])
    for slug in ["commercial", "strategic-ai"]:
        text = client.get(f"/programmes/{slug}/raid/dependencies/").content.decode()
        assert "Needs commercial data" in text


def test_heat_map_counts_open_risks_in_their_cells_and_links_to_them(logs_world, client_as):
    RiskFactory.create_batch(2, programme=logs_world["programme"], residual_likelihood=4,
                             residual_impact=5)  # fmt: skip
    RiskFactory(programme=logs_world["programme"], residual_likelihood=1, residual_impact=2)
    RiskFactory(programme=logs_world["programme"], residual_likelihood=4, residual_impact=5,
                status=RiskStatus.CLOSED)  # fmt: skip
    heat = queries.heat_map(Risk.objects.for_programme(logs_world["programme"]))
    cells = {(c["likelihood"], c["impact"]): c for row in heat["rows"] for c in row["cells"]}
    assert cells[(4, 5)]["count"] == 2
    assert cells[(4, 5)]["band"] == "High"
    assert cells[(1, 2)]["count"] == 1
    assert cells[(3, 3)]["count"] == 0
    assert heat["total"] == 3

    client = client_as(logs_world["people"]["viewer"])
    page = client.get("/programmes/commercial/raid/").content.decode()
    assert (
        'href="/programmes/commercial/raid/risks/?status=open&amp;likelihood=4&amp;impact=5"'
        in page
    )
    filtered = client.get("/programmes/commercial/raid/risks/?status=open&likelihood=4&impact=5")
    assert "2 risks" in filtered.content.decode()


def test_portfolio_and_whole_portfolio_roll_ups_show_programme_and_portfolio_risks(
    logs_world, client_as
):
    RiskFactory(programme=logs_world["programme"], title="Programme risk")
    Risk.objects.create(
        title="Annex 2 style risk", inherent_likelihood=4, inherent_impact=4,
        residual_likelihood=4, residual_impact=4, target_likelihood=3, target_impact=4,
        portfolio=logs_world["portfolio"],
    )  # fmt: skip
    client = client_as(logs_world["people"]["board"])
    for url in ["/portfolios/partner/raid/", "/raid/"]:
        text = client.get(url).content.decode()
        assert "Programme risk" in text
        assert "Annex 2 style risk" in text


def test_overdue_review_and_overdue_actions_are_flagged(logs_world, client_as):
    past = dt.date.today() - dt.timedelta(days=3)
    RiskFactory(programme=logs_world["programme"], title="Stale risk", review_date=past)
    ActionFactory(programme=logs_world["programme"], title="Late action", due_date=past)
    ActionFactory(
        programme=logs_world["programme"], title="Done action", due_date=past, status="done"
    )
    AssumptionFactory(programme=logs_world["programme"], validation_date=past)
    client = client_as(logs_world["people"]["viewer"])
    assert "Review overdue" in client.get("/programmes/commercial/raid/").content.decode()
    actions = client.get("/programmes/commercial/actions/").content.decode()
    assert actions.count('govuk-tag--red">Overdue') == 1
    overdue = client.get("/programmes/commercial/actions/?status=overdue").content.decode()
    assert "Late action" in overdue
    assert "Done action" not in overdue
    assumptions = client.get("/programmes/commercial/raid/assumptions/").content.decode()
    assert "Validation overdue" in assumptions


def test_my_actions_lists_only_my_outstanding_actions_and_flags_overdue(logs_world, client_as):
    me = logs_world["people"]["manager"]
    past = dt.date.today() - dt.timedelta(days=1)
    ActionFactory(programme=logs_world["programme"], owner=me, title="Mine and late", due_date=past)
    ActionFactory(programme=logs_world["programme"], owner=me, title="Mine, later")
    ActionFactory(programme=logs_world["programme"], owner=me, title="Mine, done", status="done")
    ActionFactory(programme=logs_world["programme"], title="Someone else's")
    text = client_as(me).get("/actions/mine/").content.decode()
    assert "Mine and late" in text
    assert "Mine, later" in text
    assert "Mine, done" not in text
    assert "Someone else" not in text
    assert "1 of your actions is overdue" in text


def test_filters_and_sort_are_shareable_get_parameters_and_pages_hold_25_rows(
    logs_world, client_as
):
    for n in range(30):
        ActionFactory(programme=logs_world["programme"], title=f"Action {n:02d}")
    client = client_as(logs_world["people"]["viewer"])
    first = client.get("/programmes/commercial/actions/?sort=-title").content.decode()
    assert "30 actions" in first
    assert "Action 29" in first
    assert "Action 04" not in first
    assert 'aria-sort="descending"' in first
    second = client.get("/programmes/commercial/actions/?sort=-title&page=2").content.decode()
    assert "Action 04" in second
    assert "Action 29" not in second


def test_a_bad_sort_or_page_is_ignored_not_an_error(logs_world, client_as):
    client = client_as(logs_world["people"]["viewer"])
    assert client.get("/programmes/commercial/raid/?sort=password&page=x").status_code == 200


def test_log_entry_save_refuses_an_invalid_instance(logs_world):
    risk = Risk(title="x", inherent_likelihood=7, inherent_impact=1, residual_likelihood=1,
                residual_impact=1, target_likelihood=1, target_impact=1)  # fmt: skip
    with pytest.raises(ValidationError):
        services.log_entry_save(
            instance=risk, programme=logs_world["programme"], actor=logs_world["people"]["pmo"]
        )
    assert not Risk.objects.exists()

"""The RACI matrix: edited as a grid, exactly one A per activity."""

import pytest
from django.db import IntegrityError, transaction

from governance.models import RaciActivity, RaciAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(logs_world):
    activity = RaciActivity.objects.create(
        programme=logs_world["programme"], name="Maintain RAID log"
    )
    RaciAssignment.objects.create(
        activity=activity, person=logs_world["people"]["manager"], role="A"
    )
    return activity


def cell(activity, person):
    return f"cell-{activity.pk}-{person.pk}"


def test_a_raci_row_with_two_as_is_refused_and_nothing_changes(logs_world, client_as, activity):
    manager, sro = logs_world["people"]["manager"], logs_world["people"]["sro"]
    client = client_as(manager)
    response = client.post(
        "/programmes/commercial/raci/edit/",
        {cell(activity, manager): "A", cell(activity, sro): "A", "new_activity": "Another"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Maintain RAID log: choose exactly one person who is Accountable (A); 2 chosen." in text
    assert list(activity.cells.values_list("person", "role")) == [(manager.pk, "A")]
    assert not RaciActivity.objects.filter(name="Another").exists()


def test_a_raci_row_with_no_a_is_refused(logs_world, client_as, activity):
    manager = logs_world["people"]["manager"]
    response = client_as(manager).post(
        "/programmes/commercial/raci/edit/", {cell(activity, manager): "R"}
    )
    assert "1 chosen" not in response.content.decode()
    assert "0 chosen" in response.content.decode()


def test_the_grid_saves_letters_and_adds_an_activity(logs_world, client_as, activity):
    manager, sro = logs_world["people"]["manager"], logs_world["people"]["sro"]
    client = client_as(manager)
    response = client.post(
        "/programmes/commercial/raci/edit/",
        {cell(activity, manager): "R", cell(activity, sro): "A", "new_activity": "Sign off"},
    )
    assert response.status_code == 302
    assert dict(activity.cells.values_list("person", "role")) == {manager.pk: "R", sro.pk: "A"}
    text = client.get("/programmes/commercial/raci/").content.decode()
    assert "Sign off" in text
    assert '<abbr title="Accountable">A</abbr>' in text


def test_a_person_can_be_added_as_a_column(logs_world, client_as, activity):
    text = (
        client_as(logs_world["people"]["manager"])
        .get("/programmes/commercial/raci/edit/?person=viewer")
        .content.decode()
    )
    assert cell(activity, logs_world["people"]["viewer"]) in text


def test_the_database_allows_at_most_one_a_per_activity(logs_world, activity):
    with pytest.raises(IntegrityError), transaction.atomic():
        RaciAssignment.objects.create(
            activity=activity, person=logs_world["people"]["sro"], role="A"
        )


def _unchanged(activity, before):
    assert sorted(RaciAssignment.objects.values_list("activity", "person", "role")) == before
    assert list(RaciActivity.objects.values_list("name", flat=True)) == [activity.name]


def test_a_letter_other_than_r_a_c_or_i_refuses_the_whole_grid(logs_world, client_as, activity):
    """It used to be dropped silently while the rest of the grid saved (a partial save)."""
    manager, sro = logs_world["people"]["manager"], logs_world["people"]["sro"]
    before = sorted(RaciAssignment.objects.values_list("activity", "person", "role"))
    response = client_as(manager).post(
        "/programmes/commercial/raci/edit/",
        {cell(activity, manager): "R", cell(activity, sro): "A", cell(activity, manager): "X",
         "new_activity": "Another"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "choose R, A, C, I or nothing" in response.content.decode()
    _unchanged(activity, before)


@pytest.mark.parametrize(
    "stray",
    ["cell-abc-1", "cell-{a}-{p}-1", "cell-{a}-", "cell-{big}-{p}", "cell-{a}-999999",
     "cell-{other}-{p}", "cell-{a}-{scrutiny}"],
)  # fmt: skip
def test_a_cell_outside_the_grid_refuses_the_whole_grid(logs_world, client_as, activity, stray):
    """Malformed keys used to be a 500, and a cell for a person who does not exist broke a
    foreign key when the transaction committed."""
    manager, sro = logs_world["people"]["manager"], logs_world["people"]["sro"]
    other = RaciActivity.objects.create(programme=logs_world["other"], name="Elsewhere")
    before = sorted(RaciAssignment.objects.values_list("activity", "person", "role"))
    key = stray.format(
        a=activity.pk, p=manager.pk, big=2**63, other=other.pk,
        scrutiny=logs_world["people"]["scrutiny"].pk,
    )  # fmt: skip
    response = client_as(manager).post(
        "/programmes/commercial/raci/edit/",
        {cell(activity, manager): "R", cell(activity, sro): "A", key: "C"},
    )
    assert response.status_code == 200
    assert "cells for activities or people that are not in this matrix" in (
        response.content.decode()
    )
    assert sorted(RaciAssignment.objects.values_list("activity", "person", "role")) == before


def test_a_column_name_postgresql_cannot_hold_is_ignored(logs_world, client_as, activity):
    """A NUL character in ?person= was a 500 on PostgreSQL (text cannot hold it)."""
    response = client_as(logs_world["people"]["manager"]).get(
        "/programmes/commercial/raci/edit/", {"person": ["viewer", "bad\x00name"]}
    )
    assert response.status_code == 200
    assert cell(activity, logs_world["people"]["viewer"]) not in response.content.decode()


def test_an_empty_post_is_refused_with_the_reason(logs_world, client_as, activity):
    response = client_as(logs_world["people"]["manager"]).post("/programmes/commercial/raci/edit/")
    assert response.status_code == 200
    assert "Maintain RAID log: choose exactly one person who is Accountable (A); 0 chosen." in (
        response.content.decode()
    )
    assert activity.cells.count() == 1

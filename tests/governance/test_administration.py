"""Administering a programme after creation (its settings page, with a one-step handover of open
items) and boards of every kind (establish, members and chair, archive)."""

import pytest

from accounts.roles import Role
from governance.models import Action, Board, BoardKind, Decision, Risk
from tests.governance.factories import ActionFactory, BoardFactory, RiskFactory
from tests.portfolio.factories import DirectorateFactory

pytestmark = pytest.mark.django_db


def _settings_post(programme, **changes):
    data = {
        "name": programme.name,
        "description": programme.description,
        "directorate": programme.directorate_id or "",
        "portfolio": programme.portfolio_id or "",
        "category": programme.category,
        "manager": programme.manager_id or "",
        "sro": programme.sro_id or "",
        "hand_over": "on",
    }
    data.update(changes)
    return data


def test_pmo_reassigns_the_manager_and_their_open_items_move_in_one_step(
    logs_world, client_as, make_user
):
    people, programme = logs_world["people"], logs_world["programme"]
    new_manager = make_user(Role.PROGRAMME_MANAGER, username="new.manager", first_name="Nadia")
    open_action = ActionFactory(programme=programme, owner=people["manager"])
    done_action = ActionFactory(programme=programme, owner=people["manager"], status="done")
    risk = RiskFactory(programme=programme, owner=people["manager"])
    elsewhere = ActionFactory(programme=logs_world["other"], owner=people["manager"])

    response = client_as(people["pmo"]).post(
        f"/programmes/{programme.slug}/settings/",
        _settings_post(programme, manager=new_manager.pk),
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.manager == new_manager
    assert Action.objects.get(pk=open_action.pk).owner == new_manager
    assert Risk.objects.get(pk=risk.pk).owner == new_manager
    assert Action.objects.get(pk=done_action.pk).owner == people["manager"]
    assert Action.objects.get(pk=elsewhere.pk).owner == people["manager"]
    handover = Decision.objects.get(programme=programme, summary__startswith="Programme settings")
    assert "1 actions, 1 risks" in handover.decision
    history = client_as(people["pmo"]).get(f"/programmes/{programme.slug}/history/")
    assert "Nadia" in history.content.decode()


def test_without_handover_the_old_manager_keeps_their_items(logs_world, client_as, make_user):
    people, programme = logs_world["people"], logs_world["programme"]
    new_manager = make_user(Role.PROGRAMME_MANAGER, username="new.manager")
    action = ActionFactory(programme=programme, owner=people["manager"])
    data = _settings_post(programme, manager=new_manager.pk)
    del data["hand_over"]
    client_as(people["pmo"]).post(f"/programmes/{programme.slug}/settings/", data)
    assert Action.objects.get(pk=action.pk).owner == people["manager"]


def test_sro_changes_the_description_and_directorate_but_not_the_people(logs_world, client_as):
    people, programme = logs_world["people"], logs_world["programme"]
    directorate = DirectorateFactory(name="Finance", slug="finance")
    client = client_as(people["sro"])
    page = client.get(f"/programmes/{programme.slug}/settings/").content.decode()
    assert 'name="description"' in page
    assert 'name="manager"' not in page
    response = client.post(
        f"/programmes/{programme.slug}/settings/",
        {"description": "Grow commercial income.", "directorate": directorate.pk,
         "manager": people["board"].pk},
    )  # fmt: skip
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.description == "Grow commercial income."
    assert programme.directorate == directorate
    assert programme.manager == people["manager"]


def test_the_manager_cannot_open_the_settings(logs_world, client_as):
    people, programme = logs_world["people"], logs_world["programme"]
    assert (
        client_as(people["manager"]).get(f"/programmes/{programme.slug}/settings/").status_code
        == 403
    )


def test_a_blank_name_is_refused_and_nothing_is_saved(logs_world, client_as):
    people, programme = logs_world["people"], logs_world["programme"]
    response = client_as(people["pmo"]).post(
        f"/programmes/{programme.slug}/settings/", _settings_post(programme, name="")
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    programme.refresh_from_db()
    assert programme.name == "Commercial"


def test_pmo_establishes_a_programme_board_with_chair_and_members(logs_world, client_as):
    people, programme = logs_world["people"], logs_world["programme"]
    response = client_as(people["pmo"]).post(
        "/boards/new/",
        {"name": "Commercial Programme Board", "kind": BoardKind.PROGRAMME,
         "programme": programme.pk, "chair": people["sro"].pk, "members": [people["board"].pk],
         "next_meeting": "2026-12-01", "purpose": "Oversees the Commercial programme."},
    )  # fmt: skip
    assert response.status_code == 302
    board = Board.objects.get(name="Commercial Programme Board")
    assert board.programme == programme
    assert set(board.members.all()) == {people["sro"], people["board"]}
    assert str(board.next_meeting) == "2026-12-01"
    assert Decision.objects.filter(programme=programme, board=board).exists()
    page = client_as(people["viewer"]).get(f"/programmes/{programme.slug}/").content.decode()
    assert "Commercial Programme Board" in page


def test_a_programme_board_needs_its_programme(logs_world, client_as):
    response = client_as(logs_world["people"]["pmo"]).post(
        "/boards/new/", {"name": "Orphan board", "kind": BoardKind.PROGRAMME}
    )
    assert "Choose the programme this Programme Board oversees" in response.content.decode()
    assert not Board.objects.filter(name="Orphan board").exists()


def test_board_member_pickers_offer_only_people_who_may_sit_on_a_board(logs_world, client_as):
    # Who may sit on a board is accounts.rules.DUTY_ROLES["board_member"]: any staff role (a
    # director with read-only access may sit on a Programme Board), never a scrutiny member.
    people = logs_world["people"]
    page = client_as(people["pmo"]).get("/boards/new/").content.decode()
    assert f'value="{people["board"].pk}"' in page
    assert f'value="{people["viewer"].pk}"' in page
    assert f'value="{people["scrutiny"].pk}"' not in page
    response = client_as(people["pmo"]).post(
        "/boards/new/",
        {"name": "Scrutiny board", "kind": BoardKind.STB, "members": [people["scrutiny"].pk]},
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Board.objects.filter(name="Scrutiny board").exists()


def test_pmo_archives_a_programme_board_and_the_programme_can_have_a_new_one(logs_world, client_as):
    people, programme = logs_world["people"], logs_world["programme"]
    board = BoardFactory(name="Old board", slug="old-board", programme=programme)
    response = client_as(people["pmo"]).post(f"/boards/{board.slug}/archive/")
    assert response.status_code == 302
    board.refresh_from_db()
    assert board.is_archived
    assert board.programme is None
    page = client_as(people["pmo"]).get(f"/boards/{board.slug}/").content.decode()
    assert "Archived on" in page
    settings_page = client_as(people["pmo"]).get(f"/programmes/{programme.slug}/settings/")
    assert "Old board" not in settings_page.content.decode()


def test_stb_cannot_be_archived(logs_world, client_as):
    client = client_as(logs_world["people"]["pmo"])
    client.post("/boards/stb/archive/")
    assert not Board.objects.get(slug="stb").is_archived


def test_pmo_names_the_programme_board_on_the_settings_page(logs_world, client_as):
    people, programme = logs_world["people"], logs_world["programme"]
    board = BoardFactory(name="Free board", slug="free-board", kind=BoardKind.PROGRAMME)
    client_as(people["pmo"]).post(
        f"/programmes/{programme.slug}/settings/", _settings_post(programme, board=board.pk)
    )
    board.refresh_from_db()
    assert board.programme == programme

"""People pages for the PMO (/people/): list, person, add, roles, boards, deactivate, reassign,
roles from sign-in groups; every change audited (who, when, before, after) on the person's page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import RoleMapping, User
from accounts.queries import person_history
from accounts.roles import Role
from governance import services as governance_services
from governance.models import Action, ActionStatus, Board, BoardKind, Risk, RiskStatus
from portfolio.models import Programme
from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def pmo(make_user):
    return make_user(Role.PMO, username="pmo", first_name="Petra", last_name="Mills")


@pytest.fixture
def leaver(make_user):
    return make_user(Role.PROGRAMME_MANAGER, username="leaver", first_name="Lee", last_name="Ver")


@pytest.fixture
def work(leaver, make_user):
    """The leaver manages one open programme, is SRO of another, owns two open actions (and a
    done one) and an open risk (and a closed one), and sits on a board."""
    creator = make_user(Role.PMO, username="creator")
    managed = Programme.objects.create(name="Libraries", slug="libraries", manager=leaver)
    sro_of = Programme.objects.create(name="Waste", slug="waste", sro=leaver)
    due = timezone.localdate() + timedelta(days=7)
    actions = [
        Action.objects.create(
            title=f"Action {n}", owner=leaver, due_date=due, created_by=creator, programme=managed
        )
        for n in (1, 2)
    ]
    done = Action.objects.create(
        title="Done action", owner=leaver, due_date=due, created_by=creator,
        status=ActionStatus.DONE,
    )  # fmt: skip
    scores = {
        f"{kind}_{axis}": 3
        for kind in ("inherent", "residual", "target")
        for axis in ("likelihood", "impact")
    }
    risk = Risk.objects.create(title="Open risk", owner=leaver, programme=managed, **scores)
    closed = Risk.objects.create(
        title="Closed risk", owner=leaver, programme=managed, status=RiskStatus.CLOSED, **scores
    )
    board = Board.objects.create(
        name="Delivery Board", slug="delivery-board", kind=BoardKind.DELIVERY
    )
    board.members.add(leaver)
    return {
        "managed": managed,
        "sro_of": sro_of,
        "actions": actions,
        "done": done,
        "risk": risk,
        "closed": closed,
        "board": board,
    }


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- list -----------------------------------------------------------------------------------------


def test_the_list_searches_and_filters_by_role(client_as, pmo, make_user):
    make_user(Role.SRO, username="s1", first_name="Sunita", last_name="Rao")
    make_user(Role.VIEWER, username="v1", first_name="Victor", last_name="Rao")
    client = client_as(pmo)

    both = page(client, reverse("people:list") + "?q=rao")
    assert "Sunita Rao" in both
    assert "Victor Rao" in both
    sros = page(client, reverse("people:list") + "?q=rao&role=sro")
    assert "Sunita Rao" in sros
    assert "Victor Rao" not in sros


def test_the_list_pages_25_at_a_time_in_constant_queries(
    client_as, pmo, make_user, django_assert_max_num_queries
):
    for n in range(30):
        make_user(Role.VIEWER, username=f"person{n:02}", first_name="Person", last_name=f"{n:02}")
    client = client_as(pmo)
    # 12 for the page and 3 for the inbox count in the navigation (dashboard/inbox.py)
    with django_assert_max_num_queries(15):
        first = page(client, reverse("people:list") + "?role=viewer")
    assert "30 people; showing 1 to 25" in first
    assert "Person 29" not in first
    assert "Person 29" in page(client, reverse("people:list") + "?role=viewer&page=2")


def test_the_list_hides_leavers_unless_asked(client_as, pmo, leaver):
    account_services.person_deactivate(person=leaver, actor=pmo)
    client = client_as(pmo)
    assert "Lee Ver" not in page(client, reverse("people:list"))
    assert "Lee Ver" in page(client, reverse("people:list") + "?status=left")


def test_people_pages_are_the_pmos_only(client_as, make_user, leaver):
    for role in Role:
        if role == Role.PMO:
            continue
        client = client_as(make_user(role))
        assert client.get(reverse("people:list")).status_code == 403
        assert client.get(reverse("people:detail", args=[leaver.pk])).status_code == 403


# --- a person's page ------------------------------------------------------------------------------


def test_a_persons_page_shows_roles_programmes_boards_and_open_work(client_as, pmo, leaver, work):
    text = page(client_as(pmo), reverse("people:detail", args=[leaver.pk]))
    assert "Programme manager" in text
    assert "Libraries" in text
    assert "programme manager" in text
    assert "Waste" in text
    assert "SRO" in text
    assert "Delivery Board" in text
    assert "Action 1" in text
    assert "Action 2" in text
    assert "Done action" not in text
    assert "Open risk" in text
    assert "Closed risk" not in text


# --- add, roles, audit ----------------------------------------------------------------------------


def test_the_pmo_adds_a_person_with_roles_and_it_is_audited(client_as, pmo):
    client = client_as(pmo)
    response = client.post(
        reverse("people:add"),
        {
            "first_name": "Ada",
            "last_name": "Nwosu",
            "email": "ada.nwosu@council.example",
            "username": "ada.nwosu",
            "roles": ["sro", "board_member"],
        },
    )
    person = User.objects.get(username="ada.nwosu")
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert sorted(person.role_names) == ["Board member", "SRO"]
    assert not person.has_usable_password()
    text = page(client, response["Location"])
    assert "Petra Mills" in text  # who
    assert "Added: First name" in text
    assert "SRO, Board member" in text


def test_adding_someone_already_there_is_refused_and_nothing_is_saved(client_as, pmo, leaver):
    count = User.objects.count()
    response = client_as(pmo).post(
        reverse("people:add"),
        {"first_name": "L", "last_name": "V", "email": "new@council.example", "username": "LEAVER"},
    )
    assert response.status_code == 200
    assert "There is already someone with the username LEAVER" in response.content.decode()
    assert User.objects.count() == count


def test_changing_roles_is_recorded_with_who_when_before_and_after(client_as, pmo, leaver):
    client = client_as(pmo)
    response = client.post(reverse("people:roles", args=[leaver.pk]), {"roles": ["sro", "viewer"]})
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert sorted(leaver.role_names) == ["SRO", "Viewer"]

    history = list(leaver.history.filter(history_user=pmo))
    assert history, "the change is attributed to the PMO"
    text = page(client, reverse("people:detail", args=[leaver.pk]))
    assert '<td class="govuk-table__cell">Programme manager</td>' in text  # before
    assert "SRO, Viewer" in text  # after
    assert "Petra Mills" in text
    # One change of roles (a removal and an addition underneath) is one row.
    latest = person_history(leaver)[0]
    assert latest.by == pmo
    assert [(c.label, c.before, c.after) for c in latest.changes] == [
        ("Roles", "Programme manager", "SRO, Viewer")
    ]


def test_a_pmo_cannot_remove_their_own_pmo_role(client_as, pmo):
    response = client_as(pmo).post(reverse("people:roles", args=[pmo.pk]), {"roles": ["viewer"]})
    assert response.status_code == 200
    assert "You cannot remove your own PMO role" in response.content.decode()
    assert pmo.role_names == ["PMO"]


# --- boards from the person's page ----------------------------------------------------------------


def test_board_membership_is_edited_from_the_persons_page(client_as, pmo, leaver, work):
    stb = Board.objects.create(name="STB", slug="stb", kind=BoardKind.STB)
    client = client_as(pmo)
    response = client.post(reverse("people:boards", args=[leaver.pk]), {"boards": [stb.pk]})
    assert response.status_code == 302
    assert list(leaver.boards.all()) == [stb]
    # The board's own history records who changed its members.
    assert stb.history.filter(history_user=pmo).exists()
    assert work["board"].history.filter(history_user=pmo).exists()
    assert "Lee Ver" in page(client, reverse("governance:board_detail", args=["stb"]))


# --- a leaver -------------------------------------------------------------------------------------


def test_a_deactivated_leaver_cannot_sign_in_and_keeps_their_history(
    client, client_as, pmo, leaver, work
):
    pmo_client = client_as(pmo)
    deactivate = page(pmo_client, reverse("people:deactivate", args=[leaver.pk]))
    assert "2 open actions" in deactivate
    assert "manages" in deactivate
    assert "Libraries" in deactivate

    response = pmo_client.post(reverse("people:deactivate", args=[leaver.pk]))
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active

    from django.test import Client

    fresh = Client()
    refused = fresh.post(reverse("login"), {"username": "leaver", "password": PASSWORD})
    assert refused.status_code == 200
    assert "_auth_user_id" not in fresh.session
    # Everything they did stays theirs until it is reassigned.
    assert Programme.objects.get(pk=work["managed"].pk).manager == leaver
    text = page(pmo_client, reverse("people:detail", args=[leaver.pk]))
    assert "has left but still holds open work" in text
    assert "No (deactivated)" in text


def test_a_pmo_cannot_deactivate_themselves(client_as, pmo):
    response = client_as(pmo).post(reverse("people:deactivate", args=[pmo.pk]))
    assert response.status_code == 400
    pmo.refresh_from_db()
    assert pmo.is_active


def test_reassigning_moves_open_work_in_one_step_recorded_in_history(
    client_as, pmo, leaver, work, make_user
):
    successor = make_user(Role.PROGRAMME_MANAGER, username="successor", first_name="Sue")
    sro = make_user(Role.SRO, username="new-sro")
    account_services.person_deactivate(person=leaver, actor=pmo)

    response = client_as(pmo).post(
        reverse("people:reassign", args=[leaver.pk]),
        {
            "actions_to": successor.pk,
            "risks_to": successor.pk,
            "managed_to": successor.pk,
            "sro_to": sro.pk,
        },
    )

    assert response.status_code == 302
    for action in work["actions"]:
        action.refresh_from_db()
        assert action.owner == successor
        latest = action.history.first()
        assert latest.history_user == pmo
        assert latest.history_change_reason == "Reassigned from Lee Ver"
    work["done"].refresh_from_db()
    assert work["done"].owner == leaver  # closed work keeps its owner
    work["risk"].refresh_from_db()
    work["closed"].refresh_from_db()
    assert (work["risk"].owner, work["closed"].owner) == (successor, leaver)
    assert Programme.objects.get(pk=work["managed"].pk).manager == successor
    assert Programme.objects.get(pk=work["sro_of"].pk).sro == sro
    assert Programme.objects.get(pk=work["managed"].pk).history.first().history_user == pmo


def test_a_reassignment_that_fails_part_way_moves_nothing(pmo, leaver, work, make_user):
    successor = make_user(Role.PROGRAMME_MANAGER, username="successor")
    gone = make_user(Role.SRO, username="gone")
    gone.is_active = False
    gone.save()

    with pytest.raises(governance_services.ReassignError):
        governance_services.person_work_reassign(
            person=leaver, actions_to=successor, sro_to=gone, actor=pmo
        )

    assert set(Action.objects.filter(owner=successor)) == set()
    assert Programme.objects.get(pk=work["sro_of"].pk).sro == leaver


def test_reassigning_with_nobody_chosen_is_a_form_error(client_as, pmo, leaver, work):
    blank = dict.fromkeys(["actions_to", "risks_to", "managed_to", "sro_to"], "")
    response = client_as(pmo).post(reverse("people:reassign", args=[leaver.pk]), blank)
    assert response.status_code == 200
    assert "Choose who takes over at least one kind of work" in response.content.decode()


def test_work_cannot_be_given_to_a_leaver(client_as, pmo, leaver, work, make_user):
    gone = make_user(Role.PROGRAMME_MANAGER, username="gone")
    gone.is_active = False
    gone.save()
    response = client_as(pmo).post(
        reverse("people:reassign", args=[leaver.pk]), {"actions_to": gone.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Action.objects.filter(owner=gone).count() == 0


# --- roles from sign-in groups --------------------------------------------------------------------


def test_the_pmo_maps_a_group_to_a_role_and_removes_it(client_as, pmo):
    client = client_as(pmo)
    response = client.post(
        reverse("people:role_mappings"),
        {"claim_value": " 0b5a7c9e-group ", "role": "board_member", "description": "Boards"},
    )
    assert response.status_code == 302
    mapping = RoleMapping.objects.get()
    assert (mapping.claim_value, mapping.role) == ("0b5a7c9e-group", Role.BOARD_MEMBER)
    assert mapping.history.first().history_user == pmo
    assert "0b5a7c9e-group" in page(client, reverse("people:role_mappings"))

    client.post(reverse("people:role_mapping_delete", args=[mapping.pk]))
    assert not RoleMapping.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"claim_value": "some-group", "role": ""},
        {"claim_value": "some-group", "role": "superuser"},
        {"claim_value": "   ", "role": "pmo"},
    ],
)
def test_a_mapping_that_would_give_no_role_is_refused(client_as, pmo, data):
    response = client_as(pmo).post(reverse("people:role_mappings"), data)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not RoleMapping.objects.exists()


def test_a_duplicate_mapping_is_refused(client_as, pmo):
    RoleMapping.objects.create(claim_value="g", role=Role.PMO)
    response = client_as(pmo).post(
        reverse("people:role_mappings"), {"claim_value": "g", "role": "pmo"}
    )
    assert "already gives the role PMO" in response.content.decode()
    assert RoleMapping.objects.count() == 1


# --- sign-in does not write history ---------------------------------------------------------------


def test_signing_in_writes_no_history_row(client, leaver):
    before = leaver.history.count()
    assert (
        client.post(reverse("login"), {"username": "leaver", "password": PASSWORD}).status_code
        == 302
    )
    leaver.refresh_from_db()
    assert leaver.last_login is not None
    assert leaver.history.count() == before


# --- the accessibility statement ------------------------------------------------------------------


def test_the_accessibility_statement_is_public_and_linked_from_every_page(client, client_as, pmo):
    text = page(client, reverse("accessibility"))
    assert "Accessibility statement for Delivery Hub" in text
    assert "axe-core" in text
    assert "keyboard alone" in text
    assert "Reporting accessibility problems" in text
    assert f'href="{reverse("accessibility")}"' in page(client, reverse("login"))
    assert f'href="{reverse("accessibility")}"' in page(client_as(pmo), reverse("people:list"))


def test_a_leaver_cannot_be_added_to_a_board_from_its_page(client_as, pmo, leaver, make_user):
    gone = make_user(Role.VIEWER, username="gone", first_name="Gail", last_name="Gone")
    account_services.person_deactivate(person=gone, actor=pmo)
    board = Board.objects.create(name="STB", slug="stb", kind=BoardKind.STB)
    board.members.add(leaver)
    account_services.person_deactivate(person=leaver, actor=pmo)
    client = client_as(pmo)

    text = page(client, reverse("governance:board_edit", args=["stb"]))
    assert "Gail Gone" not in text
    assert "Lee Ver" in text  # a member already there stays listed
    response = client.post(reverse("governance:board_edit", args=["stb"]), {"members": [gone.pk]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(board.members.all()) == [leaver]
    assert "(left)" in page(client, reverse("governance:board_detail", args=["stb"]))

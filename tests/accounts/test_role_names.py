"""A user's roles are read once per request, with the user: the header's roles and every
permission check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services
from accounts.roles import Role
from tests.accounts.factories import UserFactory


def _group_queries(queries) -> list[str]:
    """The queries that read a user's groups themselves (not those that filter by them)."""
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT "auth_group".')]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/programmes/", "/raid/"])
def test_a_page_reads_the_signed_in_users_roles_with_the_user(client_as, make_user, path):
    user = make_user(Role.PMO, first_name="Petra", last_name="Mills")
    client = client_as(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    assert "Petra Mills · PMO" in response.content.decode()  # the header's roles
    assert _group_queries(queries) == []
    with_roles = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT "accounts_user".') and '"auth_group"."name"' in q["sql"]
    ]
    assert len(with_roles) == 1, with_roles  # the session's person, with their roles


@pytest.mark.django_db
@pytest.mark.parametrize("roles", [[Role.PMO], [Role.SRO, Role.BOARD_MEMBER], []])
def test_a_session_reads_the_person_with_exactly_their_roles(client, make_user, roles):
    user = UserFactory(roles=roles)
    make_user(Role.VIEWER)  # someone else's roles are not theirs
    client.force_login(user)
    response = client.get("/")
    signed_in = response.wsgi_request.user
    assert signed_in.pk == user.pk
    assert signed_in._group_names_cache == {role.group_name for role in roles}


@pytest.mark.django_db
def test_a_person_who_has_left_is_signed_out(client, make_user):
    user = make_user(Role.PMO)
    client.force_login(user)
    user.is_active = False
    user.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_roles_set_on_the_same_object_are_read_afresh(make_user):
    person = make_user(Role.VIEWER)
    assert person.role_names == ["Viewer"]
    assert not person.has_perm("portfolio.add_programme")
    services._roles_set(person, ["pmo"])  # as single sign-on sets them, on the signing-in user
    assert person.role_names == ["PMO"]
    assert person.has_perm("portfolio.add_programme")


@pytest.mark.django_db
def test_a_list_of_people_reads_their_roles_from_its_prefetch(make_user):
    from accounts.models import User

    make_user(Role.SRO, username="a")
    make_user(Role.VIEWER, username="b")
    people = list(User.objects.filter(username__in=["a", "b"]).prefetch_related("groups"))
    with CaptureQueriesContext(connection) as queries:
        roles = sorted(person.role_names[0] for person in people)
    assert roles == ["SRO", "Viewer"]
    assert len(queries) == 0

"""Sign-in, sign-out and who sees what on the foundation pages."""

import pytest

from accounts.roles import Role
from tests.accounts.factories import PASSWORD

STAFF = [Role.PMO, Role.PROGRAMME_MANAGER, Role.SRO, Role.BOARD_MEMBER, Role.VIEWER]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/programmes/", "/programmes/anything/"])
def test_anonymous_users_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.django_db
def test_sign_in_with_demo_style_password_lands_on_home(client, make_user):
    make_user(Role.PMO, username="pmo")
    response = client.post(
        "/accounts/login/", {"username": "pmo", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert "Where are we?" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_shows_an_error_summary(client, make_user):
    make_user(Role.PMO, username="pmo")
    response = client.post("/accounts/login/", {"username": "pmo", "password": "nope"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Please enter a correct username and password" in text


@pytest.mark.django_db
def test_sign_out_is_a_post_and_ends_the_session(client_as, make_user):
    client = client_as(make_user(Role.VIEWER))
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF)
def test_staff_roles_read_the_portfolio(client_as, make_user, demo, role):
    client = client_as(make_user(role))
    assert client.get("/programmes/").status_code == 200
    assert client.get("/programmes/commercial/").status_code == 200


@pytest.mark.django_db
def test_scrutiny_members_see_nothing_but_reports(client_as, make_user, demo):
    client = client_as(make_user(Role.SCRUTINY_MEMBER))
    home = client.get("/")
    assert home.status_code == 200
    assert "Quarterly reports" in home.content.decode()
    assert "Where are we?" not in home.content.decode()
    assert client.get("/programmes/").status_code == 403
    assert client.get("/programmes/commercial/").status_code == 403


@pytest.mark.django_db
def test_a_user_with_no_role_cannot_read_the_portfolio(client_as, make_user, demo):
    client = client_as(make_user())
    assert client.get("/programmes/").status_code == 403


@pytest.mark.django_db
def test_navigation_shows_what_the_role_may_open(client_as, make_user):
    staff = client_as(make_user(Role.VIEWER)).get("/").content.decode()
    assert 'href="/programmes/"' in staff


@pytest.mark.django_db
def test_scrutiny_navigation_has_no_programmes_link(client_as, make_user):
    text = client_as(make_user(Role.SCRUTINY_MEMBER)).get("/").content.decode()
    assert 'href="/programmes/"' not in text


@pytest.mark.django_db
def test_object_rule_lets_a_manager_change_only_their_own_programme(make_user):
    from tests.portfolio.factories import ProgrammeFactory

    manager = make_user(Role.PROGRAMME_MANAGER)
    own = ProgrammeFactory(manager=manager)
    other = ProgrammeFactory()
    assert manager.has_perm("portfolio.change_programme", own)
    assert not manager.has_perm("portfolio.change_programme", other)
    assert make_user(Role.PMO).has_perm("portfolio.change_programme", other)

"""Single sign-on against a real OpenID Connect provider (oidc-provider, tests/support/oidc/).

Each refusal is a whole callback through Delivery Hub's URL with a real state and code from the
provider: only the ID token the provider's token endpoint returns is replaced (through the test
provider's hook) where a test needs a token the provider would not issue. A refusal signs nobody
in and stores no person and no role; the only row written is the throttle's record of a failed
sign-in from the address, as for a wrong password.
"""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import FailedSignIn, RoleMapping, User
from accounts.roles import Role
from tests.support import oidc

pytestmark = pytest.mark.django_db


def start(client, **params):
    response = client.get(reverse("oidc_start"), params)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def callback(client, url):
    parts = urlsplit(url)
    return client.get(parts.path, parse_qs(parts.query))


def sign_in(client, provider, login):
    return callback(client, provider.sign_in_through(start(client), login))


def nonce_of(authorize_url: str) -> str:
    return parse_qs(urlsplit(authorize_url).query)["nonce"][0]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def pmo_mapping(db):
    return RoleMapping.objects.create(claim_value=oidc.PMO_GROUP, role=Role.PMO)


def roles(user: User) -> list[str]:
    return sorted(user.role_names)


def nothing_stored(before_users: int) -> None:
    assert User.objects.count() == before_users
    assert not User.objects.filter(oidc_subject__isnull=False).exists()
    assert not User.history.filter(oidc_subject__isnull=False).exists()


# --- signing in ---------------------------------------------------------------------------------


def test_the_request_carries_state_nonce_and_a_pkce_s256_challenge(client, sso):
    params = parse_qs(urlsplit(start(client)).query)
    assert params["response_type"] == ["code"]
    assert params["client_id"] == [oidc.CLIENT_ID]
    assert params["code_challenge_method"] == ["S256"]
    assert len(params["code_challenge"][0]) >= 43
    assert len(params["state"][0]) >= 32
    assert len(params["nonce"][0]) >= 32
    assert params["redirect_uri"] == ["http://testserver/accounts/oidc/callback/"]


def test_a_pmo_group_member_is_created_just_in_time_as_pmo(client, sso, pmo_mapping):
    response = sign_in(client, sso, "pat.pmo")

    assert response.status_code == 302
    assert response["Location"] == "/"
    person = User.objects.get(oidc_subject="pat.pmo")
    assert (person.first_name, person.last_name) == ("Pat", "Okafor")
    assert person.email == "pat.pmo@council.example"
    assert not person.has_usable_password()
    assert roles(person) == ["PMO"]
    assert signed_in(client)
    home = client.get("/")
    assert home.status_code == 200
    assert "Transformation Dashboard" in home.content.decode()


def test_the_next_url_is_kept_through_the_provider(client, sso, pmo_mapping):
    authorize = start(client, next="/programmes/")
    response = callback(client, sso.sign_in_through(authorize, "pat.pmo"))
    assert response["Location"] == "/programmes/"


def test_someone_in_no_mapped_group_is_signed_in_with_no_role_and_told_whom_to_ask(
    client, sso, pmo_mapping
):
    response = sign_in(client, sso, "nell.nogroup")

    person = User.objects.get(oidc_subject="nell.nogroup")
    assert roles(person) == []
    assert not person.groups.exists()
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert "Ask the transformation PMO" in home.content.decode()


def test_a_person_removed_from_the_group_loses_the_role_at_the_next_sign_in(
    client, sso, pmo_mapping
):
    sign_in(client, sso, "pat.pmo")
    person = User.objects.get(oidc_subject="pat.pmo")
    assert roles(person) == ["PMO"]

    sso.set_user("pat.pmo", {**oidc.USERS["pat.pmo"], "groups": ["all-staff"]})
    client.logout()
    sign_in(client, sso, "pat.pmo")

    again = User.objects.get(oidc_subject="pat.pmo")
    assert again.pk == person.pk
    assert roles(again) == []
    assert client.get(reverse("dashboard:dashboard")).status_code == 403
    # The person's history says the role went, at a sign-in.
    last = again.history.order_by("-history_date", "-history_id").first()
    assert last.history_change_reason == "Single sign-on"


def test_each_mapped_group_gives_its_role_and_other_groups_are_left_alone(client, sso):
    RoleMapping.objects.create(claim_value=oidc.PMO_GROUP, role=Role.PMO)
    RoleMapping.objects.create(claim_value=oidc.BOARD_GROUP, role=Role.BOARD_MEMBER)
    RoleMapping.objects.create(claim_value=oidc.BOARD_GROUP, role=Role.VIEWER)
    sign_in(client, sso, "bo.board")
    person = User.objects.get(oidc_subject="bo.board")
    assert roles(person) == ["Board member", "PMO", "Viewer"]
    other = Group.objects.create(name="Not a role")
    person.groups.add(other)

    sso.set_user("bo.board", {**oidc.USERS["bo.board"], "groups": [oidc.BOARD_GROUP]})
    client.logout()
    sign_in(client, sso, "bo.board")

    assert roles(person) == ["Board member", "Viewer"]
    assert person.groups.filter(pk=other.pk).exists()


def test_people_are_matched_by_subject_never_by_email_or_name(client, sso, pmo_mapping, make_user):
    local = make_user(
        Role.VIEWER,
        username="pat.pmo@council.example",
        email="pat.pmo@council.example",
        first_name="Pat",
        last_name="Okafor",
    )

    sign_in(client, sso, "pat.pmo")

    person = User.objects.get(oidc_subject="pat.pmo")
    assert person.pk != local.pk
    assert person.username != local.username
    local.refresh_from_db()
    assert local.oidc_subject is None
    assert roles(local) == ["Viewer"]
    assert int(client.session["_auth_user_id"]) == person.pk


def test_a_name_or_email_change_at_the_provider_follows_the_same_account(client, sso):
    sign_in(client, sso, "nell.nogroup")
    sso.set_user(
        "nell.nogroup",
        {**oidc.USERS["nell.nogroup"], "family_name": "Adeyemi", "email": "nell.a@council.example"},
    )
    client.logout()
    sign_in(client, sso, "nell.nogroup")

    assert User.objects.filter(oidc_subject="nell.nogroup").count() == 1
    person = User.objects.get(oidc_subject="nell.nogroup")
    assert (person.last_name, person.email) == ("Adeyemi", "nell.a@council.example")


def test_a_deactivated_person_cannot_sign_in_and_nothing_about_them_changes(
    client, sso, pmo_mapping
):
    sign_in(client, sso, "pat.pmo")
    person = User.objects.get(oidc_subject="pat.pmo")
    person.is_active = False
    person.save()
    client.logout()
    sso.set_user("pat.pmo", {**oidc.USERS["pat.pmo"], "family_name": "Changed", "groups": []})
    history = person.history.count()

    response = sign_in(client, sso, "pat.pmo")

    assert response.status_code == 403
    assert "account has been closed" in response.content.decode()
    assert not signed_in(client)
    person.refresh_from_db()
    assert (person.last_name, person.is_active, roles(person)) == ("Okafor", False, ["PMO"])
    assert person.history.count() == history


def test_a_deactivated_persons_open_session_ends(client, sso, pmo_mapping):
    sign_in(client, sso, "pat.pmo")
    assert client.get("/").status_code == 200
    User.objects.filter(oidc_subject="pat.pmo").update(is_active=False)
    assert client.get("/").status_code == 302  # sent to sign in


# --- refusals: nothing stored ------------------------------------------------------------------


def test_a_tampered_state_is_refused(client, sso, pmo_mapping):
    users = User.objects.count()
    returned = sso.sign_in_through(start(client), "pat.pmo")
    parts = urlsplit(returned)
    query = parse_qs(parts.query)
    query["state"] = [query["state"][0][:-1] + ("A" if query["state"][0][-1] != "A" else "B")]

    response = client.get(parts.path, query)

    assert response.status_code == 400
    assert "Sign-in did not complete" in response.content.decode()
    assert not signed_in(client)
    nothing_stored(users)


def test_a_callback_with_no_state_in_the_session_is_refused(client, sso, pmo_mapping):
    users = User.objects.count()
    returned = sso.sign_in_through(start(client), "pat.pmo")
    client.cookies.clear()  # another browser: the state was never issued to it

    response = callback(client, returned)

    assert response.status_code == 400
    assert not signed_in(client)
    nothing_stored(users)


def test_a_replayed_callback_is_refused(client, sso, pmo_mapping):
    returned = sso.sign_in_through(start(client), "pat.pmo")
    assert callback(client, returned).status_code == 302
    client.logout()
    start(client)  # a new sign-in under way: the session holds a state again, not the old one
    users = User.objects.count()
    history = User.history.count()

    response = callback(client, returned)

    assert response.status_code == 400
    assert not signed_in(client)
    assert User.objects.count() == users
    assert User.history.count() == history


def _forged_callback(client, provider, **claims):
    """A real flow whose token response carries a token forged with ``claims``."""
    authorize = start(client)
    returned = provider.sign_in_through(authorize, "pat.pmo")
    claims.setdefault("nonce", nonce_of(authorize))
    claims.setdefault("sub", "pat.pmo")
    claims.setdefault("groups", [oidc.PMO_GROUP])
    provider.next_id_token(provider.forge(**claims))
    return callback(client, returned)


def test_the_forging_itself_is_accepted_when_every_check_holds(client, sso, pmo_mapping):
    # The control for the refusals below: the same forged token, nothing wrong with it.
    response = _forged_callback(client, sso)
    assert response.status_code == 302
    assert signed_in(client)
    assert roles(User.objects.get(oidc_subject="pat.pmo")) == ["PMO"]


@pytest.mark.parametrize(
    ("case", "claims"),
    [
        ("wrong nonce", {"nonce": "not-the-nonce-this-browser-was-given-0123456789"}),
        ("no nonce", {"nonce": None}),
        ("expired", {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}),
        ("another client id", {"aud": oidc.OTHER_CLIENT_ID}),
        ("another issuer", {"iss": "https://login.example.net/someone-else/v2.0"}),
        ("no subject", {"sub": None}),
    ],
)
def test_a_token_that_fails_a_check_is_refused(client, sso, pmo_mapping, case, claims):
    users = User.objects.count()
    response = _forged_callback(client, sso, **claims)
    assert response.status_code == 400, case
    assert "Sign-in did not complete" in response.content.decode()
    assert not signed_in(client)
    nothing_stored(users)


def test_a_token_signed_with_another_key_is_refused(client, sso, pmo_mapping):
    users = User.objects.count()
    # Claims the provider's kid, but signed with a key the provider never published.
    response = _forged_callback(client, sso, key=oidc.new_key())
    assert response.status_code == 400
    assert not signed_in(client)
    nothing_stored(users)


def test_a_token_with_an_unknown_key_id_is_refused(client, sso, pmo_mapping):
    users = User.objects.count()
    response = _forged_callback(client, sso, key=oidc.new_key(), kid="attacker-key")
    assert response.status_code == 400
    assert not signed_in(client)
    nothing_stored(users)


def test_a_refusal_from_the_provider_is_a_clear_page(client, sso):
    users = User.objects.count()
    authorize = start(client)
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    response = client.get(reverse("oidc_callback"), {"error": "access_denied", "state": state})
    assert response.status_code == 400
    assert "Sign-in was cancelled" in response.content.decode()
    nothing_stored(users)


def test_an_issuer_that_cannot_be_reached_gives_a_clear_page(client, sso, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # the discard port: nothing listens
    response = client.get(reverse("oidc_start"))
    assert response.status_code == 503
    assert "cannot be reached" in response.content.decode()
    assert "Council account (test) cannot be reached" in response.content.decode()


def test_a_provider_lost_between_start_and_callback_gives_a_clear_page(client, sso, settings):
    from accounts import oidc as account_oidc

    users = User.objects.count()
    returned = sso.sign_in_through(start(client), "pat.pmo")
    settings.OIDC_ISSUER = "http://127.0.0.1:9"
    account_oidc.forget_discovery()

    response = callback(client, returned)

    assert response.status_code == 503
    assert not signed_in(client)
    nothing_stored(users)


def test_a_claim_mapping_that_gives_no_role_stores_no_role(client, sso):
    RoleMapping.objects.create(claim_value="some-other-group", role=Role.PMO)
    sign_in(client, sso, "pat.pmo")
    person = User.objects.get(oidc_subject="pat.pmo")
    assert not person.groups.exists()
    assert client.get(reverse("dashboard:dashboard")).status_code == 403


# --- throttle, local sign-in switched off, single sign-on off ------------------------------------


def test_the_callback_goes_through_the_sign_in_throttle(client, sso, pmo_mapping):
    for _ in range(5):
        client.get(reverse("oidc_callback"), {"code": "x", "state": "not-issued"})
    assert FailedSignIn.objects.filter(ip_address="127.0.0.1").count() == 5

    response = sign_in(client, sso, "pat.pmo")  # a good sign-in, from the throttled address

    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert not signed_in(client)


def test_with_local_sign_in_off_the_page_offers_only_the_provider(client, sso, settings, make_user):
    settings.LOCAL_SIGN_IN = False
    settings.AUTHENTICATION_BACKENDS = [
        "rules.permissions.ObjectPermissionBackend",
        "accounts.oidc.CouncilOIDCBackend",
    ]
    from tests.accounts.factories import PASSWORD

    make_user(Role.PMO, username="breakglass")
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Council account (test)" in page
    assert 'name="password"' not in page

    response = client.post(reverse("login"), {"username": "breakglass", "password": PASSWORD})
    assert response.status_code == 405
    assert not signed_in(client)


def test_with_local_sign_in_on_both_ways_are_offered(client, sso):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Council account (test)" in page
    assert 'name="password"' in page
    assert reverse("oidc_start") in page


def test_single_sign_on_is_off_when_no_issuer_is_set(client, settings):
    settings.OIDC_ISSUER = ""
    assert client.get(reverse("oidc_start")).status_code == 404
    assert client.get(reverse("oidc_callback"), {"code": "x", "state": "y"}).status_code == 404
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page


def test_the_start_keeps_only_a_safe_next_url(client, sso):
    start(client, next="https://evil.example/")
    assert client.session.get("oidc_login_next") is None
    start(client, next="/gates/")
    assert client.session["oidc_login_next"] == "/gates/"

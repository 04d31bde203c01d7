"""Personal access tokens: made on the person's own page and shown once, kept only as a hash,
accepted as Bearer and as the HTTP Basic password on the data feeds (never on the pages),
refused with 401 when missing, wrong, revoked, expired or someone else's, throttled like sign-in,
and logged without a row per request."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import FailedSignIn
from accounts.roles import Role
from api.models import AccessToken
from api.services import hash_secret
from tests.api.conftest import basic, bearer

FEED = "/odata/"


@pytest.fixture
def viewer(make_user):
    return make_user(Role.VIEWER, username="vera")


def test_a_person_makes_a_token_in_the_browser_and_sees_it_once(client_as, viewer):
    client = client_as(viewer)
    response = client.post(
        "/account/tokens/", {"name": "Power BI savings", "expires_in_days": "90"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = AccessToken.objects.get(owner=viewer)
    page = response.content.decode()
    secret = page.split('id="new-token-secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("dh_")
    assert len(secret) > 40
    assert token.secret_hash == hash_secret(secret)
    assert secret not in str(AccessToken.objects.values_list().get(pk=token.pk))
    assert token.expires_at - token.created_at == timedelta(days=90)
    again = client.get("/account/tokens/").content.decode()
    assert "Power BI savings" in again
    assert token.prefix in again
    assert secret not in again
    # The token works on the feed.
    assert client_as(viewer).logout() is None
    assert client.get(FEED, **bearer(secret)).status_code == 200


def test_the_token_form_refuses_a_blank_name_and_an_unoffered_expiry(client_as, viewer):
    client = client_as(viewer)
    response = client.post("/account/tokens/", {"name": "  ", "expires_in_days": "3650"})
    assert response.status_code == 200
    assert (
        "Enter a name for the token" in response.content.decode()
        or "required" in response.content.decode()
    )
    assert "Select a valid choice" in response.content.decode()
    assert not AccessToken.objects.exists()


def test_bearer_and_basic_act_as_the_owner(client, viewer, make_token):
    secret = make_token(viewer)
    assert client.get(FEED, **bearer(secret)).status_code == 200
    assert client.get(FEED, **basic("vera", secret)).status_code == 200
    assert client.get(FEED, **basic("VERA", secret)).status_code == 200  # usernames: any case


@pytest.mark.parametrize(
    "case", ["none", "wrong", "revoked", "expired", "other_persons_basic", "password", "scheme"]
)
def test_refusals_are_401_with_www_authenticate(client, make_user, viewer, make_token, case):
    secret = make_token(viewer)
    other = make_user(Role.VIEWER, username="olu")
    headers = {
        "none": {},
        "wrong": bearer(secret[:-2] + "xx"),
        "revoked": bearer(secret),
        "expired": bearer(secret),
        "other_persons_basic": basic("olu", secret),
        "password": basic("vera", "correct-horse-battery-staple"),  # the sign-in password
        "scheme": {"HTTP_AUTHORIZATION": "Digest whatever"},
    }[case]
    if case == "revoked":
        AccessToken.objects.update(revoked_at=timezone.now())
    if case == "expired":
        AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for url in (FEED, "/odata/Programmes", "/odata/$metadata", "/calendar/mine.ics"):
        response = client.get(url, **headers)
        assert response.status_code == 401, (case, url)
        assert "Basic" in response["WWW-Authenticate"]
        assert "Bearer" in response["WWW-Authenticate"]
        assert response.json()["error"]["code"] == "Unauthorized"
    assert other.pk  # olu exists: the refusal is about the token, not an unknown user


def test_tokens_are_not_accepted_on_the_html_pages(client, make_token, make_user):
    secret = make_token(make_user(Role.PMO, username="pam"))
    for url in ("/", "/dashboard/", "/programmes/", "/account/tokens/", "/data/"):
        for headers in (bearer(secret), basic("pam", secret)):
            response = client.get(url, **headers)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/login/")


def test_the_feeds_are_read_only(client, viewer, make_token):
    secret = make_token(viewer)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/odata/Programmes", **bearer(secret))
        assert response.status_code == 405


def test_failures_are_throttled_like_sign_in(client, viewer, make_token):
    secret = make_token(viewer)
    for _ in range(5):
        assert client.get(FEED, **basic("vera", "dh_wrong")).status_code == 401
    assert FailedSignIn.objects.filter(username="vera").count() == 5
    locked = client.get(FEED, **basic("vera", secret))
    assert locked.status_code == 401
    assert "Too many failed attempts" in locked.json()["error"]["message"]
    # The address is locked too, whatever the credentials.
    assert client.get(FEED, **bearer(secret)).status_code == 401


def test_use_is_logged_and_last_used_is_kept_without_a_row_per_request(
    client, viewer, make_token, caplog, django_assert_max_num_queries
):
    secret = make_token(viewer)
    token = AccessToken.objects.get()
    assert token.last_used_at is None
    with caplog.at_level(logging.INFO, logger="api.tokens"):
        for _ in range(3):
            assert client.get(FEED, **bearer(secret)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    used = [r for r in caplog.records if "used from" in r.getMessage()]
    assert len(used) == 3
    assert "vera" in used[0].getMessage()
    assert secret not in caplog.text
    assert AccessToken.objects.count() == 1
    assert not FailedSignIn.objects.exists()


def test_the_owner_and_the_pmo_may_revoke_others_may_not(client_as, make_user, viewer, make_token):
    make_token(viewer)
    token = AccessToken.objects.get()
    other = make_user(Role.PROGRAMME_MANAGER, username="mo")
    assert client_as(other).post(f"/account/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    pmo = make_user(Role.PMO, username="pam")
    page = client_as(pmo).get("/account/tokens/all/")
    assert page.status_code == 200
    assert "vera" in page.content.decode()
    response = client_as(pmo).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/account/tokens/all/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by == pmo
    assert "Revoked" in client_as(viewer).get("/account/tokens/").content.decode()


def test_an_owner_revokes_their_own_token_and_it_stops_at_once(
    client, client_as, viewer, make_token
):
    secret = make_token(viewer)
    token = AccessToken.objects.get()
    assert client.get(FEED, **bearer(secret)).status_code == 200
    response = client_as(viewer).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/account/tokens/"
    client.logout()
    assert client.get(FEED, **bearer(secret)).status_code == 401


def test_only_the_pmo_sees_everyones_tokens(client_as, make_user):
    for role in (
        Role.PROGRAMME_MANAGER,
        Role.SRO,
        Role.BOARD_MEMBER,
        Role.VIEWER,
        Role.SCRUTINY_MEMBER,
    ):
        assert client_as(make_user(role)).get("/account/tokens/all/").status_code == 403


# Failures (minutes ago) for the token's throttle key and for its address; whether a good token
# is then refused must be exactly what sign_in_locked_until says, though the token check reads
# the lock in its own query.
LOCK_CASES = {  # name: (failures, minutes ago; locked)
    "four recent failures": ([1, 2, 3, 4], False),
    "five recent failures": ([1, 2, 3, 4, 5], True),
    "five spread over more than the window": ([1, 2, 3, 4, 17], False),
    "five ending more than the lockout ago": ([16, 17, 18, 19, 20], False),
    "five ended just inside the lockout": ([14, 15, 16, 17, 18], True),
    "six, the newest five within the window": ([1, 2, 3, 4, 5, 29], True),
}


@pytest.mark.parametrize("by", ["key", "address"])
@pytest.mark.parametrize(("minutes", "locked"), LOCK_CASES.values(), ids=LOCK_CASES.keys())
def test_a_good_token_is_refused_exactly_when_the_throttle_is_locked(
    client, viewer, make_token, minutes, locked, by
):
    from accounts.services import sign_in_locked_until
    from api.auth import _throttle_key

    secret = make_token(viewer)
    key = _throttle_key("vera", secret)
    now = timezone.now()
    FailedSignIn.objects.bulk_create(
        FailedSignIn(
            username=key if by == "key" else "someone-else",
            ip_address="127.0.0.1" if by == "address" else "192.0.2.99",
            attempted_at=now - timedelta(minutes=m),
        )
        for m in minutes
    )
    assert (sign_in_locked_until(username=key, ip_address="127.0.0.1") is not None) == locked
    before = FailedSignIn.objects.count()
    response = client.get(FEED, **basic("vera", secret))
    assert (response.status_code == 401) == locked
    if locked:
        assert "Too many failed attempts" in response.json()["error"]["message"]
    assert FailedSignIn.objects.count() == before  # a good token, locked or not, adds no failure


def test_a_good_token_costs_one_query_for_itself_its_owner_roles_and_the_throttle(
    client, viewer, make_token, django_assert_num_queries
):
    from django.test import RequestFactory

    from accounts.rules import is_pmo, is_portfolio_reader
    from api.auth import authenticate

    secret = make_token(viewer)
    client.get(FEED, **bearer(secret))  # last_used_at is now fresh: not written again
    request = RequestFactory().get(FEED, **bearer(secret))
    with django_assert_num_queries(1):
        actor = authenticate(request, allow_query=False)
        assert actor == viewer
        # The roles came with the token: the feed's predicates read no more rows.
        assert is_portfolio_reader(actor)
        assert not is_pmo(actor)

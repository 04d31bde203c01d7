"""Sign-in throttling: five failures for a username or from an address within 15 minutes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import FailedSignIn
from accounts.roles import Role
from tests.accounts.factories import PASSWORD

THROTTLED = "There have been too many failed attempts to sign in"
WRONG = "Please enter a correct username and password"


def sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", ip)
        assert response.status_code == 200
        assert WRONG in response.content.decode()


@pytest.mark.django_db
def test_five_failures_refuse_even_the_right_password_with_a_clear_message(client, make_user):
    make_user(Role.PMO, username="pmo")
    fail(client, "pmo", 5)
    response = sign_in(client, "pmo", PASSWORD)
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert THROTTLED in text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_four_failures_still_let_the_right_password_in_and_clear_the_count(client, make_user):
    make_user(Role.PMO, username="pmo")
    fail(client, "pmo", 4)
    assert sign_in(client, "pmo", PASSWORD).status_code == 302
    assert not FailedSignIn.objects.filter(username="pmo").exists()


@pytest.mark.django_db
def test_the_username_is_matched_case_insensitively(client, make_user):
    make_user(Role.PMO, username="pmo")
    for name in ["PMO", "Pmo", "pmo", "pMo", "PMo"]:
        sign_in(client, name, "wrong", ip=f"10.0.0.{len(name) + ord(name[1])}")
    assert THROTTLED in sign_in(client, "pmo", PASSWORD, ip="10.9.9.9").content.decode()


@pytest.mark.django_db
def test_five_failures_from_one_address_refuse_other_usernames_from_it(client, make_user):
    make_user(Role.PMO, username="pmo")
    for n in range(5):
        sign_in(client, f"guess{n}", "wrong", ip="192.0.2.7")
    assert THROTTLED in sign_in(client, "pmo", PASSWORD, ip="192.0.2.7").content.decode()
    assert sign_in(client, "pmo", PASSWORD, ip="192.0.2.8").status_code == 302


@pytest.mark.django_db
def test_unknown_and_existing_usernames_get_the_same_responses(client, make_user):
    make_user(Role.PMO, username="pmo")
    texts = {}
    for username, ip in [("pmo", "10.1.0.1"), ("nobody-by-this-name", "10.2.0.1")]:
        pages = [sign_in(client, username, "wrong", ip).content.decode() for _ in range(6)]
        texts[username] = [
            (WRONG in page, THROTTLED in page, page.count("govuk-error-summary__list"))
            for page in pages
        ]
    assert texts["pmo"] == texts["nobody-by-this-name"]
    assert texts["pmo"][-1] == (False, True, 1)


@pytest.mark.django_db
def test_the_lockout_ends_fifteen_minutes_after_the_last_failure(client, make_user):
    make_user(Role.PMO, username="pmo")
    fail(client, "pmo", 5)
    last = FailedSignIn.objects.latest("attempted_at").attempted_at
    assert services.sign_in_locked_until(username="pmo", ip_address=None) == last + timedelta(
        minutes=15
    )
    FailedSignIn.objects.update(attempted_at=timezone.now() - timedelta(minutes=15, seconds=1))
    assert services.sign_in_locked_until(username="pmo", ip_address=None) is None
    assert sign_in(client, "pmo", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock():
    now = timezone.now()
    for minutes in [20, 16, 3, 2, 1]:
        FailedSignIn.objects.create(username="pmo", attempted_at=now - timedelta(minutes=minutes))
    assert services.sign_in_locked_until(username="pmo", ip_address="10.0.0.1") is None
    services.sign_in_failure_record(username="pmo", ip_address="10.0.0.1")
    assert services.sign_in_locked_until(username="pmo", ip_address="10.0.0.1") is None


@pytest.mark.django_db
def test_recording_a_failure_purges_rows_older_than_the_window_and_lockout():
    old = timezone.now() - timedelta(minutes=31)
    FailedSignIn.objects.create(username="someone", attempted_at=old)
    services.sign_in_failure_record(username="Other", ip_address=None)
    assert list(FailedSignIn.objects.values_list("username", flat=True)) == ["other"]


@pytest.mark.django_db
def test_refused_attempts_are_not_counted_so_the_lockout_does_not_grow(client, make_user):
    make_user(Role.PMO, username="pmo")
    fail(client, "pmo", 5)
    for _ in range(3):
        sign_in(client, "pmo", "wrong")
    assert FailedSignIn.objects.filter(username="pmo").count() == 5


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "10.0.0.1", "", "10.0.0.1"),
        (0, "10.0.0.1", "198.51.100.4", "10.0.0.1"),  # not trusted: a client can send anything
        (1, "10.0.0.1", "198.51.100.4", "198.51.100.4"),
        (1, "10.0.0.1", "6.6.6.6, 198.51.100.4", "198.51.100.4"),  # the forged entry is ignored
        (2, "10.0.0.1", "198.51.100.4, 10.0.0.9", "198.51.100.4"),
        (1, "10.0.0.1", "", "10.0.0.1"),
        (1, "10.0.0.1", "not-an-address", None),
        (0, "", "", None),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    rf, settings, proxies, remote, forwarded, expected
):
    from accounts.forms import client_address

    settings.TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


@pytest.mark.django_db
def test_behind_a_trusted_proxy_one_client_locked_out_does_not_lock_out_the_others(
    client, make_user, settings
):
    settings.TRUSTED_PROXIES = 1
    make_user(Role.PMO, username="pmo")
    for n in range(5):
        client.post(
            "/accounts/login/",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.66",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "pmo", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.10",
    )
    assert response.status_code == 302

"""Rows 3 and 4 of the outside test: sign-in throttling under concurrency, and the admin login.

Row 3: 40 wrong passwords for one username sent at once were all checked (check-then-record
race), and a burst of 19 wrong + 1 right signed in. Now the check and the record are one step
under a row lock, so no more than FAILURE_LIMIT passwords are checked however many arrive at once.
Row 4: /admin/login/ had no throttling at all; it now goes through the same throttle.
"""

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth import forms as auth_forms
from django.db import connection
from django.test import Client

from accounts import services
from accounts.models import FailedSignIn, SignInThrottle
from accounts.roles import Role
from tests.accounts.factories import PASSWORD
from tests.support.threads import together

THROTTLED = "There have been too many failed attempts to sign in"


@pytest.fixture
def checked_passwords(monkeypatch):
    """Counts the passwords actually checked by the sign-in forms."""
    count = {"n": 0}
    lock = threading.Lock()
    real = auth_forms.authenticate

    def counting(*args, **kwargs):
        with lock:
            count["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(auth_forms, "authenticate", counting)
    return count


def attempt(password: str, path: str = "/accounts/login/") -> Callable[[], tuple[int, str, bool]]:
    def call() -> tuple[int, str, bool]:
        client = Client(REMOTE_ADDR="10.0.0.1")
        response = client.post(path, {"username": "pmo", "password": password})
        return response.status_code, response.content.decode(), "_auth_user_id" in client.session

    return call


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestConcurrentAttemptsOnPostgres:
    @pytest.fixture(autouse=True)
    def _postgres_only(self):
        if connection.vendor != "postgresql":
            pytest.skip("row locks need PostgreSQL (DATABASE_URL); SQLite serialises writes")

    def test_forty_wrong_passwords_at_once_check_no_more_than_the_limit(
        self, make_user, checked_passwords
    ):
        make_user(Role.PMO, username="pmo")
        results = together(*[attempt("wrong-password") for _ in range(40)])
        assert not [r for r in results if isinstance(r, Exception)], results
        assert checked_passwords["n"] <= services.FAILURE_LIMIT
        assert FailedSignIn.objects.filter(username="pmo").count() == services.FAILURE_LIMIT
        throttled = [r for r in results if THROTTLED in r[1]]
        assert len(throttled) == 40 - checked_passwords["n"]

    def test_a_burst_of_wrong_then_the_right_password_does_not_sign_in(
        self, make_user, checked_passwords
    ):
        make_user(Role.PMO, username="pmo")
        together(*[attempt("wrong-password") for _ in range(19)])
        _, page, signed_in = attempt(PASSWORD)()
        assert checked_passwords["n"] <= services.FAILURE_LIMIT
        assert THROTTLED in page
        assert not signed_in

    def test_the_admin_login_is_throttled_under_concurrency_too(self, make_user, checked_passwords):
        make_user(Role.PMO, username="pmo", is_staff=True)
        together(*[attempt("wrong-password", "/admin/login/") for _ in range(20)])
        assert checked_passwords["n"] <= services.FAILURE_LIMIT
        _, page, signed_in = attempt(PASSWORD, "/admin/login/")()
        assert THROTTLED in page
        assert not signed_in


@pytest.mark.django_db
def test_the_admin_login_refuses_the_right_password_after_the_limit(make_user, checked_passwords):
    """Row 4: a staff user, wrong passwords up to the limit, then the right one: refused."""
    make_user(Role.PMO, username="pmo", is_staff=True)
    for _ in range(services.FAILURE_LIMIT):
        status, page, signed_in = attempt("wrong-password", "/admin/login/")()
        assert status == 200
        assert not signed_in
    status, page, signed_in = attempt(PASSWORD, "/admin/login/")()
    assert THROTTLED in page
    assert not signed_in
    assert checked_passwords["n"] == services.FAILURE_LIMIT


@pytest.mark.django_db
def test_the_admin_login_shares_the_throttle_with_the_service_login(make_user):
    make_user(Role.PMO, username="pmo", is_staff=True)
    for _ in range(services.FAILURE_LIMIT):
        attempt("wrong-password")()
    _, page, signed_in = attempt(PASSWORD, "/admin/login/")()
    assert THROTTLED in page
    assert not signed_in


@pytest.mark.django_db
def test_an_attempt_is_recorded_before_its_password_is_checked():
    for _ in range(services.FAILURE_LIMIT):
        assert services.sign_in_attempt_begin(username="pmo", ip_address="10.0.0.1") is not None
    assert services.sign_in_attempt_begin(username="PMO", ip_address="10.0.0.2") is None
    assert FailedSignIn.objects.filter(username="pmo").count() == services.FAILURE_LIMIT
    assert set(SignInThrottle.objects.values_list("key", flat=True)) == {
        "user:pmo",
        "ip:10.0.0.1",
        "ip:10.0.0.2",
    }


@pytest.mark.django_db
def test_a_right_password_within_the_limit_clears_its_own_attempt(make_user):
    make_user(Role.PMO, username="pmo")
    status, _, signed_in = attempt(PASSWORD)()
    assert status == 302
    assert signed_in
    assert not FailedSignIn.objects.filter(username="pmo").exists()

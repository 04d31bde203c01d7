"""Shared fixtures: a user per role, signed-in clients, the demo data."""

import os

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.roles import Role
from tests.accounts.factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROLES = list(Role)


def pytest_report_header(config):  # type: ignore[no-untyped-def]
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL.split("@")[-1]
    return [f"Delivery Hub tests: database engine {engine}, Celery broker {broker}"]


@pytest.fixture(autouse=True)
def celery_runs_eagerly(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Tasks run in-process in tests, as in the embedded default, whatever REDIS_URL says; the
    tests that exercise a real worker or broker switch this off themselves."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Files the tests write (the demo's published report among them) go to a temporary
    directory, not the project's var/media."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def fresh_dashboard_cache():  # type: ignore[no-untyped-def]
    """Each test starts with no cached dashboard panels: the database is rolled back between
    tests, a shared Redis is not."""
    from dashboard import caching

    caching.invalidate()


@pytest.fixture
def make_user(db):  # type: ignore[no-untyped-def]
    def make(role: Role | None = None, **kwargs):  # type: ignore[no-untyped-def]
        return UserFactory(roles=[role] if role else [], **kwargs)

    return make


@pytest.fixture
def role_users(make_user):  # type: ignore[no-untyped-def]
    """One user per role, keyed by Role."""
    return {role: make_user(role, username=role.value) for role in ROLES}


@pytest.fixture
def client_as(client):  # type: ignore[no-untyped-def]
    """A test client signed in as the given user."""

    def sign_in(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    call_command("load_demo", quiet=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- single sign-on: a real OpenID Connect provider (tests/support/oidc/) ------------------------


def _start_oidc_provider(redirect_uri: str):  # type: ignore[no-untyped-def]
    from tests.support import oidc

    if not oidc.available():
        if os.environ.get("CI"):
            pytest.fail("node_modules/oidc-provider is missing: CI must run `npm ci`")
        pytest.skip("the test OpenID Connect provider needs `npm ci` (node_modules/oidc-provider)")
    return oidc.OIDCTestProvider(redirect_uris=[redirect_uri])


@pytest.fixture(scope="session")
def oidc_provider():  # type: ignore[no-untyped-def]
    """oidc-provider on a loopback port, sending people back to the Django test client."""
    provider = _start_oidc_provider("http://testserver/accounts/oidc/callback/")
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def oidc_provider_live(live_server):  # type: ignore[no-untyped-def]
    """The same provider for the browser tests, sending people back to the live server."""
    provider = _start_oidc_provider(f"{live_server.url}/accounts/oidc/callback/")
    yield provider
    provider.stop()


def _sso_settings(settings, provider):  # type: ignore[no-untyped-def]
    from accounts import oidc as account_oidc
    from tests.support import oidc

    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = oidc.CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = oidc.CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Council account (test)"
    account_oidc.forget_discovery()
    provider.reset_users()
    return provider


@pytest.fixture
def sso(settings, oidc_provider):  # type: ignore[no-untyped-def]
    """Single sign-on switched on against the test provider (users as tests/support/oidc)."""
    yield _sso_settings(settings, oidc_provider)
    from accounts import oidc as account_oidc

    account_oidc.forget_discovery()


@pytest.fixture
def sso_live(settings, oidc_provider_live):  # type: ignore[no-untyped-def]
    yield _sso_settings(settings, oidc_provider_live)
    from accounts import oidc as account_oidc

    account_oidc.forget_discovery()

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

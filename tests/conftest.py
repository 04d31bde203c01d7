"""Shared fixtures: a user per role, signed-in clients, the demo data; the hypothesis profiles."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from accounts.roles import Role
from tests.accounts.factories import UserFactory
from tests.support import demo_snapshot, flush, migrated_template, static_files, workers
from tests.support.hypothesis_profiles import PROFILE, PROFILES

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Under pytest-xdist each worker has its own Redis database (tests/support/workers.py).
workers.use_own_redis_db()

ROLES = list(Role)

# Hypothesis profiles (tests/support/hypothesis_profiles.py): `dev` by default, `ci` (the full
# example counts, which .ci/run sets with HYPOTHESIS_PROFILE=ci). Each profile's max_examples is
# its count per form; the grids take theirs from the same table.
for _name, _counts in PROFILES.items():
    hypothesis_settings.register_profile(
        _name,
        max_examples=_counts.form,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
hypothesis_settings.load_profile(PROFILE)


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL.split("@")[-1]
    return [
        f"Delivery Hub tests: database engine {engine}, Celery broker {broker}, "
        f"hypothesis profile {PROFILE}"
    ]


def pytest_sessionfinish(session):
    snapshot = _demo_snapshot_taken
    if snapshot is not None:
        workers.publish(
            session.config,
            "demo_snapshot",
            {
                "rows": snapshot.demo_rows(),
                "restored": snapshot.restored,
                "loaded_for": snapshot.loaded_for,
            },
        )


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist, in the controller: a worker has finished; keep the figures it counted."""
    workers.collect(node)


def pytest_terminal_summary(terminalreporter):
    figures = workers.collected("demo_snapshot")
    snapshot = _demo_snapshot_taken
    if snapshot is not None:
        figures = [
            {
                "rows": snapshot.demo_rows(),
                "restored": snapshot.restored,
                "loaded_for": snapshot.loaded_for,
            }
        ]
    if figures:
        rows = max(figure["rows"] for figure in figures)
        restored = sum(figure["restored"] for figure in figures)
        slow = [test for figure in figures for test in figure["loaded_for"]]
        once = "once" if len(figures) == 1 else f"once in each of {len(figures)} workers"
        terminalreporter.write_line(
            f"Demo data: loaded {once} ({rows} rows) and copied back for "
            f"{restored} tests; loaded again for {len(slow)} that wrote rows before "
            f"asking for it (ask for `demo` first){': ' if slow else ''}{', '.join(slow[:5])}"
            f"{' …' if len(slow) > 5 else ''}"
        )
    # The security figures (tests/security/figures.py): counted here in a single process, or in
    # each worker and added up here under pytest-xdist.
    from tests.security import figures as security_figures

    for counts in workers.collected("security_figures"):
        security_figures.merge(counts)
    for line in security_figures.summary_lines():
        terminalreporter.write_line(line)
    screenshots = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
    if screenshots.exists() and any(screenshots.iterdir()):  # tests/browser/conftest.py's
        terminalreporter.write_line(f"Browser screenshots: {screenshots}")


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test`), the tests that drive the live server (Chromium, the
    OData client) run in one worker: one live server, one browser, one provider for them all."""
    for item in items:
        if {"live_server", "chromium"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("live-server"))


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Hash passwords with MD5 in tests (hundreds of users, the demo's included): PBKDF2's
    million rounds cost a third of a second each. Production's hashers are in config/settings."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def static_files_found_once():
    """Each test Client's middleware reuses the first one's list of static files instead of
    walking the finders again (tests/support/static_files.py)."""
    static_files.scan_once()


@pytest.fixture(scope="session", autouse=True)
def flush_deletes_filled_tables():
    """After a transactional test, the tables that hold rows are emptied by DELETE rather than
    every table truncated (tests/support/flush.py)."""
    flush.delete_instead_of_truncate()


@pytest.fixture(autouse=True)
def celery_runs_eagerly(settings, monkeypatch):
    """Tasks run in-process in tests, as in the embedded default, whatever REDIS_URL says; the
    tests that exercise a real worker or broker switch this off themselves."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Files the tests write (the demo's published report among them) go to a temporary
    directory, not the project's var/media."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def fresh_dashboard_cache():
    """Each test starts with no cached dashboard panels: the database is rolled back between
    tests, a shared Redis is not."""
    from core import caching

    caching.invalidate()


@pytest.fixture
def make_user(db):
    def make(role: Role | None = None, **kwargs):
        return UserFactory(roles=[role] if role else [], **kwargs)

    return make


@pytest.fixture
def role_users(make_user):
    """One user per role, keyed by Role."""
    return {role: make_user(role, username=role.value) for role in ROLES}


@pytest.fixture
def client_as(client):
    """A test client signed in as the given user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """pytest-django's own (each worker's database named apart), then the database copied from
    the migrated template where there is one (tests/support/migrated_template.py)."""
    migrated_template.use()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's own, then the freshly migrated database kept as the template if none
    is."""
    with django_db_blocker.unblock():
        migrated_template.keep()


_demo_snapshot_taken: demo_snapshot.Snapshot | None = None


@pytest.fixture(scope="session")
def demo_snapshot_once(django_db_setup, django_db_blocker, fast_password_hasher):
    """The demo, loaded once in the session and copied (tests/support/demo_snapshot.py), with
    Celery eager as every test has it (celery_runs_eagerly)."""
    global _demo_snapshot_taken
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=True), django_db_blocker.unblock():
            _demo_snapshot_taken = demo_snapshot.take()
    finally:
        app.conf.task_always_eager = eager
    return _demo_snapshot_taken


@pytest.fixture
def demo(request, demo_snapshot_once, db):
    """The demo data, as `load_demo` leaves it: written back from the session's copy, or loaded
    for real (seconds) when the test has written rows before asking for it."""
    from core import caching

    if not demo_snapshot.restore(demo_snapshot_once):
        demo_snapshot_once.loaded_for.append(request.node.nodeid)
        call_command("load_demo", quiet=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    caching.invalidate()


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- single sign-on: a real OpenID Connect provider (tests/support/oidc/) ------------------------


def _start_oidc_provider(redirect_uri: str):
    from tests.support import oidc

    if not oidc.available():
        if os.environ.get("CI"):
            pytest.fail("node_modules/oidc-provider is missing: CI must run `npm ci`")
        pytest.skip("the test OpenID Connect provider needs `npm ci` (node_modules/oidc-provider)")
    return oidc.OIDCTestProvider(redirect_uris=[redirect_uri])


@pytest.fixture(scope="session")
def oidc_provider():
    """oidc-provider on a loopback port, sending people back to the Django test client."""
    provider = _start_oidc_provider("http://testserver/accounts/oidc/callback/")
    yield provider
    provider.stop()


@pytest.fixture(scope="session")
def oidc_provider_live(live_server):
    """The same provider for the browser tests, sending people back to the live server."""
    provider = _start_oidc_provider(f"{live_server.url}/accounts/oidc/callback/")
    yield provider
    provider.stop()


def _sso_settings(settings, provider):
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
def sso(settings, oidc_provider):
    """Single sign-on switched on against the test provider (users as tests/support/oidc)."""
    yield _sso_settings(settings, oidc_provider)
    from accounts import oidc as account_oidc

    account_oidc.forget_discovery()


@pytest.fixture
def sso_live(settings, oidc_provider_live):
    yield _sso_settings(settings, oidc_provider_live)
    from accounts import oidc as account_oidc

    account_oidc.forget_discovery()

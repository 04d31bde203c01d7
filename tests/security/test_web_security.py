"""Web security: CSRF on every POST (htmx included), security headers on every response, and the
production cookie, HSTS and TLS-redirect settings."""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from django.test import Client

from accounts.roles import Role
from tests.accounts.factories import PASSWORD
from tests.config.test_settings import ROOT

# --- CSRF -------------------------------------------------------------------------------------


def csrf_token_from(client: Client, path: str) -> str:
    client.get(path)
    return client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_a_sign_in_post_without_the_csrf_token_is_refused(make_user):
    make_user(Role.PMO, username="pmo")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "pmo", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_sign_in_post_with_the_form_token_is_accepted(make_user):
    make_user(Role.PMO, username="pmo")
    client = Client(enforce_csrf_checks=True)
    token = csrf_token_from(client, "/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"username": "pmo", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_the_page_hands_htmx_the_csrf_token_in_hx_headers(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.VIEWER))
    page = client.get("/programmes/").content.decode()
    match = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert match, "the <body> must carry the CSRF token in hx-headers"
    assert len(match.group(1)) == 64


@pytest.mark.django_db
def test_an_htmx_post_with_the_token_in_the_header_is_accepted(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.VIEWER))
    token = csrf_token_from(client, "/programmes/")
    response = client.post(
        "/accounts/logout/", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_an_htmx_post_without_the_token_is_refused_and_changes_nothing(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.VIEWER))
    client.get("/programmes/")
    response = client.post("/accounts/logout/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert client.get("/").status_code == 200, "still signed in"


@pytest.mark.django_db
def test_an_htmx_post_with_a_forged_token_is_refused(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.VIEWER))
    client.get("/programmes/")
    forged = "x" * 64
    response = client.post(
        "/accounts/logout/", headers={"HX-Request": "true", "X-CSRFToken": forged}
    )
    assert response.status_code == 403


# --- Headers on every response ----------------------------------------------------------------

RESPONSES = [
    # (role or None for anonymous, path, expected status)
    (None, "/accounts/login/", 200),
    (None, "/", 302),
    (None, "/healthz", 200),
    (Role.PMO, "/", 200),
    (Role.PMO, "/programmes/", 200),
    (Role.VIEWER, "/programmes/commercial/", 200),
    (Role.VIEWER, "/programmes/no-such-programme/", 404),
    (Role.SCRUTINY_MEMBER, "/programmes/", 403),
    (Role.SCRUTINY_MEMBER, "/", 200),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "path", "status"), RESPONSES)
def test_every_response_carries_the_security_headers(client, make_user, demo, role, path, status):
    if role:
        client.force_login(make_user(role))
    response = client.get(path)
    assert response.status_code == status
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_database_unavailable_page_carries_the_security_headers(client_as, make_user):
    from django.db import OperationalError

    from portfolio import views as portfolio_views

    client = client_as(make_user(Role.PMO))
    original = portfolio_views.Programme.objects.listed

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    portfolio_views.Programme.objects.listed = unreachable
    try:
        response = client.get("/programmes/")
    finally:
        portfolio_views.Programme.objects.listed = original
    assert response.status_code == 503
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


# --- Production settings (DJANGO_DEBUG=0, in a subprocess) -------------------------------------

PRODUCTION_PROBE = textwrap.dedent(
    """
    import json, django
    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    plain = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
             "default": settings.STORAGES["default"]}
    with override_settings(STORAGES=plain):
        client = Client()
        secure = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
        plain_http = client.get("/accounts/login/")
        health = client.get("/healthz")
    csrf = secure.cookies.get("csrftoken")
    print(json.dumps({
        "secure_status": secure.status_code,
        "hsts": secure.headers.get("Strict-Transport-Security"),
        "csrf_cookie": {"secure": csrf["secure"], "samesite": csrf["samesite"]} if csrf else None,
        "http_status": plain_http.status_code,
        "http_location": plain_http.headers.get("Location"),
        "health_status": health.status_code,
        "settings": {name: getattr(settings, name) for name in [
            "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE",
            "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
            "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
        ]},
    }))
    """
)


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    database = tmp_path_factory.mktemp("prod") / "probe.sqlite3"
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k" * 32 + "-Production-Secret-" + "9" * 20,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_sends_hsts_on_secure_requests(production):
    assert production["secure_status"] == 200
    assert production["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_production_session_and_csrf_cookies_are_secure_and_http_only(production):
    settings = production["settings"]
    assert settings["DEBUG"] is False
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["CSRF_COOKIE_SECURE"] is True
    assert production["csrf_cookie"] == {"secure": True, "samesite": "Lax"}


def test_production_redirects_plain_http_to_https_except_healthz(production):
    assert production["settings"]["SECURE_SSL_REDIRECT"] is True
    assert production["http_status"] == 301
    assert production["http_location"] == "https://testserver/accounts/login/"
    assert production["health_status"] in (200, 503), "/healthz answers over plain HTTP"

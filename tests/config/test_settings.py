"""Start-up refuses bad configuration with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_django(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_debug_off_without_a_secret_key_refuses_to_start():
    result = run_django({"DJANGO_DEBUG": "0"}, "check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "perhaps"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("REDIS_URL", "localhost:6379"),
        ("DJANGO_SECURE_HSTS_SECONDS", "a year"),
    ],
)
def test_malformed_environment_variable_is_named(name, value):
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60, name: value}
    if name == "DJANGO_DEBUG":
        env = {name: value}
    result = run_django(env, "check")
    assert result.returncode != 0
    assert name in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_django(
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 32 + "-Production-Secret-" + "9" * 20},
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"OIDC_ISSUER": "https://login.example/tenant/v2.0"},
            "OIDC_CLIENT_ID and OIDC_CLIENT_SECRET",
        ),
        ({"LOCAL_SIGN_IN": "0"}, "LOCAL_SIGN_IN=0 needs OIDC_ISSUER"),
        (
            {
                "OIDC_ISSUER": "http://login.example/",
                "OIDC_CLIENT_ID": "a",
                "OIDC_CLIENT_SECRET": "b",
            },
            "OIDC_ISSUER must be an https:// URL",
        ),
        ({"LOCAL_SIGN_IN": "maybe"}, "LOCAL_SIGN_IN must be 1 or 0"),
    ],
)
def test_single_sign_on_misconfiguration_refuses_to_start(env, message):
    result = run_django(env, "check")
    assert result.returncode != 0
    assert message in result.stderr


def test_single_sign_on_set_up_passes_the_checks():
    env = {
        "OIDC_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0",
        "OIDC_CLIENT_ID": "client",
        "OIDC_CLIENT_SECRET": "secret",
        "LOCAL_SIGN_IN": "0",
    }
    result = run_django(env, "check")
    assert result.returncode == 0, result.stderr

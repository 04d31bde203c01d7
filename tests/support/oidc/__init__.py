"""The test suite's OpenID Connect provider: oidc-provider (npm) started from provider.mjs on a
loopback port, with a signing key this module generates and holds, so a test can also forge
tokens "the provider would sign" (expired, for another client) or sign with another key.

``OIDCTestProvider.sign_in_through(...)`` walks the authorisation code flow with ``requests``
as a browser would (the provider's own sign-in form), for tests that do not need Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("provider.mjs")
PACKAGE = ROOT / "node_modules" / "oidc-provider"

CLIENT_ID = "delivery-hub"
CLIENT_SECRET = "delivery-hub-test-secret-0123456789abcdef"
OTHER_CLIENT_ID = "another-app"
OTHER_CLIENT_SECRET = "another-app-test-secret-0123456789abcdef"
CALLBACK_PATH = "/accounts/oidc/callback/"

PMO_GROUP = "0b5a7c9e-3d1f-4f0a-9c61-2a7d3e8b4f10"  # an Entra ID group object id, in form
BOARD_GROUP = "5f0e2a41-8b7c-4d3e-a1f9-6c2b7d8e9a03"

USERS: dict[str, dict[str, Any]] = {
    "pat.pmo": {
        "email": "pat.pmo@council.example",
        "given_name": "Pat",
        "family_name": "Okafor",
        "name": "Pat Okafor",
        "groups": [PMO_GROUP, "all-staff"],
    },
    "nell.nogroup": {
        "email": "nell.nogroup@council.example",
        "given_name": "Nell",
        "family_name": "Price",
        "name": "Nell Price",
        "groups": ["all-staff"],
    },
    "bo.board": {
        "email": "bo.board@council.example",
        "given_name": "Bo",
        "family_name": "Lindqvist",
        "name": "Bo Lindqvist",
        "groups": [BOARD_GROUP, PMO_GROUP],
    },
}


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key))
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


class OIDCTestProvider:
    def __init__(self, redirect_uris: list[str]) -> None:
        self.key = new_key()
        self.kid = "test-provider-key-1"
        clients = [
            {
                "client_id": client_id,
                "client_secret": secret,
                "redirect_uris": redirect_uris,
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_post",
            }
            for client_id, secret in (
                (CLIENT_ID, CLIENT_SECRET),
                (OTHER_CLIENT_ID, OTHER_CLIENT_SECRET),
            )
        ]
        config = {
            "jwks": {"keys": [private_jwk(self.key, self.kid)]},
            "clients": clients,
            "users": USERS,
        }
        node = shutil.which("node") or "node"
        # Its warnings go to a file, not a pipe nobody reads (a full pipe would stall it).
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - our own script, no shell
            [node, str(SCRIPT)],
            cwd=ROOT,
            env={**os.environ, "OIDC_TEST_CONFIG": json.dumps(config)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            self.process.wait(timeout=5)
            self.log.seek(0)
            raise RuntimeError(f"the test OpenID Connect provider did not start: {self.log.read()}")
        self.issuer: str = json.loads(line)["issuer"]

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=5)
        self.log.close()

    # --- test hooks ---------------------------------------------------------------------------
    def set_user(self, login: str, claims: dict[str, Any]) -> None:
        response = requests.put(f"{self.issuer}/test/users/{login}", json=claims, timeout=5)
        response.raise_for_status()

    def reset_users(self) -> None:
        for login, claims in USERS.items():
            self.set_user(login, claims)

    def next_id_token(self, token: str) -> None:
        """The provider's next token response carries ``token`` as its ID token."""
        response = requests.post(
            f"{self.issuer}/test/next-id-token", json={"id_token": token}, timeout=5
        )
        response.raise_for_status()

    def forge(
        self,
        *,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        """An ID token with these claims, signed with the provider's key (or ``key``)."""
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": "forged.subject",
            "iat": now,
            "exp": now + 600,
            **claims,
        }
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(
            payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    # --- the flow, as a browser walks it --------------------------------------------------------
    def sign_in_through(self, authorize_url: str, login: str) -> str:
        """Follow ``authorize_url`` through the provider's sign-in form as ``login``; return
        the redirect back to Delivery Hub (the callback URL with code and state)."""
        browser = requests.Session()
        url = authorize_url
        for _ in range(10):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and "/interaction/" in url:
                response = browser.post(
                    url, data={"login": login}, allow_redirects=False, timeout=10
                )
            if response.status_code not in (302, 303):
                raise AssertionError(
                    f"the provider answered {response.status_code} at {url}: {response.text[:500]}"
                )
            url = urljoin(url, response.headers["Location"])
            if urlsplit(url).path == CALLBACK_PATH:
                return url
        raise AssertionError("the provider never sent the browser back to Delivery Hub")


def available() -> bool:
    return PACKAGE.exists() and shutil.which("node") is not None

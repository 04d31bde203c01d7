import base64

import pytest

from accounts.models import User
from api import services


@pytest.fixture
def make_token(db):
    def make(user: User, days: int = 90) -> str:
        _token, secret = services.access_token_create(actor=user, name="test", expires_in_days=days)
        return secret

    return make


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def basic(username: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {raw}"}

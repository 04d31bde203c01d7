import pytest
from django.db import OperationalError

from config import health


@pytest.mark.django_db
def test_healthz_reports_database_cache_and_broker_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"].startswith("up")
    assert body["cache"] == "up"
    assert body["broker"].startswith("up")


@pytest.mark.django_db
def test_healthz_names_the_failing_part_with_503(client, monkeypatch):
    def broken_cache() -> str:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setitem(health.CHECKS, "cache", broken_cache)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down: cache"
    assert body["cache"].startswith("down: ConnectionError")
    assert body["database"].startswith("up")


@pytest.mark.django_db
def test_healthz_never_raises_when_the_database_is_down(client, monkeypatch):
    def broken_database() -> str:
        raise OperationalError("connection to server at 127.0.0.1 port 5432 failed")

    monkeypatch.setitem(health.CHECKS, "database", broken_database)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down: database"

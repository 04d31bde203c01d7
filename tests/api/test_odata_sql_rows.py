"""On PostgreSQL the feed's rows are written by the database (api/odata/serialise.py
``row_json``): the same bytes as the Python writer, for every entity set, for awkward text,
NULLs, money with pence and timestamps with and without a fraction of a second."""

import datetime
from unittest import mock

import pytest
from django.db import connection

from accounts.models import User
from api.odata import serialise
from api.odata.entities import BY_NAME, ENTITY_SETS
from governance.models import Risk
from portfolio.models import Programme
from tests.api.conftest import bearer

AWKWARD = 'Quote " backslash \\ slash / newline \n tab \t bell \x07 unit \x1f é € 😀 </script>'


def test_sqlite_rows_are_written_in_python(db):
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only: PostgreSQL writes the rows itself (the test below)")
    assert serialise.row_json(BY_NAME["BenefitProfileYears"].properties) is None


@pytest.mark.django_db
def test_postgresql_writes_the_same_bytes_as_python(demo, client, make_token):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite rows are written in Python")
    risk = Risk.objects.order_by("pk").first()
    Risk.objects.filter(pk=risk.pk).update(
        title=AWKWARD,
        created_at=datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC),
        review_date=None,
    )
    Programme.objects.filter(pk=risk.programme_id).update(
        description=AWKWARD,
        stage_entered_at=datetime.datetime(2026, 1, 1, 9, 0, 0, 120, tzinfo=datetime.UTC),
    )
    headers = bearer(make_token(User.objects.get(username="pmo")))
    urls = [f"/odata/{entity_set.name}" for entity_set in ENTITY_SETS] + [
        "/odata/Risks?$expand=Programme,Owner&$orderby=Title desc",
        "/odata/Risks?$select=Title,CreatedAt,InherentScore&$filter=contains(Title,'backslash')",
        "/odata/BenefitProfileYears?$expand=Benefit&$count=true&$top=40",
    ]
    for url in urls:
        in_database = client.get(url, **headers)
        with mock.patch.object(serialise, "row_json", return_value=None):
            in_python = client.get(url, **headers)
        assert in_database.status_code == 200, (url, in_database.content[:300])
        assert in_database.content == in_python.content, url
        assert in_database.json()["value"], url
    body = client.get(f"/odata/Risks?$filter=Id eq {risk.pk}", **headers).json()["value"][0]
    assert body["Title"] == AWKWARD
    assert body["CreatedAt"] == "2026-01-01T09:00:00+00:00"
    assert body["ReviewDate"] is None

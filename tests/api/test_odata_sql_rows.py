"""On PostgreSQL the feed's rows are written by the database (api/odata/serialise.py
``row_json``): the same bytes as the Python writer, for every entity set, for awkward text,
NULLs, money with pence and timestamps with and without a fraction of a second."""

import datetime
import json
from unittest import mock

import pytest
from django.db import connection

from accounts.models import User
from api.odata import paging, serialise
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


@pytest.mark.django_db
def test_postgresql_pages_read_as_pythons_across_chunks_and_pages(
    demo, client, make_token, monkeypatch
):
    """Each chunk's rows joined by PostgreSQL (string_agg over the rows in key order) against
    the same pages written in Python: with chunks of 3 and pages of 7, every page of each
    query, followed by its next link, holds the same entities in the same order, with
    $select, $filter, $orderby, $top, $skip and awkward text."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite rows are written in Python")
    risk = Risk.objects.order_by("pk").first()
    Risk.objects.filter(pk=risk.pk).update(title=AWKWARD)
    monkeypatch.setattr(paging, "CHUNK_ROWS", 3)
    headers = {
        **bearer(make_token(User.objects.get(username="pmo"))),
        "HTTP_PREFER": "odata.maxpagesize=7",
    }
    urls = [
        "/odata/BenefitProfileYears",
        "/odata/BenefitProfileYears?$select=Actual,Id&$filter=Planned gt 0&$top=20",
        "/odata/BenefitProfileYears?$skip=4&$top=17&$orderby=Forecast desc",
        "/odata/Risks?$select=Title,Id,InherentScore"
        "&$filter=contains(Title,'backslash') or Id gt 0",
    ]

    def pages(url: str) -> list:
        read = []
        while url:
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            page = json.loads(body)
            read.append(page)
            link = page.get("@odata.nextLink")
            url = link[link.index("/odata/") :] if link else None
        return read

    for url in urls:
        in_database = pages(url)
        with mock.patch.object(serialise, "row_json", return_value=None):
            in_python = pages(url)
        assert in_database == in_python, url
        assert len(in_database) > 1, url
    keys = [row["Id"] for page in pages(urls[0]) for row in page["value"]]
    assert keys == sorted(keys)

"""Pages written a chunk at a time (api/odata/paging.py): a page larger than one chunk is
streamed, chunk by chunk, and reads exactly as the same page answered whole; paging by key runs
across chunk and page boundaries; the page size is the feed's default unless the client prefers
fewer; a client that stops reading part-way leaves the connection usable."""

import json
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.db import connection

from accounts.models import User
from api.odata import paging, views
from benefits.models import BenefitProfile
from governance.models import Risk
from tests.api.conftest import bearer

URLS = [
    "/odata/BenefitProfileYears",
    "/odata/BenefitProfileYears?$select=Forecast,Id&$count=true",
    "/odata/BenefitProfileYears?$filter=FinancialYear ge 2020 and Planned gt 0&$top=11",
    "/odata/BenefitProfileYears?$skip=2&$top=9",
    "/odata/Risks?$orderby=Title desc&$select=Title,InherentScore",
    "/odata/Risks?$expand=Programme,Owner&$top=13",
    "/odata/Programmes?$expand=Sro",
]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _relative(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + "?" + parts.query


@pytest.fixture
def pmo_headers(demo, make_token):
    return bearer(make_token(User.objects.get(username="pmo")))


@pytest.mark.django_db
def test_a_streamed_page_reads_as_the_same_page_answered_whole(client, pmo_headers, monkeypatch):
    """The same URL with chunks of 4 rows (streamed) and of 5,000 (answered whole): the same
    bytes, and every streamed piece after the head holds at most one chunk of entities."""
    for url in URLS:
        whole = client.get(url, **pmo_headers)
        assert whole.status_code == 200, (url, whole.content[:300])
        assert not whole.streaming, url  # the demo's sets fit in one chunk
        monkeypatch.setattr(paging, "CHUNK_ROWS", 4)
        streamed = client.get(url, **pmo_headers)
        pieces = [piece.decode() for piece in streamed.streaming_content]
        monkeypatch.setattr(paging, "CHUNK_ROWS", 5000)
        assert streamed.streaming, url
        assert "".join(pieces).encode() == whole.content, url
        assert len(json.loads(whole.content)["value"]) > 4, url
        for piece in pieces[1:-1]:  # each chunk: at most four entities, a comma before the 2nd on
            entities = json.loads("[" + piece.removeprefix(",") + "]")
            assert 1 <= len(entities) <= 4, (url, piece[:200])
        assert streamed["Content-Type"] == whole["Content-Type"]
        assert streamed["OData-Version"] == "4.0"


@pytest.mark.django_db
def test_paging_by_key_crosses_chunks_and_pages(client, pmo_headers, monkeypatch):
    """Pages of 7 rows in chunks of 3: every profile year once, in key order, the last page
    without a next link; $top stops part-way through a chunk."""
    monkeypatch.setattr(paging, "CHUNK_ROWS", 3)
    headers = {**pmo_headers, "HTTP_PREFER": "odata.maxpagesize=7"}
    url, ids, pages = "/odata/BenefitProfileYears?$select=Id", [], 0
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200
        assert response["Preference-Applied"] == "odata.maxpagesize=7"
        body = json.loads(_body(response))
        ids += [row["Id"] for row in body["value"]]
        pages += 1
        url = _relative(body["@odata.nextLink"]) if "@odata.nextLink" in body else None
    expected = list(BenefitProfile.objects.order_by("pk").values_list("pk", flat=True))
    assert ids == expected
    assert pages == -(-len(expected) // 7)

    body = json.loads(_body(client.get("/odata/BenefitProfileYears?$top=8", **headers)))
    assert len(body["value"]) == 7
    rest = json.loads(_body(client.get(_relative(body["@odata.nextLink"]), **headers)))
    assert len(rest["value"]) == 1
    assert "@odata.nextLink" not in rest

    titles, url = [], "/odata/Risks?$orderby=Title&$select=Title"
    while url:
        body = json.loads(_body(client.get(url, **headers)))
        titles += [row["Title"] for row in body["value"]]
        url = _relative(body["@odata.nextLink"]) if "@odata.nextLink" in body else None
    assert titles == list(Risk.objects.order_by("title", "pk").values_list("title", flat=True))


@pytest.mark.django_db
def test_the_page_size_is_the_feeds_unless_the_client_prefers_fewer(
    client, pmo_headers, monkeypatch
):
    monkeypatch.setattr(views, "MAX_PAGE_SIZE", 10)
    response = client.get("/odata/BenefitProfileYears", **pmo_headers)
    assert len(response.json()["value"]) == 10
    assert "@odata.nextLink" in response.json()
    assert "Preference-Applied" not in response
    url = "/odata/BenefitProfileYears"
    more = client.get(url, **pmo_headers, HTTP_PREFER="odata.maxpagesize=99")
    assert len(more.json()["value"]) == 10  # never more than the feed's page
    assert more["Preference-Applied"] == "odata.maxpagesize=10"
    fewer = client.get(url, **pmo_headers, HTTP_PREFER="odata.maxpagesize=3")
    assert len(fewer.json()["value"]) == 3


@pytest.mark.django_db
def test_a_client_that_stops_reading_part_way_leaves_the_connection_usable(
    client, pmo_headers, monkeypatch
):
    """The stream is closed after its first piece (the client went away): its cursor is closed
    with it, and the next requests are answered."""
    monkeypatch.setattr(paging, "CHUNK_ROWS", 2)
    for url in ("/odata/BenefitProfileYears", "/odata/Risks?$orderby=Title"):
        response = client.get(url, **pmo_headers)
        assert response.streaming
        next(iter(response.streaming_content))
        # What the server does when the client goes away: close the response. (Its
        # request_finished would close the test's connection, and with it the test's
        # transaction, as a server ends a request's; here the connection is kept.)
        with mock.patch.object(connection, "close_if_unusable_or_obsolete"):
            response.close()
        again = client.get(url + ("&" if "?" in url else "?") + "$top=1", **pmo_headers)
        assert again.status_code == 200
        assert len(again.json()["value"]) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

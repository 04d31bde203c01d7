"""CSV on the Web metadata beside each CSV download: the same columns, in the same order, with
money typed as decimal, and linked from the pages that offer the CSV."""

import csv
import io

import pytest

from accounts.roles import Role
from benefits.rollup import rollup_run
from tests.benefits.factories import BenefitProfileFactory
from tests.governance.factories import RiskFactory


def _header(response) -> list[str]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return next(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


@pytest.fixture
def pmo(make_user, client_as):
    return client_as(make_user(Role.PMO))


def test_a_dashboard_tables_metadata_matches_its_csv(pmo):
    BenefitProfileFactory()
    rollup_run()
    for slug in ("savings", "pipeline", "overdue-actions", "roadmap"):
        metadata = pmo.get(f"/dashboard/export/{slug}.csv-metadata.json")
        assert metadata.status_code == 200
        assert metadata["Content-Type"].startswith("application/csvm+json")
        document = metadata.json()
        assert document["@context"][0] == "http://www.w3.org/ns/csvw"
        assert document["url"].endswith(f"/dashboard/export/{slug}.csv")
        columns = document["tableSchema"]["columns"]
        assert [c["titles"] for c in columns] == _header(pmo.get(f"/dashboard/export/{slug}.csv"))
        assert len({c["name"] for c in columns}) == len(columns)
    savings = pmo.get("/dashboard/export/savings.csv-metadata.json").json()["tableSchema"][
        "columns"
    ]
    assert [c["datatype"] for c in savings] == ["string", *["decimal"] * 5]
    assert pmo.get("/dashboard/export/nope.csv-metadata.json").status_code == 404


def test_a_logs_metadata_matches_its_csv_and_keeps_the_filters(pmo):
    risk = RiskFactory()
    slug = risk.programme.slug
    base = f"/programmes/{slug}/raid/risks/export.csv"
    document = pmo.get(base + "-metadata.json?status=open").json()
    assert document["url"].endswith(base + "?status=open")
    assert [c["titles"] for c in document["tableSchema"]["columns"]] == _header(pmo.get(base))
    for url in ("/raid/export.csv", f"/portfolios/{risk.programme.portfolio.slug}/raid/export.csv"):
        document = pmo.get(url + "-metadata.json").json()
        assert [c["titles"] for c in document["tableSchema"]["columns"]] == _header(pmo.get(url))


def test_the_pages_link_the_metadata_beside_the_csv(pmo):
    risk = RiskFactory()
    page = pmo.get(f"/programmes/{risk.programme.slug}/raid/risks/").content.decode()
    assert "raid/risks/export.csv-metadata.json" in page
    assert "/data/" in page
    BenefitProfileFactory()
    rollup_run()
    dashboard = pmo.get("/dashboard/").content.decode()
    assert "/dashboard/export/savings.csv-metadata.json" in dashboard


def test_the_help_page_gives_the_feed_url(pmo):
    page = pmo.get("/data/").content.decode()
    assert "http://testserver/odata/" in page
    assert "BenefitProfileYears" in page
    assert "?token=" in page

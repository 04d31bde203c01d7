"""A real OData v4 client that nobody here wrote reads the feed over HTTP, as Power BI would.

``python-odata`` (tuomur/python-odata) is the client: SAP's ``pyodata`` reads OData V2 only
(its V4 support is an open issue), so it cannot read this feed. The client loads ``$metadata``,
builds an entity class per entity set, and follows ``@odata.nextLink`` page by page; the feed is
asked for small pages (``Prefer: odata.maxpagesize``) so that paging is exercised on the demo.
"""

import os
from decimal import Decimal
from xml.etree import ElementTree

import pytest
import requests
from odata import ODataService

from accounts.models import User
from api.odata.entities import ENTITY_SETS
from benefits.models import BenefitProfile
from dashboard.queries import DashboardFilters, latest_snapshot, money_panel

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PAGE = 7


@pytest.fixture
def service(live_server, demo, make_token):
    secret = make_token(User.objects.get(username="pmo"))
    session = requests.Session()
    session.auth = ("pmo", secret)  # HTTP Basic, as Excel and Power BI send it
    pages: list[str] = []
    session.hooks["response"].append(lambda response, *a, **k: pages.append(response.url))
    url = f"{live_server.url}/odata/"
    service = ODataService(
        url,
        session=session,
        extra_headers={"Prefer": f"odata.maxpagesize={PAGE}"},
        reflect_entities=True,
        quiet_progress=True,
    )
    service.pages = pages
    service.metadata_text = session.get(url + "$metadata").text
    return service


@pytest.mark.django_db(transaction=True)
def test_a_real_client_reads_every_entity_set_to_the_end(service):
    assert set(service.entities) == {s.name for s in ENTITY_SETS}
    for entity_set in ENTITY_SETS:
        cls = service.entities[entity_set.name]
        rows = list(service.query(cls))
        expected = entity_set.model._default_manager.count()
        assert len(rows) == expected, entity_set.name
        assert len({row.Id for row in rows}) == expected, f"{entity_set.name}: a row twice"
    followed = [url for url in service.pages if "skiptoken" in url]
    assert followed, "no @odata.nextLink was followed"


@pytest.mark.django_db(transaction=True)
def test_the_clients_benefit_profile_totals_equal_the_dashboards(service):
    """Summed as the roll-up sums them (non-financial benefits left out, dis-benefits counted
    against), the client's benefit profile years give the dashboard's savings by year."""
    benefits = {b.Id: b.Type for b in service.query(service.entities["Benefits"])}
    years = list(service.query(service.entities["BenefitProfileYears"]))
    assert len(years) == BenefitProfile.objects.count() > PAGE  # more than one page
    totals: dict[int, dict[str, Decimal]] = {}
    for year in years:
        kind = benefits[year.BenefitId]
        if kind == "non_financial":
            continue
        sign = -1 if kind == "dis_benefit" else 1
        bucket = totals.setdefault(
            year.FinancialYear, dict.fromkeys(("planned", "forecast", "actual"), Decimal(0))
        )
        for name in bucket:
            bucket[name] += sign * Decimal(getattr(year, name.capitalize()))
    panel = money_panel(DashboardFilters(), latest_snapshot())
    dashboard = {
        y["financial_year"]: {k: y[k] for k in ("planned", "forecast", "actual")}
        for y in panel["years"]
    }
    assert dashboard, "the demo's dashboard shows savings"
    shown = {fy: t for fy, t in totals.items() if any(t.values())}
    assert shown == dashboard
    assert sum(t["forecast"] for t in shown.values()) == panel["total"]["forecast"]


@pytest.mark.django_db(transaction=True)
def test_metadata_is_well_formed_and_names_every_property(service):
    root = ElementTree.fromstring(service.metadata_text)  # noqa: S314 - our own document
    ns = {
        "edmx": "http://docs.oasis-open.org/odata/ns/edmx",
        "edm": "http://docs.oasis-open.org/odata/ns/edm",
    }
    assert root.get("Version") == "4.0"
    types = {t.get("Name"): t for t in root.iterfind(".//edm:EntityType", ns)}
    for entity_set in ENTITY_SETS:
        entity_type = types[entity_set.type_name]
        assert [r.get("Name") for r in entity_type.iterfind("edm:Key/edm:PropertyRef", ns)] == [
            "Id"
        ]
        declared = {p.get("Name"): p.get("Type") for p in entity_type.iterfind("edm:Property", ns)}
        assert declared == {p.name: p.edm for p in entity_set.properties}
        navigations = {n.get("Name") for n in entity_type.iterfind("edm:NavigationProperty", ns)}
        assert navigations == {n.name for n in entity_set.navigations}
    years = {p.get("Name"): p for p in types["BenefitProfileYear"].iterfind("edm:Property", ns)}
    assert years["Forecast"].get("Type") == "Edm.Decimal"
    assert years["Forecast"].get("Scale") == "2"
    actions = {p.get("Name"): p.get("Type") for p in types["Action"].iterfind("edm:Property", ns)}
    assert actions["DueDate"] == "Edm.Date"
    sets = {s.get("Name") for s in root.iterfind(".//edm:EntityContainer/edm:EntitySet", ns)}
    assert sets == {s.name for s in ENTITY_SETS}

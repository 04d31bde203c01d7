"""Who may see and do what in the governance logs: every view × every role (DESIGN.md §4)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import services
from governance.models import ChangeRequest, Risk
from tests.accounts.factories import UserFactory
from tests.governance.factories import (
    ActionFactory,
    AssumptionFactory,
    DependencyFactory,
    IssueFactory,
    RiskFactory,
    build_logs_world,
)
from tests.support.shared_rows import module_rows

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "pmo", "manager", "other_manager", "sro", "board", "scrutiny", "viewer"]
READERS = {"pmo", "manager", "other_manager", "sro", "board", "viewer"}
EDITORS = {"pmo", "manager", "sro"}
PMO = {"pmo"}

READ_URLS = [
    "/programmes/commercial/raid/",
    "/programmes/commercial/raid/risks/",
    "/programmes/commercial/raid/assumptions/",
    "/programmes/commercial/raid/issues/",
    "/programmes/commercial/raid/dependencies/",
    "/programmes/commercial/actions/",
    "/programmes/commercial/decisions/",
    "/programmes/commercial/change-requests/",
    "/programmes/commercial/raci/",
    "/programmes/commercial/raid/risks/export.csv",
    "/programmes/commercial/actions/export.xlsx",
    "/programmes/commercial/decisions/export.csv",
    "/programmes/commercial/change-requests/export.csv",
    "/raid/",
    "/raid/export.csv",
    "/portfolios/partner/raid/",
    "/portfolios/partner/raid/export.xlsx",
    "/raid/import/template.xlsx",
    "/actions/mine/",
    "/boards/",
    "/boards/delivery-board/",
    "/boards/delivery-board/pack/",
    "/change-requests/{change}/",
]
EDIT_URLS = [
    "/programmes/commercial/raid/risks/add/",
    "/programmes/commercial/raid/risks/{risk}/edit/",
    "/programmes/commercial/raid/risks/{risk}/",
    "/programmes/commercial/raid/assumptions/add/",
    "/programmes/commercial/raid/assumptions/{assumption}/edit/",
    "/programmes/commercial/raid/issues/add/",
    "/programmes/commercial/raid/issues/{issue}/edit/",
    "/programmes/commercial/raid/dependencies/add/",
    "/programmes/commercial/raid/dependencies/{dependency}/edit/",
    "/programmes/commercial/actions/add/",
    "/programmes/commercial/actions/{action}/edit/",
    "/programmes/commercial/decisions/add/",
    "/programmes/commercial/change-requests/add/",
    "/programmes/commercial/raci/edit/",
    "/programmes/commercial/raid/import/",
]
PMO_URLS = [
    "/boards/delivery-board/edit/",
    "/boards/delivery-board/terms-of-reference/",
    "/change-requests/thresholds/",
    "/raid/risks/{portfolio_risk}/edit/",
]

CASES = (
    [(url, role, role in READERS) for url in READ_URLS for role in ROLES]
    + [(url, role, role in EDITORS) for url in EDIT_URLS for role in ROLES]
    + [(url, role, role in PMO) for url in PMO_URLS for role in ROLES]
)


def make_user(role=None, **kwargs):
    return UserFactory(roles=[role] if role else [], **kwargs)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The world and its log entries, written once for this module's few hundred cases and
    rolled back at its end; each test runs in a savepoint inside (tests/support/shared_rows.py)."""

    def build():
        world = build_logs_world(make_user)
        return world, build_ids(world)

    with module_rows(django_db_blocker, build) as built:
        yield built


@pytest.fixture
def logs_world(shared_world, db):
    return shared_world[0]


@pytest.fixture
def ids(shared_world, db):
    return shared_world[1]


def build_ids(logs_world):
    programme = logs_world["programme"]
    change = services.change_request_raise(
        change_request=ChangeRequest(programme=programme, title="Delay", kind="time",
                                     description="x", time_impact_days=40),
        actor=logs_world["people"]["manager"],
    )  # fmt: skip
    portfolio_risk = Risk.objects.create(
        title="Portfolio risk", inherent_likelihood=3, inherent_impact=3, residual_likelihood=3,
        residual_impact=3, target_likelihood=2, target_impact=2,
    )  # fmt: skip
    return {
        "change": change.pk,
        "risk": RiskFactory(programme=programme).pk,
        "assumption": AssumptionFactory(programme=programme).pk,
        "issue": IssueFactory(programme=programme).pk,
        "dependency": DependencyFactory(programme=programme).pk,
        "action": ActionFactory(programme=programme).pk,
        "portfolio_risk": portfolio_risk.pk,
    }


def get_as(client, logs_world, role, url):
    if role != "anonymous":
        client.force_login(logs_world["people"][role])
    return client.get(url)


@pytest.mark.parametrize(("url", "role", "allowed"), CASES)
def test_every_log_view_for_every_role(client, logs_world, ids, url, role, allowed):
    response = get_as(client, logs_world, role, url.format(**ids))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_only_a_member_of_the_routed_board_decides_a_change_request(client, logs_world, ids, role):
    if role != "anonymous":
        client.force_login(logs_world["people"][role])
    url = f"/change-requests/{ids['change']}/"
    response = client.post(url, {"outcome": "approve", "reasons": "Agreed"})
    change = ChangeRequest.objects.get(pk=ids["change"])
    if role == "board":
        assert response.status_code == 302
        assert change.status == "approved"
    else:
        assert response.status_code in (302, 403)
        assert change.status == "awaiting"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_programme_team_or_pmo_turns_a_risk_into_an_issue(client, logs_world, ids, role):
    if role != "anonymous":
        client.force_login(logs_world["people"][role])
    response = client.post(f"/programmes/commercial/raid/risks/{ids['risk']}/issue/")
    occurred = Risk.objects.get(pk=ids["risk"]).status == "occurred"
    assert occurred == (role in EDITORS)
    assert response.status_code == (302 if role in EDITORS | {"anonymous"} else 403)


def test_change_links_show_only_to_those_who_may_edit(client, logs_world, ids):
    for role, shown in [("viewer", False), ("other_manager", False), ("manager", True)]:
        client.force_login(logs_world["people"][role])
        text = client.get("/programmes/commercial/raid/").content.decode()
        assert ("Add a risk" in text) is shown
        assert (f"/raid/risks/{ids['risk']}/edit/" in text) is shown


def test_a_decision_cannot_be_edited_or_deleted(logs_world):
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("governance:decisions_edit", kwargs={"slug": "commercial", "pk": 1})


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/programmes/commercial/raid/", lambda p: RiskFactory(programme=p)),
        ("/programmes/commercial/actions/", lambda p: ActionFactory(programme=p)),
        ("/programmes/commercial/raid/issues/", lambda p: IssueFactory(programme=p)),
    ],
)
def test_log_page_query_count_does_not_grow_with_rows(
    client, logs_world, path, make, django_assert_max_num_queries
):
    client.force_login(logs_world["people"]["manager"])
    for _ in range(3):
        make(logs_world["programme"])
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    for _ in range(30):
        make(logs_world["programme"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(path).status_code == 200


def test_on_the_whole_portfolio_page_the_pmo_edits_only_the_portfolio_register(
    client, logs_world, ids
):
    client.force_login(logs_world["people"]["pmo"])
    text = client.get("/raid/").content.decode()
    assert f"/raid/risks/{ids['portfolio_risk']}/edit/" in text
    assert f"/risks/{ids['risk']}/edit/" not in text

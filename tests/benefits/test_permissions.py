"""Every benefits and MTFP view, for every role: who may read, who may edit."""

import pytest

from accounts.roles import Role
from tests.benefits.factories import (
    BenefitFactory,
    BenefitProfileFactory,
    MTFPLineFactory,
    MTFPTargetFactory,
)
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

READERS = {Role.PMO, Role.PROGRAMME_MANAGER, Role.SRO, Role.BOARD_MEMBER, Role.VIEWER}
TEAM = {Role.PMO, Role.PROGRAMME_MANAGER, Role.SRO}
PMO = {Role.PMO}


@pytest.fixture
def world(role_users):
    programme = ProgrammeFactory(
        slug="p", manager=role_users[Role.PROGRAMME_MANAGER], sro=role_users[Role.SRO]
    )
    line = MTFPLineFactory(plan__slug="plan", plan__first_year=2020, plan__last_year=2021)
    MTFPTargetFactory(line=line, financial_year=2020)
    benefit = BenefitFactory(programme=programme, mtfp_line=line, owner=role_users[Role.VIEWER])
    BenefitProfileFactory(benefit=benefit, financial_year=2020)
    return {"benefit": benefit, "line": line}


def _grid(prefix: str = "form", **cells: str) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", **cells}


def _requests(world):
    b, line = world["benefit"].pk, world["line"].pk
    profile = _grid(**{"form-0-financial_year": "2020/21", "form-0-planned": "1"})
    costs = _grid(**{"form-0-financial_year": "2020/21", "form-0-budget": "1"})
    return [
        ("get", "/programmes/p/benefits/", None, READERS, 200),
        ("get", "/programmes/p/benefits/add/", None, TEAM, 200),
        ("get", f"/programmes/p/benefits/{b}/", None, READERS, 200),
        ("get", f"/programmes/p/benefits/{b}/edit/", None, TEAM, 200),
        ("post", f"/programmes/p/benefits/{b}/profile/", profile, TEAM | {Role.VIEWER}, 302),
        ("post", f"/programmes/p/benefits/{b}/deliverability/", {"rating": ""}, PMO, 302),
        ("get", "/programmes/p/one-off-costs/", None, READERS, 200),
        ("post", "/programmes/p/one-off-costs/", costs, TEAM, 302),
        ("get", "/benefits/mine/", None, READERS, 200),
        ("get", "/mtfp/", None, READERS, 200),
        ("get", "/mtfp/plan/", None, READERS, 200),
        ("post", "/mtfp/plan/targets/", {f"t-{line}-2020": "5"}, PMO, 302),
        ("post", f"/mtfp/plan/lines/{line}/deliverability/", {"rating": ""}, PMO, 302),
        ("get", "/mtfp/plan/import/", None, PMO, 200),
        ("post", "/mtfp/plan/import/", {}, PMO, 400),
        ("get", "/mtfp/plan/import/template.xlsx", None, PMO, 200),
        ("post", "/mtfp/recalculate/", {}, PMO, 302),
    ]


@pytest.mark.parametrize("role", list(Role))
def test_every_view_for_every_role(client_as, role_users, world, role):
    client = client_as(role_users[role])
    for method, url, data, allowed, ok in _requests(world):
        response = (
            getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        )
        expected = ok if role in allowed else 403
        assert response.status_code == expected, (role, method, url)


def test_signed_out_users_are_sent_to_sign_in(client, world):
    for method, url, data, _allowed, _ok in _requests(world):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_a_manager_of_another_programme_cannot_edit(client_as, make_user, world):
    other = client_as(make_user(Role.PROGRAMME_MANAGER))
    b = world["benefit"].pk
    assert other.get("/programmes/p/benefits/").status_code == 200
    assert other.get("/programmes/p/benefits/add/").status_code == 403
    profile = _grid(**{"form-0-financial_year": "2020/21", "form-0-planned": "1"})
    assert other.post(f"/programmes/p/benefits/{b}/profile/", profile).status_code == 403
    assert other.post("/programmes/p/one-off-costs/", _grid()).status_code == 403


def test_edit_controls_show_only_to_those_who_may_edit(client_as, role_users, world):
    b = world["benefit"].pk
    board = client_as(role_users[Role.BOARD_MEMBER])
    text = board.get(f"/programmes/p/benefits/{b}/").content.decode()
    assert "Save profile" not in text
    assert "Override the rating" not in text
    manager = client_as(role_users[Role.PROGRAMME_MANAGER])
    text = manager.get(f"/programmes/p/benefits/{b}/").content.decode()
    assert "Save profile" in text
    assert "Override the rating" not in text

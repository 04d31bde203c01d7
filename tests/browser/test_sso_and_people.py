"""Single sign-on in Chromium through the real test provider (tests/support/oidc/), and the PMO
managing people in the browser: add, change roles, deactivate, reassign. axe finds nothing on
the sign-in page, the people pages and the "ask your PMO" page."""

from playwright.sync_api import expect

from accounts.models import RoleMapping, User
from accounts.roles import Role
from portfolio.models import Programme
from tests.browser.conftest import axe_violations, screenshot, sign_in
from tests.support import oidc

PROVIDER = "Council account (test)"


def sso_sign_in(page, base_url: str, login: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_role("button", name=f"Sign in with {PROVIDER}").click()
    page.get_by_label("Username").fill(login)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


def test_sign_in_with_the_provider_gives_the_role_the_group_gives(demo_site, sso_live, new_page):
    base = demo_site.url
    RoleMapping.objects.create(claim_value=oidc.PMO_GROUP, role=Role.PMO, description="DH PMO")

    page = new_page()
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_role("button", name=f"Sign in with {PROVIDER}")).to_be_visible()
    assert axe_violations(page, base) == []
    screenshot(page, "sso-sign-in-page")

    # A member of the PMO group lands on the dashboard as PMO.
    sso_sign_in(page, base, "pat.pmo")
    expect(page.get_by_role("heading", name="Transformation Dashboard")).to_be_visible()
    expect(page.locator(".app-header__user")).to_contain_text("Pat Okafor · PMO")
    screenshot(page, "sso-signed-in-pmo")

    # Someone in no mapped group is told whom to ask.
    other = new_page()
    sso_sign_in(other, base, "nell.nogroup")
    expect(
        other.get_by_role("heading", name="You do not have access to any pages yet")
    ).to_be_visible()
    expect(other.get_by_text("Ask the transformation PMO")).to_be_visible()
    expect(other.locator("main")).to_contain_text("Pat Okafor")
    assert axe_violations(other, base) == []
    screenshot(other, "sso-no-role")

    # Removed from the group, Pat loses the role at the next sign-in.
    sso_live.set_user("pat.pmo", {**oidc.USERS["pat.pmo"], "groups": ["all-staff"]})
    again = new_page()
    sso_sign_in(again, base, "pat.pmo")
    expect(
        again.get_by_role("heading", name="You do not have access to any pages yet")
    ).to_be_visible()
    assert User.objects.get(oidc_subject="pat.pmo").role_names == []


def test_the_pmo_adds_re_roles_deactivates_and_reassigns_a_person(demo_site, new_page):
    base = demo_site.url
    manager = User.objects.get(username="manager")
    managed = sorted(
        Programme.objects.open().filter(manager=manager).values_list("name", flat=True)
    )
    page = new_page()
    sign_in(page, base, "pmo")

    page.get_by_role("link", name="People").first.click()
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    assert axe_violations(page, base) == []
    screenshot(page, "people-list")

    # Add a person.
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Nwosu")
    page.get_by_label("Email address").fill("ada.nwosu@council.example")
    page.get_by_label("Username").fill("ada.nwosu")
    page.get_by_label("Viewer").check()
    assert axe_violations(page, base) == []
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("Ada Nwosu has been added.")).to_be_visible()

    # Change her roles.
    page.get_by_role("link", name="Change roles").click()
    page.get_by_label("Viewer").uncheck()
    page.get_by_label("Programme manager").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Programme manager")
    expect(page.locator("main table").last).to_contain_text("Viewer")  # before, in the history
    assert axe_violations(page, base) == []
    screenshot(page, "person-page")

    # Deactivate the demo manager, a leaver, and hand their programmes to Ada.
    page.goto(f"{base}/people/?q=manager")
    page.get_by_role("link", name=str(manager)).click()
    page.get_by_role("link", name="Deactivate (a leaver)").click()
    expect(page.locator("main")).to_contain_text(managed[0])
    assert axe_violations(page, base) == []
    screenshot(page, "person-deactivate")
    page.get_by_role("button", name=f"Deactivate {manager}").click()
    expect(page.get_by_text("has left but still holds open work")).to_be_visible()

    page.get_by_role("link", name="Reassign their open work").first.click()
    page.get_by_label("New manager for the open programmes they manage").select_option(
        label="Ada Nwosu"
    )
    page.get_by_label("Give their open actions to").select_option(label="Ada Nwosu")
    assert axe_violations(page, base) == []
    screenshot(page, "person-reassign")
    page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_text(f"Moved from {manager}")).to_be_visible()

    ada = User.objects.get(username="ada.nwosu")
    manager.refresh_from_db()
    assert not manager.is_active
    assert not Programme.objects.open().filter(manager=manager).exists()
    assert Programme.objects.open().filter(manager=ada).exists()
    page.goto(f"{base}/people/sign-in-groups/")
    assert axe_violations(page, base) == []
    screenshot(page, "people-sign-in-groups")

    page.get_by_role("link", name="Accessibility statement").click()
    expect(
        page.get_by_role("heading", name="Accessibility statement for Delivery Hub")
    ).to_be_visible()
    assert axe_violations(page, base) == []
    screenshot(page, "accessibility-statement")

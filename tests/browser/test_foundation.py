"""A new user signs in and finds the demo portfolio; the pages pass axe-core."""

from tests.browser.conftest import axe_violations, screenshot, sign_in


def test_pmo_signs_in_and_sees_the_demo_portfolio(demo_site, new_page):
    page = new_page()
    page.goto(demo_site.url)
    assert "/accounts/login/" in page.url
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "sign-in")

    sign_in(page, demo_site.url, "pmo")
    assert page.get_by_role("heading", name="Where are we?").is_visible()
    assert page.get_by_role("link", name="Oxfordshire Way").is_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "home-pmo")

    page.get_by_role("link", name="Programmes", exact=True).click()
    page.get_by_label("Stage").select_option("identify")
    page.wait_for_url("**/programmes/?*stage=identify*")
    results = page.locator("#programme-results")
    results.get_by_text("2 programmes").wait_for()
    assert results.get_by_role("link", name="Corporate Landlord").is_visible()
    assert not results.get_by_role("link", name="Commercial").is_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "programmes-filtered")
    assert page.console_errors == []


def test_scrutiny_member_sees_only_reports(demo_site, new_page):
    page = new_page()
    sign_in(page, demo_site.url, "scrutiny")
    assert page.get_by_role("heading", name="Quarterly reports").is_visible()
    assert page.get_by_role("link", name="Programmes").count() == 0
    response = page.goto(f"{demo_site.url}/programmes/")
    assert response.status == 403
    assert page.get_by_role(
        "heading", name="You do not have permission to see this page"
    ).is_visible()

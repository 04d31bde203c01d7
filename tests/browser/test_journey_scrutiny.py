"""Journey 4, the part that exists today: the scrutiny member signs in to the quarterly reports
page and is refused everything else, by menu (nothing offered) and by URL (the 403 page).

The download of the published quarterly PDF is added when the quarterly report merges."""

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot, sign_in

REFUSED = [
    "/dashboard/",
    "/programmes/",
    "/programmes/commercial/",
    "/programmes/commercial/raid/",
    "/gates/",
    "/gates/policy/",
    "/raid/",
    "/mtfp/",
    "/boards/",
    "/boards/delivery-board/pack/",
    "/actions/mine/",
]


def test_scrutiny_member_reads_reports_and_is_refused_everything_else(demo_site, new_page):
    page = new_page()
    sign_in(page, demo_site.url, "scrutiny")
    expect(page.get_by_role("heading", name="Quarterly reports")).to_be_visible()
    menu = page.get_by_role("navigation", name="Menu")
    for name in ["Dashboard", "Programmes", "Gates", "MTFP", "RAID log", "Boards"]:
        expect(menu.get_by_role("link", name=name, exact=True)).to_have_count(0)
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "journey-scrutiny-reports")

    for url in REFUSED:
        response = page.goto(f"{demo_site.url}{url}")
        assert response.status == 403, url
        expect(
            page.get_by_role("heading", name="You do not have permission to see this page")
        ).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "forbidden-403")

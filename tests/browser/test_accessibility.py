"""axe-core (WCAG 2.2 AA tags and best practice) finds nothing on every main page, as the role
that uses it, nor on the htmx-swapped states; each page's screenshot is written for a person.

The journeys check the states they reach (after an autosave, the edit conflict, after a filter
swap); this module checks every page and the inline edit swap."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot, sign_in

P = "/programmes/commercial"
PAGES = {
    "pmo": [
        ("home", "/"),
        ("dashboard-all", "/dashboard/"),
        ("programmes", "/programmes/"),
        ("programme", f"{P}/"),
        ("document-editor", "/programmes/corporate-landlord/soc/"),
        ("document-version", "/programmes/business-intelligence/full-brief/versions/1/"),
        ("workbook", f"{P}/workbook/"),
        ("benefits", f"{P}/benefits/"),
        ("one-off-costs", f"{P}/one-off-costs/"),
        ("raid-log", f"{P}/raid/"),
        ("actions", f"{P}/actions/"),
        ("decisions", f"{P}/decisions/"),
        ("change-requests", f"{P}/change-requests/"),
        ("raci", f"{P}/raci/"),
        ("history", f"{P}/history/"),
        ("gates", "/gates/"),
        ("gate-review-open", ("/gates/", "Business Intelligence")),
        ("gate-review-decided", (f"{P}/full-brief/", "Approved")),
        ("gate-policy", "/gates/policy/"),
        ("boards", "/boards/"),
        ("board", "/boards/delivery-board/"),
        ("board-pack", "/boards/delivery-board/pack/"),
        ("mtfp", "/mtfp/"),
        ("my-actions", "/actions/mine/"),
        ("raid-rollup", "/raid/"),
        ("dashboard-savings-year", "/dashboard/savings/2020/"),
        ("reports", "/reports/"),
        ("report-published", "/reports/2019-20-q3/"),
        ("report-draft", "/reports/2019-20-q4/"),
        ("report-narrative", "/reports/2019-20-q4/edit/"),
    ],
    "manager": [
        ("home-manager", "/"),
        ("document-editor-manager", "/programmes/corporate-landlord/soc/"),
        ("actions-manager", f"{P}/actions/"),
        ("my-actions-manager", "/actions/mine/"),
    ],
    "scrutiny": [
        ("reports-scrutiny", "/reports/"),
    ],
    "board": [
        ("gates-board", "/gates/"),
        ("gate-review-board", ("/gates/", "Business Intelligence")),
    ],
}
# The browser logs a console error for any 4xx document, so these are checked apart.
ERROR_PAGES = [
    ("pmo", "not-found-404", "/programmes/no-such-programme/", 404),
    ("scrutiny", "forbidden-403", "/programmes/", 403),
]


def _open(page, base_url: str, url) -> None:
    """A URL, or (a URL, a link on it) for pages known by a database id."""
    if isinstance(url, str):
        page.goto(f"{base_url}{url}")
        return
    url, link = url
    page.goto(f"{base_url}{url}")
    page.locator("main").get_by_role("link", name=link, exact=True).first.click()
    page.wait_for_load_state()


def _check(page, base_url: str, name: str) -> None:
    screenshot(page, f"a11y-{name}")
    assert axe_violations(page, base_url) == [], name


def test_every_main_page_has_no_axe_violations(demo_site, new_page):
    signed_out = new_page()
    signed_out.goto(f"{demo_site.url}/accounts/login/")
    _check(signed_out, demo_site.url, "sign-in")
    for username, pages in PAGES.items():
        page = new_page()
        sign_in(page, demo_site.url, username)
        for name, url in pages:
            _open(page, demo_site.url, url)
            _check(page, demo_site.url, name)
        if username == "pmo":
            page.goto(f"{demo_site.url}/mtfp/")
            page.locator("main").get_by_role("link", name=re.compile("MTFP")).first.click()
            _check(page, demo_site.url, "mtfp-plan")
        assert page.console_errors == [], username
    for username, name, url, status in ERROR_PAGES:
        page = new_page()
        sign_in(page, demo_site.url, username)
        assert page.goto(f"{demo_site.url}{url}").status == status
        _check(page, demo_site.url, name)


def test_the_inline_edit_swap_has_no_axe_violations(demo_site, new_page):
    page = new_page()
    sign_in(page, demo_site.url, "manager")
    page.goto(f"{demo_site.url}{P}/actions/")
    row = page.locator("#log-results tbody tr").first
    title = row.locator("td").first.inner_text().split("\n")[0]
    row.get_by_role("link", name=re.compile("^Change")).click()
    form = page.locator("form.app-inline-edit")
    expect(form).to_be_visible()
    _check(page, demo_site.url, "actions-inline-edit")

    form.get_by_label("Title").fill(f"{title} (revised)")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("row", name=re.compile(r"\(revised\)"))).to_be_visible()
    expect(form).to_have_count(0)
    _check(page, demo_site.url, "actions-inline-edit-saved")
    assert page.console_errors == []

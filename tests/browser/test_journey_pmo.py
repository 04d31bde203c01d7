"""Journey 3: the PMO filters the dashboard by portfolio and financial year (htmx, the URL
follows), drills into a savings figure to the programmes behind it and downloads that table."""

import csv
import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot, sign_in


def test_pmo_filters_the_dashboard_drills_into_savings_and_downloads(demo_site, new_page):
    page = new_page()
    sign_in(page, demo_site.url, "pmo")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Transformation Dashboard")).to_be_visible()
    panels = page.locator("#dashboard-panels")
    expect(panels.get_by_text("20 programmes.")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "dashboard")

    page.get_by_label("Portfolio", exact=True).select_option(label="Partner of Choice")
    page.wait_for_url(re.compile(r"/dashboard/\?.*portfolio=partner-of-choice"))
    expect(panels.get_by_text("8 programmes match these filters.")).to_be_visible()
    page.get_by_label("Financial year", exact=True).select_option("2020/21")
    page.wait_for_url(re.compile(r"financial_year=2020%2F21"))
    stage_table = panels.get_by_role("region", name="Programmes by stage and portfolio")
    expect(stage_table.get_by_role("link", name="Provision Cycle")).to_be_visible()
    expect(stage_table.get_by_role("link", name="Strategic AI")).to_have_count(0)
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "dashboard-filtered")

    # Drill into the savings figure for 2020/21: the programmes behind it, filters kept.
    savings = panels.get_by_role("table", name=re.compile("Savings by financial year"))
    savings.get_by_role("link", name="2020/21 savings by programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "2020/21: the programmes behind the figures"
    )
    expect(page).to_have_url(re.compile(r"/dashboard/savings/2020/\?.*portfolio=partner-of-choice"))
    detail = page.get_by_role("table", name="Savings in 2020/21 by programme and MTFP line")
    expect(detail.get_by_role("link", name="Provision Cycle")).to_be_visible()
    headers = detail.locator("thead th").all_inner_texts()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "dashboard-savings-2020")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == headers == [
        "Programme", "MTFP line", "MTFP target", "Planned", "Forecast", "Actual", "Variance",
    ]  # fmt: skip
    assert "Provision Cycle" in {row[0] for row in rows[1:]}

    detail.get_by_role("link", name="Provision Cycle").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Benefits")
    page.go_back()
    page.go_back()
    # Back to the filtered dashboard: the whole page, not a bare htmx fragment.
    expect(page).to_have_url(re.compile(r"portfolio=partner-of-choice.*financial_year=2020"))
    expect(page.get_by_label("Portfolio", exact=True)).to_have_value("partner-of-choice")
    assert page.console_errors == []

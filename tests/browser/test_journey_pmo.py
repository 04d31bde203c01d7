"""Journey 3: the PMO filters the dashboard by portfolio and financial year (htmx, the URL
follows), drills into the rows behind a panel and downloads the table behind it."""

import csv
import io
import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot, sign_in


def test_pmo_filters_the_dashboard_drills_down_and_downloads(demo_site, new_page):
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
    page.get_by_label("Financial year").select_option("2024/25")
    page.wait_for_url(re.compile(r"financial_year=2024%2F25"))
    expect(panels.get_by_text("8 programmes match these filters.")).to_be_visible()
    stage_table = panels.get_by_role("region", name="Programmes by stage and portfolio")
    expect(stage_table.get_by_role("link", name="Business Intelligence")).to_be_visible()
    expect(stage_table.get_by_role("link", name="Strategic AI")).to_have_count(0)
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "dashboard-filtered")

    # Download the table behind the panel: the filters travel with it.
    with page.expect_download() as download_info:
        panels.get_by_role("link", name="CSV of pipeline").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))  # noqa: SIM115
    assert rows[0] == [
        "Portfolio",
        "Programme",
        "Stage",
        "Category",
        "Light touch",
        "Days in stage",
    ]
    assert {row[0] for row in rows[1:]} == {"Partner of Choice"}
    assert len(rows) == 9

    # Drill down: a programme in the pipeline leads to the rows behind it.
    stage_table.get_by_role("link", name="Business Intelligence").click()
    expect(page.get_by_role("heading", name="Business Intelligence", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Programme sections").get_by_role(
        "link", name="RAID log"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("RAID")
    page.go_back()
    page.go_back()
    expect(page).to_have_url(re.compile(r"portfolio=partner-of-choice.*financial_year=2024"))
    expect(page.get_by_label("Portfolio", exact=True)).to_have_value("partner-of-choice")
    assert page.console_errors == []

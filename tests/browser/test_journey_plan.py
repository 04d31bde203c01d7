"""The plan in the browser: Commercial's manager adds milestones, lets one slip past its
baseline (shown late, with the days), reorders the plan, and the dashboard's roadmap shows the
forecast."""

import datetime as dt

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot, sign_in
from tests.support.project_xml import Task, day, project_xml

PLAN = "/programmes/commercial/plan/"


def test_manager_builds_the_plan_and_the_roadmap_shows_it(demo_site, new_page):
    page = new_page()
    sign_in(page, demo_site.url, "manager")
    page.goto(f"{demo_site.url}/programmes/commercial/")
    page.get_by_role("navigation", name="Programme sections").get_by_role(
        "link", name="Plan"
    ).click()
    expect(page.get_by_role("heading", name="Plan: milestones", level=1)).to_be_visible()

    for title, due in (("Income strategy agreed", "2026-06-30"), ("Trading company live",
                                                                   "2026-11-30")):  # fmt: skip
        page.get_by_role("textbox", name="Milestone", exact=True).fill(title)
        page.get_by_role("textbox", name="Forecast date").fill(due)
        page.get_by_label("Stage or gate").select_option(label="Deliver")
        page.get_by_role("button", name="Add milestone").click()
        expect(page.get_by_text(f"“{title}” added to the plan.")).to_be_visible()

    # The forecast slips: the baseline stays (Commercial is in Deliver), the milestone is late.
    page.get_by_role("link", name="Trading company live").click()
    expect(page.get_by_role("textbox", name="Baseline date")).to_be_disabled()
    page.get_by_role("textbox", name="Forecast date").fill("2027-01-14")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Save").click()
    row = page.locator("tr", has_text="Trading company live")
    expect(row).to_contain_text("45 days late")
    expect(page.get_by_text("1 late")).to_be_visible()

    # Reorder: the late milestone before the other one added.
    row.get_by_role("button", name="Up").click()
    expect(page.get_by_role("heading", name="Plan: milestones", level=1)).to_be_visible()
    titles = page.locator("table.govuk-table tbody th").all_inner_texts()
    assert titles.index("Trading company live") < titles.index("Income strategy agreed")
    expect(page.locator("svg[role=img]")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "plan-page")

    page.get_by_role("link", name="Trading company live").click()
    expect(page.get_by_text("Forecast: 30 Nov 2026 → 14 Jan 2027")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "plan-milestone")

    page.goto(f"{demo_site.url}/dashboard/?financial_year=2026/27")
    roadmap = page.locator("section", has=page.get_by_role("heading", name="Roadmap"))
    expect(roadmap).to_contain_text("Income strategy agreed")
    expect(roadmap).to_contain_text("Trading company live")

    page.goto(f"{demo_site.url}/raid/")
    page.get_by_role("link", name="Dependencies between programmes").click()
    expect(
        page.get_by_role("heading", name="Dependencies between programmes", level=1)
    ).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "plan-dependencies")


def test_manager_imports_a_project_plan_edits_a_milestone_and_the_roadmap_shows_it(
    demo_site, new_page
):
    plan = project_xml(
        [
            Task(1, "Delivery", day(dt.date(2026, 12, 31)), milestone=False, summary=True),
            Task(2, "Pricing strategy approved", day(dt.date(2026, 7, 31)), outline="1.1",
                 baseline=day(dt.date(2026, 7, 31))),
            Task(3, "Trading arm incorporated", day(dt.date(2026, 10, 30)), outline="1.2",
                 baseline=day(dt.date(2026, 10, 30))),
        ],
        {},
        title="Commercial plan",
    )  # fmt: skip
    page = new_page()
    sign_in(page, demo_site.url, "manager")
    page.goto(f"{demo_site.url}{PLAN}")
    page.get_by_role(
        "link", name="Import milestones from Microsoft Project (XML) or the plan sheet"
    ).click()
    page.get_by_label(
        "Upload a plan (Microsoft Project XML, or the plan sheet as XLSX or CSV)"
    ).set_input_files({"name": "commercial.xml", "mimeType": "text/xml", "buffer": plan})
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("2 milestones to add, 0 to update, 0 unchanged")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "plan-import-preview")
    page.get_by_role("button", name="Import the plan").click()
    expect(page.get_by_text("Plan imported: 2 milestones added")).to_be_visible()

    page.get_by_role("link", name="Trading arm incorporated").click()
    page.get_by_role("textbox", name="Forecast date").fill("2026-11-20")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("tr", has_text="Trading arm incorporated")).to_contain_text("21 days late")

    page.goto(f"{demo_site.url}/dashboard/?financial_year=2026/27")
    roadmap = page.locator("section", has=page.get_by_role("heading", name="Roadmap"))
    expect(roadmap).to_contain_text("Trading arm incorporated")

"""Onboarding in the browser, as a new PMO would: from the programmes list to the onboarding
page, the template downloaded and filled (openpyxl), uploaded with mistakes, the preview's error
summary read, the file fixed, previewed, confirmed, and the new programmes listed."""

import copy
from pathlib import Path

from playwright.sync_api import expect

from accounts.models import User
from tests.browser.conftest import axe_violations, screenshot, sign_in
from tests.onboarding.builders import fill, realistic


def test_the_pmo_onboards_programmes_from_the_template(demo_site, new_page, tmp_path):
    people = {name: User.objects.get(username=name) for name in ("pmo", "manager", "sro")}
    page = new_page()
    sign_in(page, demo_site.url, "pmo")
    page.goto(f"{demo_site.url}/programmes/")
    page.get_by_role("link", name="Onboard programmes from a workbook").click()
    expect(
        page.get_by_role("heading", name="Onboard the portfolio from a workbook")
    ).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "onboarding-start")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the onboarding workbook template (XLSX)").click()
    template = Path(download.value.path()).read_bytes()

    rows = realistic(people, directorate="Finance")
    broken = copy.deepcopy(rows)
    broken["Milestones"][1]["Forecast date"] = "31/02/2026"
    broken["Benefit profiles"][0]["Planned"] = "125k"
    broken["Risks"][0]["Owner email"] = "new.starter@delivery-hub.example"
    (tmp_path / "broken.xlsx").write_bytes(fill(template, broken))
    (tmp_path / "fixed.xlsx").write_bytes(fill(template, rows))

    page.get_by_label("Upload the onboarding workbook").set_input_files(tmp_path / "broken.xlsx")
    page.get_by_role("button", name="Upload and check").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Nothing can be imported: 3 problems to fix")
    expect(summary).to_contain_text("Milestones, row 3: Forecast date")
    expect(summary).to_contain_text("“31/02/2026” is not a date")
    expect(page.get_by_role("heading", name="People without an account")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm and import")).to_have_count(0)
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "onboarding-preview-errors")

    page.get_by_role("button", name="Discard this upload").click()
    page.get_by_label("Upload the onboarding workbook").set_input_files(tmp_path / "fixed.xlsx")
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name="Onboarding preview")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "onboarding-preview")

    page.get_by_role("button", name="Confirm and import 20 rows").click()
    expect(page.get_by_text("Import complete")).to_be_visible()
    expect(page.get_by_text("20 rows added, 0 updated, 0 unchanged")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "onboarding-imported")

    page.get_by_role("link", name="See the programmes").click()
    expect(page.get_by_role("link", name="Digital front door")).to_be_visible()
    page.get_by_role("link", name="Digital front door").click()
    expect(page.get_by_role("heading", name="Digital front door")).to_be_visible()
    assert page.console_errors == []

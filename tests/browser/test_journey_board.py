"""Journey 2: a board member opens /gates/, reads the frozen Full Programme Brief, approves with
a condition, the programme moves to Deliver and the condition is on its actions log."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot, sign_in

CONDITION = "Agree the data-sharing protocol with the ICT Strategy programme"


def test_board_member_approves_with_a_condition_and_the_programme_moves(demo_site, new_page):
    page = new_page()
    sign_in(page, demo_site.url, "board")
    page.get_by_role("link", name="Gates", exact=True).click()
    expect(page.get_by_role("heading", name="Gate reviews", level=1)).to_be_visible()
    awaiting = page.locator("table", has=page.get_by_text("Awaiting your decision"))
    awaiting.get_by_role("link", name="Business Intelligence").first.click()

    expect(
        page.get_by_role("heading", name="Gate 3: Full Programme Brief", level=1)
    ).to_be_visible()
    expect(page.get_by_text("Awaiting the Delivery Board").first).to_be_visible()
    page.get_by_role(
        "link", name=re.compile(r"Full Programme Brief \(Section B\) v1")
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Full Programme Brief")
    screenshot(page, "journey-board-frozen-version")
    assert axe_violations(page, demo_site.url) == []
    page.go_back()

    due = timezone.localdate() + timedelta(days=30)
    page.get_by_label("Approve with conditions").check()
    page.get_by_label("Reasons").fill("The brief is sound; data sharing must be settled first.")
    page.get_by_label("Condition 1", exact=True).fill(CONDITION)
    page.get_by_label("Condition 1 owner").select_option(label="Mark Evans (Programme Manager)")
    page.get_by_label("Condition 1 due date").fill(due.isoformat())
    page.get_by_role("button", name="Record decision").click()

    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Decision recorded")
    expect(banner).to_contain_text("Business Intelligence is in Deliver")
    expect(page.get_by_role("listitem").filter(has_text="Delivery Board")).to_contain_text(
        "Approve with conditions by Ben Ortiz"
    )
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "journey-board-decided")

    page.get_by_role("link", name="Business Intelligence").first.click()
    expect(page.get_by_text("Deliver").first).to_be_visible()
    page.get_by_role("navigation", name="Programme sections").get_by_role(
        "link", name="Actions"
    ).click()
    row = page.get_by_role("row", name=re.compile(CONDITION))
    expect(row).to_contain_text("Mark Evans")
    expect(row).to_contain_text(due.strftime("%-d %b %Y"))
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "journey-board-condition-action")
    assert page.console_errors == []

"""Each journey's key step with the keyboard alone: Tab to the control, type, Space/Enter."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def tab_to(page, locator, limit: int = 200) -> None:
    """Press Tab until the locator has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def date_keys(page, day) -> str:
    """What a person types into a date field: its parts in the browser locale's order."""
    order = page.evaluate(
        "() => new Intl.DateTimeFormat().formatToParts(new Date())"
        ".filter(p => p.type !== 'literal').map(p => p.type)"
    )
    parts = {"day": f"{day:%d}", "month": f"{day:%m}", "year": f"{day:%Y}"}
    return "".join(parts[name] for name in order)


def test_each_journeys_key_step_with_the_keyboard_alone(demo_site, new_page):
    base = demo_site.url
    # The manager writes a section and saves it with the Save section button.
    manager = new_page()
    sign_in(manager, base, "manager")
    manager.goto(f"{base}/programmes/corporate-landlord/soc/")
    box = manager.get_by_role("textbox", name="Commercial case")
    tab_to(manager, box)
    manager.keyboard.type("Bought through the council's property framework.")
    save = manager.locator("#section-commercial-case").get_by_role("button", name="Save section")
    tab_to(manager, save)
    manager.keyboard.press("Enter")
    expect(manager.locator("#status-commercial-case")).to_contain_text("Draft saved at")

    # The board member records a decision on the decide form.
    board = new_page()
    sign_in(board, base, "board")
    board.goto(f"{base}/gates/")
    review = board.locator("main").get_by_role("link", name="Business Intelligence").first
    board.goto(f"{base}{review.get_attribute('href')}")
    tab_to(board, board.get_by_label("Approve", exact=True))  # Tab enters a radio group once
    board.keyboard.press("ArrowDown")  # and the arrow keys choose within it
    expect(board.get_by_label("Approve with conditions")).to_be_checked()
    tab_to(board, board.get_by_label("Reasons"))
    board.keyboard.type("Sound brief; settle data sharing first.")
    tab_to(board, board.get_by_label("Condition 1", exact=True))
    board.keyboard.type("Agree the data-sharing protocol")
    tab_to(board, board.get_by_label("Condition 1 owner"))
    board.keyboard.type("Mark")  # a select takes typed letters
    expect(board.get_by_label("Condition 1 owner")).to_have_value(re.compile(r"\d+"))
    due = timezone.localdate() + timedelta(days=30)
    tab_to(board, board.get_by_label("Condition 1 due date"))
    board.keyboard.type(date_keys(board, due))
    expect(board.get_by_label("Condition 1 due date")).to_have_value(due.isoformat())
    tab_to(board, board.get_by_role("button", name="Record decision"))
    board.keyboard.press("Enter")
    expect(board.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    expect(board.get_by_role("listitem").filter(has_text="Delivery Board")).to_contain_text(
        "Approve with conditions"
    )

    # The PMO applies a filter on the dashboard.
    pmo = new_page()
    sign_in(pmo, base, "pmo")
    pmo.goto(f"{base}/dashboard/")
    portfolio = pmo.get_by_label("Portfolio", exact=True)
    tab_to(pmo, portfolio)
    pmo.keyboard.type("Partner")
    tab_to(pmo, pmo.get_by_role("button", name="Apply filters"))
    pmo.keyboard.press("Enter")
    pmo.wait_for_url(re.compile(r"portfolio=partner-of-choice"))
    expect(pmo.get_by_text("8 programmes match these filters.")).to_be_visible()
    assert manager.console_errors == []
    assert board.console_errors == []
    assert pmo.console_errors == []

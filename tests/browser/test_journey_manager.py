"""Journey 1: the programme manager writes the Strategic Outline Case section by section, sees
autosave, meets an edit conflict from the SRO in a second browser, resolves it and submits."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, screenshot, sign_in

DOCUMENT = "/programmes/corporate-landlord/soc/"


def section(page, key: str):
    return page.locator(f"#section-{key}")


def test_manager_writes_resolves_a_conflict_and_submits_to_the_gate(demo_site, new_page):
    manager = new_page()
    sign_in(manager, demo_site.url, "manager")
    manager.get_by_role("link", name="Corporate Landlord").first.click()
    manager.get_by_role("navigation", name="Programme sections").get_by_role(
        "link", name="Strategic Outline Case (SOC)"
    ).click()
    expect(
        manager.get_by_role("heading", name="Strategic Outline Case (SOC)", level=1)
    ).to_be_visible()
    expect(manager.get_by_text("2 of 5 required sections written.")).to_be_visible()

    # Autosave: typing pauses, the status under the box says the draft is saved.
    commercial = manager.get_by_role("textbox", name="Commercial case")
    commercial.click()
    commercial.press_sequentially("Property services are bought through the council's framework.")
    expect(section(manager, "commercial-case").get_by_role("status")).to_contain_text(
        re.compile(r"Draft saved at \d\d:\d\d:\d\d \(version 1\)")
    )
    assert axe_violations(manager, demo_site.url) == []
    screenshot(manager, "journey-manager-autosaved")

    # The SRO, in another browser, saves the same section meanwhile.
    sro = new_page()
    sign_in(sro, demo_site.url, "sro")
    sro.goto(f"{demo_site.url}{DOCUMENT}")
    sro_box = sro.get_by_role("textbox", name="Commercial case")
    expect(sro_box).to_have_value(re.compile("framework"))
    sro_box.fill("Property services are bought through Property Services Ltd under the 2019 deed.")
    section(sro, "commercial-case").get_by_role("button", name="Save section").click()
    expect(section(sro, "commercial-case").get_by_role("status")).to_contain_text("(version 2)")

    # The manager keeps typing; the autosave meets the SRO's version, side by side.
    commercial.press_sequentially(" Facilities contracts end in 2026.")
    conflict = section(manager, "commercial-case")
    expect(conflict.get_by_text("This section changed while you were editing it")).to_be_visible()
    expect(conflict.locator("#theirs-commercial-case")).to_contain_text("Property Services Ltd")
    merge_box = conflict.get_by_label("Your text: merge the two here, then save")
    expect(merge_box).to_have_value(re.compile("Facilities contracts end in 2026"))
    assert axe_violations(manager, demo_site.url) == []
    screenshot(manager, "journey-manager-conflict")

    merge_box.fill(
        "Property services are bought through Property Services Ltd under the 2019 deed. "
        "Facilities contracts end in 2026."
    )
    conflict.get_by_role("button", name="Save merged text").click()
    merged = section(manager, "commercial-case")
    expect(merged.get_by_role("status")).to_contain_text("(version 3)")
    expect(merged.get_by_role("textbox", name="Commercial case")).to_have_value(
        re.compile("2019 deed")
    )
    assert axe_violations(manager, demo_site.url) == []
    screenshot(manager, "journey-manager-merged")

    # The remaining sections, one by one, each saved by the autosave.
    for key, label, text in [
        ("financial-case", "Financial case", "Savings of £0.5m a year from 2026/27."),
        ("management-case", "Management case", "Led by the Head of Property; monthly board."),
    ]:
        box = manager.get_by_role("textbox", name=label)
        box.click()
        box.press_sequentially(text)
        expect(section(manager, key).get_by_role("status")).to_contain_text("Draft saved at")

    print("D", len(manager.console_errors))
    manager.reload()
    expect(manager.get_by_text("5 of 5 required sections written.")).to_be_visible()
    expect(manager.get_by_role("textbox", name="Commercial case")).to_have_value(
        re.compile("2019 deed")
    )
    manager.get_by_role(
        "button", name="Submit Strategic Outline Case (SOC) for gate review"
    ).click()
    expect(manager.get_by_role("heading", name=re.compile("Gate 1"), level=1)).to_be_visible()
    expect(manager.locator(".govuk-notification-banner")).to_contain_text("submitted for Gate 1")
    expect(manager.get_by_text(re.compile("Awaiting the"))).to_be_visible()
    assert axe_violations(manager, demo_site.url) == []
    screenshot(manager, "journey-manager-submitted")
    assert manager.console_errors == []
    assert sro.console_errors == []

"""The seed's own example, walked in the browser by the people it names ("Delivering the future
together", 19 April 2024: "Governance Flow – Fictional example").

An income idea is recorded and the PMO takes it on; STB decides Gate 1 (Partner of Choice,
category A, guardrails); the Initial Programme Brief goes through the SRO, the Delivery Board and
STB, which "defines the guardrails and agrees the investment and expected RoI" beside the
computed return and payback; the PMO establishes a Programme Board; the Full Programme Brief
starts from the Initial Brief and passes Gate 3; in Deliver the Programme Manager escalates an
action to the Delivery Board "via the Transformation Dashboard" and the board answers it into
the decision log; the one-off cost budget moves only through a change request the Programme
Board approves; the closure checklist holds the closure report until every open item is dealt
with; the Delivery Board and STB approve the closure; the benefit owner marks the benefit
realised.

The people: Priya Morgan (PMO), Mark Evans (Programme Manager), Sarah Reid (Director of
Finance, the SRO), Ben Ortiz (a member of STB, the Delivery Board and the new Programme Board)
and Vic Walker (Policy Officer, who owns the income benefit once it is handed back).
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot, sign_in

NAME = "Income Generation"
SLUG = "income-generation"
ACTION = "Agree prices for the new commercial offerings"
BEN = "Ben Ortiz (Director, member of STB and the Delivery Board)"
VIC = "Vic Walker (Policy Officer)"


class Walk:
    """One browser per person, each signed in once."""

    def __init__(self, new_page, base_url: str) -> None:
        self.new_page, self.url, self.pages = new_page, base_url, {}

    def as_(self, username: str):
        if username not in self.pages:
            page = self.new_page()
            page.set_default_timeout(10_000)
            sign_in(page, self.url, username)
            self.pages[username] = page
        return self.pages[username]

    def go(self, username: str, path: str):
        page = self.as_(username)
        page.goto(f"{self.url}{path}")
        return page


def banner(page):
    return page.locator(".govuk-notification-banner")


def shot(page, name: str) -> None:
    screenshot(page, f"walk-{name}")


def write_document(page, heading: str) -> None:
    """Write every required section that is empty, save each, then submit to the gate."""
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    for section in page.locator("section.app-doc-section").all():
        if "(optional)" in section.locator("h2").inner_text():
            continue
        box = section.get_by_role("textbox").first
        if box.input_value().strip():
            continue
        title = section.locator("h2").inner_text()
        box.fill(f"{title} for {NAME}: the council's income, grown through commercial offerings.")
        section.get_by_role("button", name="Save section").click()
        expect(section.get_by_role("status")).to_contain_text("Draft saved at")


def submit_document(page, label: str, gate: str) -> None:
    page.get_by_role("button", name=f"Submit {label} for gate review").click()
    expect(page.get_by_role("heading", name=re.compile(gate), level=1)).to_be_visible()
    expect(banner(page)).to_contain_text(f"submitted for {gate}")


def decide(page, review_url: str, sign_off: str, outcome: str = "Approve", **fields) -> None:
    page.goto(review_url)
    heading = (
        "Record the SRO's sign-off" if sign_off == "SRO" else f"Record the {sign_off}'s decision"
    )
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.get_by_label(outcome, exact=True).check()
    page.get_by_label("Reasons", exact=True).fill(fields.pop("reasons", "As the papers recommend."))
    for label, value in fields.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    page.get_by_role("button", name="Record decision").click()
    expect(banner(page)).to_contain_text("Decision recorded")


def test_the_seeds_fictional_example_walked_by_the_people_it_names(demo_site, new_page):
    walk = Walk(new_page, demo_site.url)
    try:
        the_walk(walk, demo_site.url)
    except BaseException:
        for username, page in walk.pages.items():  # where each person was when it stopped
            shot(page, f"failed-{username}")
        raise


def the_walk(walk: Walk, url: str) -> None:
    today = timezone.localdate()

    # IDENTIFY. The idea is recorded; the PMO takes it on with its manager and SRO.
    pmo = walk.go("pmo", "/programmes/")
    pmo.get_by_role("link", name="Record a new programme idea").click()
    pmo.get_by_label("Programme name", exact=True).fill(NAME)
    pmo.get_by_label("The idea", exact=True).fill(
        "Data suggests that, compared to other councils, OCC is not generating the same level "
        "of income."
    )
    pmo.get_by_label("Programme manager", exact=True).select_option(
        label="Mark Evans (Programme Manager)"
    )
    pmo.get_by_label("SRO", exact=True).select_option(label="Sarah Reid (Director of Finance)")
    pmo.get_by_role("button", name=re.compile("Record")).click()
    expect(banner(pmo)).to_contain_text(f"{NAME} is recorded in Identify")
    expect(pmo.get_by_role("heading", name=NAME, level=1)).to_be_visible()

    manager = walk.go("manager", f"/programmes/{SLUG}/soc/")
    write_document(manager, "Strategic Outline Case (SOC)")
    submit_document(manager, "Strategic Outline Case (SOC)", "Gate 1")
    gate_1 = manager.url

    # STB: Partner of Choice, category A, guidance on guardrails.
    board = walk.go("board", "/gates/")
    awaiting = board.locator("table", has=board.get_by_text("Awaiting your decision"))
    expect(awaiting.get_by_role("link", name=NAME).first).to_be_visible()
    decide(
        board, gate_1, "Strategic Transformation Board",
        reasons="Significant income potential; politically and reputationally sensitive.",
        Portfolio="Partner of Choice",
        Category="A — significant financial, political or reputational weight",
        Guardrails="Income must not compromise statutory services.",
    )  # fmt: skip
    expect(banner(board)).to_contain_text(f"{NAME} is in Define")
    shot(board, "gate-1-decided")
    board.get_by_role("link", name=NAME).first.click()
    expect(board.get_by_text("Partner of Choice").first).to_be_visible()
    expect(board.get_by_text("Income must not compromise statutory services.")).to_be_visible()
    expect(board.get_by_text("Version 1, set at Gate 1")).to_be_visible()

    # DEFINE. The PMO establishes a Programme Board to oversee this programme.
    pmo.goto(f"{url}/programmes/{SLUG}/settings/")
    pmo.get_by_role("link", name=f"Establish a Programme Board for {NAME}").click()
    pmo.get_by_label("Name", exact=True).fill(f"{NAME} Programme Board")
    pmo.get_by_label("Chair", exact=True).select_option(label=BEN)
    pmo.get_by_role("button", name=re.compile("Establish")).click()
    expect(banner(pmo)).to_contain_text(f"{NAME} Programme Board is established")
    shot(pmo, "programme-board")

    # The manager records the investment's one-off costs and the income it should bring.
    manager.goto(f"{url}/programmes/{SLUG}/one-off-costs/")
    manager.get_by_label("Add a year", exact=True).fill("2025/26")
    manager.get_by_label("Budget (new year)", exact=True).fill("250000")
    manager.get_by_role("button", name="Save one-off costs").click()
    expect(manager.get_by_role("status")).to_contain_text("One-off costs saved")
    manager.goto(f"{url}/programmes/{SLUG}/benefits/add/")
    manager.get_by_label("Title", exact=True).fill("Income from commercial offerings")
    manager.get_by_label("Type of benefit", exact=True).select_option(label="Income")
    manager.get_by_label("Owner", exact=True).select_option(label=VIC)
    manager.get_by_label("Status", exact=True).select_option(label="Planned")
    manager.get_by_role("button", name=re.compile("Save|Add")).click()
    manager.get_by_label("Planned 2026/27", exact=True).fill("300000")
    manager.get_by_label("Planned 2027/28", exact=True).fill("400000")
    manager.get_by_role("button", name="Save profile").click()
    expect(manager.get_by_role("status")).to_contain_text("saved")

    manager.goto(f"{url}/programmes/{SLUG}/initial-brief/")
    write_document(manager, "Initial Programme Brief (Section A)")
    submit_document(manager, "Initial Programme Brief (Section A)", "Gate 2")
    gate_2 = manager.url

    sro = walk.go("sro", "/")
    sro.get_by_role("link", name=re.compile(f"{NAME}: Gate 2")).click()
    decide(sro, gate_2, "SRO")
    decide(board, gate_2, "Delivery Board")
    # Before STB decides: the computed return and payback beside what is still to be agreed.
    board.goto(gate_2)
    agreed = board.locator("dl", has=board.get_by_text("Payback period"))
    expect(agreed).to_contain_text("£450,000 (180% of the investment)")
    expect(agreed).to_contain_text("1.8 years")
    expect(board.get_by_text("Not yet agreed (Gate 2)").first).to_be_visible()
    shot(board, "gate-2-stb")
    decide(
        board, gate_2, "Strategic Transformation Board",
        Guardrails="Income must not compromise statutory services; surpluses are reinvested.",
        **{"Agreed investment (£)": "250000", "Expected return (£)": "1000000",
           "Over how many years": "4"},
    )  # fmt: skip
    expect(banner(board)).to_contain_text(f"{NAME} is in Design")
    expect(board.get_by_text("£1,000,000").first).to_be_visible()
    shot(board, "gate-2-decided")

    # DESIGN. The Full Brief starts from the approved Initial Brief.
    manager.goto(f"{url}/programmes/{SLUG}/full-brief/")
    expect(manager.get_by_text("Carried over").first).to_be_visible()
    write_document(manager, "Full Programme Brief (Section B)")
    submit_document(manager, "Full Programme Brief (Section B)", "Gate 3")
    gate_3 = manager.url
    decide(sro, gate_3, "SRO")
    decide(board, gate_3, "Delivery Board")
    decide(board, gate_3, "Strategic Transformation Board")
    expect(banner(board)).to_contain_text(f"{NAME} is in Deliver")

    # DELIVER. An action on the log, escalated by the manager from the dashboard.
    manager.goto(f"{url}/programmes/{SLUG}/actions/")
    manager.get_by_role("link", name="Add an action").click()
    add = manager.locator("#add-slot form")
    add.get_by_label("Title", exact=True).fill(ACTION)
    add.get_by_label("Owner", exact=True).select_option(label="Mark Evans (Programme Manager)")
    add.get_by_label("Due date", exact=True).fill((today + timedelta(days=14)).isoformat())
    add.get_by_role("button", name="Save").click()
    expect(manager.get_by_role("row", name=re.compile(ACTION))).to_be_visible()

    manager.get_by_role("link", name="Dashboard", exact=True).click()
    own = manager.get_by_role("region", name="Your programmes' open actions and issues")
    row = own.get_by_role("row", name=re.compile(ACTION))
    row.get_by_role("link", name=re.compile("Escalate")).click()
    expect(manager.get_by_text(f"Action: {ACTION}")).to_be_visible()
    manager.get_by_label("Escalate to", exact=True).select_option(label="Delivery Board")
    manager.get_by_label("What is asked of the board", exact=True).fill(
        "Agree the pricing policy before the offerings launch."
    )
    manager.get_by_role("button", name="Escalate").click()
    expect(banner(manager)).to_contain_text("Escalated to Delivery Board")
    escalation = manager.url
    # Back on the manager's home page: the row names the board and offers no second escalation.
    manager.get_by_role("link", name="Delivery Hub").click()
    own = manager.get_by_role("region", name="Your programmes' open actions and issues")
    row = own.get_by_role("row", name=re.compile(ACTION))
    expect(row).to_contain_text("Escalated to the Delivery Board")
    expect(row.get_by_role("link", name=re.compile("^Escalate"))).to_have_count(0)
    shot(manager, "escalated-home")
    manager.goto(f"{url}/programmes/{SLUG}/actions/")
    row = manager.get_by_role("row", name=re.compile(ACTION))
    expect(row).to_contain_text("Escalated to the Delivery Board")
    shot(manager, "escalated-actions-log")

    # The Delivery Board answers it, into the decision log.
    board.goto(f"{url}/")
    board.get_by_role("link", name=ACTION).first.click()
    assert board.url == escalation
    expect(board.get_by_text("Awaiting Delivery Board")).to_be_visible()
    shot(board, "escalation-to-answer")
    board.get_by_label("The board's response", exact=True).fill(
        "Agreed: prices follow the fees policy."
    )
    board.get_by_role("button", name="Record the response").click()
    expect(banner(board)).to_contain_text("Response recorded in the decision log")
    board.goto(f"{url}/programmes/{SLUG}/decisions/")
    expect(
        board.get_by_role("row", name=re.compile(f"Escalation answered: {ACTION}"))
    ).to_be_visible()
    shot(board, "decision-log")

    # The budget is a baseline: only a change request the Programme Board approves moves it.
    manager.goto(f"{url}/programmes/{SLUG}/one-off-costs/")
    expect(manager.get_by_label("Budget 2025/26", exact=True)).to_have_count(0)
    manager.get_by_role("link", name="Raise a change request to change a year's budget").click()
    manager.get_by_label("Title", exact=True).fill("Fund the commercial team's recruitment")
    manager.get_by_label("What changes", exact=True).select_option(label="Cost")
    manager.get_by_label("The change and why it is needed", exact=True).fill(
        "Recruit the commercial team."
    )
    manager.get_by_label("Cost impact (£)", exact=True).fill("30000")
    manager.get_by_label("Baseline year it changes", exact=True).fill("2025/26")
    manager.get_by_label("New budget or planned benefit (£)", exact=True).fill("280000")
    manager.get_by_role("button", name=re.compile("Raise")).click()
    expect(banner(manager)).to_contain_text(f"routed to {NAME} Programme Board")
    change = manager.url
    board.goto(change)
    board.get_by_label("Approve", exact=True).check()
    board.get_by_label("Reasons", exact=True).fill("Within the agreed investment's tolerance.")
    board.get_by_role("button", name="Record the decision").click()
    expect(banner(board)).to_contain_text("approved")
    manager.goto(f"{url}/programmes/{SLUG}/one-off-costs/")
    expect(manager.get_by_text("£280,000").first).to_be_visible()
    shot(manager, "budget-changed")

    # CLOSE. The checklist holds the closure report while items are open.
    manager.goto(f"{url}/programmes/{SLUG}/closure-report/")
    write_document(manager, "Closure report")
    manager.get_by_role("link", name="Complete the closure checklist and submit").click()
    expect(manager.get_by_role("heading", name="Closure checklist")).to_be_visible()
    submit = manager.get_by_role("button", name="Record the handover and submit the closure report")
    submit.click()
    expect(manager.locator(".govuk-error-summary")).to_contain_text(
        f"Choose what happens to “{ACTION}”"
    )
    shot(manager, "closure-checklist-blocks")
    for card in manager.locator(".govuk-summary-card").all():
        title = card.locator("h2").inner_text()
        if title.startswith("Benefit"):
            card.get_by_label(
                "Carry it into benefits tracking with a named owner", exact=True
            ).check()
            card.get_by_label("Named owner", exact=True).select_option(label=VIC)
        else:
            card.get_by_label("Close it", exact=True).check()
    submit.click()
    expect(banner(manager)).to_contain_text("Closure checklist recorded")
    closure = manager.url
    decide(board, closure, "Delivery Board")
    decide(board, closure, "Strategic Transformation Board")
    expect(banner(board)).to_contain_text(f"{NAME} is closed")
    shot(board, "closed")
    board.get_by_role("link", name=NAME).first.click()
    expect(board.get_by_role("main").locator("strong.govuk-tag").first).to_have_text("Close")

    # The benefit owner marks the income realised, with the evidence; the PMO confirms it.
    owner = walk.go("viewer", "/benefits/mine/")
    owner.get_by_role("link", name="Income from commercial offerings").click()
    owner.get_by_label("Realised", exact=True).check()
    owner.get_by_label("Evidence or reason").fill("£1.1m of income in the 2027/28 outturn.")
    owner.get_by_role("button", name="Save", exact=True).click()
    expect(owner.get_by_text("awaiting the PMO's confirmation")).to_be_visible()
    shot(owner, "benefit-realised")
    pmo.goto(owner.url)
    pmo.get_by_label("Confirm", exact=True).check()
    pmo.get_by_role("button", name="Save decision").click()
    expect(pmo.get_by_text("“Income from commercial offerings” is confirmed.")).to_be_visible()

    # The decision log holds every act of the boards, the SRO and the PMO, in the browser.
    pmo.goto(f"{url}/programmes/{SLUG}/decisions/")
    log = pmo.get_by_role("table", name="Decisions")
    for entry in (
        "Gate 1 (Strategic Outline Case (SOC) v1): approved by Strategic Transformation Board",
        f"{NAME} Programme Board established",
        "Gate 2 (Initial Programme Brief (Section A) v1): approved by SRO",
        "Gate 2 (Initial Programme Brief (Section A) v1): approved by Delivery Board",
        "Gate 2 (Initial Programme Brief (Section A) v1): approved by Strategic Transformation",
        "Gate 3 (Full Programme Brief (Section B) v1): approved by Strategic Transformation",
        f"Escalation answered: {ACTION}",
        "Fund the commercial team's recruitment",
        "Closure (Closure report v1): approved by Delivery Board",
        "Closure (Closure report v1): approved by Strategic Transformation Board",
    ):
        expect(log.get_by_text(entry, exact=False).first).to_be_visible()
    shot(pmo, "decision-log-closed")
    for page in walk.pages.values():
        assert page.console_errors == []

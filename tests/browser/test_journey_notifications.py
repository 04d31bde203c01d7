"""Journey: notifications in the running app with a real SMTP server (aiosmtpd). The mail server
is down when a board member records a decision: the decision is saved and the page says its
emails could not be sent yet; the PMO sees the failures on the outbox page and, with the server
back, sends them again: each arrives once. The daily reminder run emails an overdue action's
owner once; the board member chooses a daily digest; the PMO sets the board's Teams channel."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from governance.reminders import reminder_run
from notifications.models import Notification, Status
from tests.browser.conftest import axe_violations, screenshot, sign_in
from tests.notifications.conftest import smtp, webhook_receiver  # noqa: F401

CONDITION = "Agree the data-sharing protocol with the ICT Strategy programme"


def test_a_decision_saves_with_the_mail_server_down_and_the_pmo_sends_it_again(
    demo_site,
    new_page,
    smtp,  # noqa: F811
    webhook_receiver,  # noqa: F811
):
    smtp.stop()
    page = new_page()
    sign_in(page, demo_site.url, "board")
    page.get_by_role("link", name="Gates", exact=True).click()
    awaiting = page.locator("table", has=page.get_by_text("Awaiting your decision"))
    awaiting.get_by_role("link", name="Business Intelligence").first.click()
    page.get_by_label("Approve with conditions").check()
    page.get_by_label("Reasons").fill("The brief is sound; data sharing must be settled first.")
    page.get_by_label("Condition 1", exact=True).fill(CONDITION)
    page.get_by_label("Condition 1 owner").select_option(label="Mark Evans (Programme Manager)")
    due = timezone.localdate() + timedelta(days=30)
    page.get_by_label("Condition 1 due date").fill(due.isoformat())
    page.get_by_role("button", name="Record decision").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    warning = page.locator(".app-undelivered")
    expect(warning).to_contain_text("could not be sent yet")
    expect(warning).to_contain_text("Everything recorded here is saved")
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "journey-notify-decision-mail-down")
    failed = list(Notification.objects.filter(status=Status.RETRYING))
    assert len(failed) >= 2  # the manager's and the SRO's "decided", the condition's owner

    smtp.start()
    pmo = new_page()
    sign_in(pmo, demo_site.url, "pmo")
    pmo.get_by_role("link", name="Outbox", exact=True).click()
    expect(pmo.get_by_role("heading", name="Outbox", level=1)).to_be_visible()
    expect(pmo.locator("table")).to_contain_text("The mail server could not be reached")
    assert axe_violations(pmo, demo_site.url) == []
    screenshot(pmo, "journey-notify-outbox-failures")
    for _ in failed:
        pmo.get_by_role("button", name=re.compile("^Send again")).first.click()
        expect(pmo.locator(".govuk-notification-banner")).to_contain_text("is being sent again")
    assert not Notification.objects.filter(status=Status.RETRYING).exists()
    received = sorted((m["To"], m["Subject"]) for m in smtp.inbox)
    assert len(received) == len(failed) == len(set(received))  # each once
    assert any(s.startswith("Gate review decided: Business Intelligence") for _, s in received)
    assert any(s == f"Action for you: {CONDITION}" for _, s in received)
    pmo.reload()
    screenshot(pmo, "journey-notify-outbox-sent")

    # The morning's reminder run: one email per overdue action's owner, not repeated that week.
    before = len(smtp.inbox)
    written = reminder_run()
    assert written == len(smtp.inbox) - before
    assert reminder_run() == 0
    assert len(smtp.inbox) == before + written

    # The board member chooses a daily digest for gate reviews reaching the board.
    page.get_by_role("link", name="Notifications", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How Delivery Hub tells you about things"
    )
    page.get_by_role("group", name="A gate review reaches your board or sign-off").get_by_label(
        "In a daily digest"
    ).check()
    page.get_by_role("button", name="Save choices").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("choices are saved")
    assert axe_violations(page, demo_site.url) == []
    screenshot(page, "journey-notify-choices")

    # The PMO sets the Delivery Board's Teams channel.
    pmo.goto(f"{demo_site.url}/boards/")
    pmo.get_by_role("link", name="Delivery Board", exact=True).click()
    pmo.get_by_role("link", name="Change Teams channel").click()
    pmo.get_by_label("Teams webhook address").fill("https://10.0.0.7/hook")
    pmo.get_by_role("button", name="Save").click()
    expect(pmo.locator(".govuk-error-summary")).to_contain_text("not a private or local")
    pmo.get_by_label("Teams webhook address").fill(webhook_receiver.url)
    pmo.get_by_role("button", name="Save").click()
    expect(pmo.locator(".govuk-notification-banner")).to_contain_text("now posts to the Teams")
    expect(pmo.locator("body")).not_to_contain_text(webhook_receiver.url)
    pmo.get_by_role("link", name="Change Teams channel").click()
    expect(pmo.get_by_label("Teams webhook address")).to_be_visible()
    assert axe_violations(pmo, demo_site.url) == []
    screenshot(pmo, "journey-notify-board-teams")
    assert page.console_errors == []
    assert pmo.console_errors == []


def test_the_pmo_sets_the_day_highlight_reports_are_due(demo_site, new_page):
    page = new_page()
    sign_in(page, demo_site.url, "pmo")
    page.goto(f"{demo_site.url}/boards/")
    page.get_by_role(
        "link", name="Change the day of the month highlight reports are due by"
    ).click()
    expect(page.get_by_role("heading", name="When highlight reports are due")).to_be_visible()
    field = page.get_by_label("Highlight reports are due by this day of the month")
    field.fill("32")
    page.get_by_role("button", name="Save the due day").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The day must be a whole number from 1 to 31"
    )
    screenshot(page, "reporting-calendar-error")
    field.fill("15")
    page.get_by_role("button", name="Save the due day").click()
    expect(page.get_by_text("The highlight report due day is saved.")).to_be_visible()
    expect(field).to_have_value("15")
    screenshot(page, "reporting-calendar")
    assert axe_violations(page, demo_site.url) == []

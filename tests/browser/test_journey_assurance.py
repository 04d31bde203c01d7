"""Issue 21, tried as a new user would: a Green over late milestones shows under "Ratings to
challenge"; the PMO records an independent rating beside the manager's; a closed programme's
benefit stays on its owner's list until the PMO confirms it realised; the deep-dive pack."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from benefits.models import Benefit
from portfolio.models import HighlightReport, Programme, Stage
from tests.browser.conftest import axe_violations, screenshot, sign_in
from tests.portfolio.factories import MilestoneFactory


def shot(page, name: str) -> None:
    screenshot(page, f"assurance-{name}")


def test_ratings_to_challenge_assurance_and_benefits_after_closure(demo_site, new_page):
    green = Programme.objects.filter(stage=Stage.DELIVER).order_by("name").first()
    HighlightReport.objects.filter(programme=green).update(
        delivery_confidence="green", confidence_rationale=""
    )
    MilestoneFactory(programme=green, title="Go-live",
                     due_date=timezone.localdate() - timedelta(days=10))  # fmt: skip
    page = new_page()
    sign_in(page, demo_site.url, "pmo")
    page.goto(f"{demo_site.url}/dashboard/")
    challenge = page.locator("#challenge-heading + p + table")
    expect(challenge.get_by_role("link", name=green.name)).to_be_visible()
    expect(challenge).to_contain_text("milestone")
    page.locator("#challenge-heading").scroll_into_view_if_needed()
    assert axe_violations(page, demo_site.url) == []
    shot(page, "dashboard")

    # The PMO records an independent rating beside the manager's self-assessment.
    page.goto(f"{demo_site.url}/programmes/{green.slug}/workbook/")
    page.get_by_role("link", name="Record an independent assurance rating").click()
    shot(page, "assurance-form-empty")
    page.get_by_role("button", name="Record the rating").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    shot(page, "assurance-form-errors")
    page.get_by_label("Date of the assessment").fill(timezone.localdate().isoformat())
    page.get_by_label("Independent delivery confidence").select_option("amber_red")
    page.get_by_label("Rationale").fill("Go-live is past due with no re-plan agreed.")
    page.get_by_role("button", name="Record the rating").click()
    expect(page.get_by_text("Independent assurance rating of Amber/Red recorded.")).to_be_visible()
    expect(page.get_by_text("Go-live is past due with no re-plan agreed.")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    shot(page, "workbook")

    # A closed programme's benefit: the owner marks it realised, the PMO confirms it.
    closed = Programme.objects.filter(stage=Stage.CLOSED).first() or green
    if closed.stage != Stage.CLOSED:
        Programme.objects.filter(pk=closed.pk).update(stage=Stage.CLOSED)
    benefit = Benefit.objects.create(programme=closed, title="Reduced agency spend",
                                     type="cashable_saving")  # fmt: skip
    page.goto(f"{demo_site.url}/programmes/{closed.slug}/benefits/{benefit.pk}/")
    page.get_by_label("Realised", exact=True).check()
    page.get_by_label("Evidence or reason").fill("Agency spend down £120k in the 2024/25 outturn.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("awaiting the PMO's confirmation")).to_be_visible()
    shot(page, "benefit-claimed")
    page.get_by_label("Confirm", exact=True).check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("“Reduced agency spend” is confirmed.")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    shot(page, "benefit-confirmed")
    page.goto(f"{demo_site.url}/benefits/realisation/")
    expect(page.get_by_role("heading", name="Benefits realisation")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    shot(page, "realisation")

    page.goto(f"{demo_site.url}/reports/deep-dives/{green.slug}/")
    expect(page.get_by_role("heading", name="Deep-dive pack")).to_be_visible()
    assert axe_violations(page, demo_site.url) == []
    shot(page, "deep-dive")

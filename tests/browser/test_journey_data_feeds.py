"""Tried as a new user would: a manager makes a token in the browser, then a client reads the
OData feed and the calendar with it and gets the demo portfolio's figures; the token page and
the "Use this data in Excel or Power BI" page have no axe violations."""

from decimal import Decimal

import pytest
import requests
from icalendar import Calendar

from benefits.models import BenefitProfile
from tests.browser.conftest import axe_violations, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_person_makes_a_token_and_a_client_reads_the_feed_with_it(demo_site, new_page):
    page = new_page()
    sign_in(page, demo_site.url, "manager")
    page.get_by_role("link", name="Access tokens").click()
    page.get_by_label("Name").fill("Power BI savings report")
    page.get_by_label("90 days").check()
    page.get_by_role("button", name="Make token").click()
    secret = page.get_by_label("Your new token").input_value()
    screenshot(page, "data-token-made")
    assert axe_violations(page, demo_site.url) == []
    assert secret.startswith("dh_")

    session = requests.Session()
    session.auth = ("manager", secret)
    url = f"{demo_site.url}/odata/BenefitProfileYears?$select=Forecast"
    forecast = Decimal(0)
    while url:
        response = session.get(url, timeout=30)
        assert response.status_code == 200
        body = response.json(parse_float=Decimal)
        forecast += sum((row["Forecast"] for row in body["value"]), Decimal(0))
        url = body.get("@odata.nextLink")
    assert forecast == sum(BenefitProfile.objects.values_list("forecast", flat=True))

    calendar = session.get(f"{demo_site.url}/calendar/mine.ics?token={secret}", timeout=30)
    assert calendar.status_code == 200
    assert Calendar.from_ical(calendar.content).walk("VEVENT") is not None

    page.goto(f"{demo_site.url}/account/tokens/")
    assert "Power BI savings report" in page.content()
    assert secret not in page.content()
    page.get_by_role("link", name="How to use this data in Excel or Power BI").click()
    screenshot(page, "data-help")
    assert axe_violations(page, demo_site.url) == []
    assert page.console_errors == []

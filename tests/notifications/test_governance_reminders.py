"""The reminder run's reports, benefits and follow-up events (issue 20): a highlight report due
(by the PMO's day of the month) or late, a benefit's actuals for the quarter just ended, and a
delivery confidence follow-up review due or overdue. Each is delivered through the real SMTP
server, once per period: a second run the same day sends nothing."""

from __future__ import annotations

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from benefits.models import BenefitStatus
from governance.models import ReportingCalendar
from governance.reminders import reminder_run
from governance.services import reporting_calendar_set
from notifications.kinds import KIND_LABELS
from notifications.models import Notification
from portfolio.models import HighlightReport, Stage
from tests.benefits.factories import BenefitFactory, BenefitProfileFactory

pytestmark = pytest.mark.django_db

SITE = "https://delivery-hub.example.gov.uk"


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def report(programme, month, actor, **fields):
    fields.setdefault("delivery_confidence", "green")
    return HighlightReport.objects.create(
        programme=programme, month=month, schedule_rag="green", budget_rag="green",
        benefits_rag="green", risk_rag="green", progress="On track.", created_by=actor, **fields,
    )  # fmt: skip


def run(today, capture) -> int:
    with capture(execute=True):
        return reminder_run(today)


def test_the_new_events_are_kinds_people_can_choose():
    for kind in (
        "highlight_report_due", "highlight_report_late", "benefit_actuals_due",
        "follow_up_review_due", "follow_up_review_overdue",
    ):  # fmt: skip
        assert kind in KIND_LABELS


def test_a_highlight_report_due_in_3_days_then_late_tells_the_manager_once_each(
    world, make_programme, smtp, django_capture_on_commit_callbacks
):
    reporting_calendar_set(highlight_report_due_day=12, actor=world.pmo)
    adult = make_programme(name="Adult Social Care Redesign", stage=Stage.DELIVER)
    written = make_programme(name="Customer Access", stage=Stage.DELIVER)
    make_programme(name="Closed one", stage=Stage.CLOSED)
    report(written, datetime.date(2026, 11, 1), world.manager)

    assert run(datetime.date(2026, 11, 8), django_capture_on_commit_callbacks) == 0  # 4 days out
    assert run(datetime.date(2026, 11, 9), django_capture_on_commit_callbacks) == 1
    assert run(datetime.date(2026, 11, 9), django_capture_on_commit_callbacks) == 0  # same day
    assert run(datetime.date(2026, 11, 11), django_capture_on_commit_callbacks) == 0  # same month
    (due,) = smtp.inbox
    assert due["To"] == world.manager.email
    assert due["Subject"] == (
        "Highlight report due in 3 days: Adult Social Care Redesign (November 2026)"
    )
    body = text_of(due)
    assert "is due in 3 days, on 12 November 2026" in body
    assert f"{SITE}{reverse('portfolio:workbook', kwargs={'slug': adult.slug})}" in body

    assert run(datetime.date(2026, 11, 12), django_capture_on_commit_callbacks) == 0  # due today
    assert run(datetime.date(2026, 11, 13), django_capture_on_commit_callbacks) == 1
    assert run(datetime.date(2026, 11, 13), django_capture_on_commit_callbacks) == 0
    late = smtp.inbox[-1]
    assert late["Subject"] == "Highlight report late: Adult Social Care Redesign (November 2026)"
    assert "was due on 12 November 2026 and has not been written" in text_of(late)

    # Written now: nothing more about November.
    report(adult, datetime.date(2026, 11, 1), world.manager)
    assert run(datetime.date(2026, 11, 23), django_capture_on_commit_callbacks) == 0
    assert len(smtp.inbox) == 2


def test_the_due_day_falls_on_a_short_months_last_day(world):
    calendar = ReportingCalendar(highlight_report_due_day=31)
    assert calendar.highlight_report_due_on(datetime.date(2027, 2, 1)) == datetime.date(2027, 2, 28)
    assert calendar.highlight_report_due_on(datetime.date(2026, 12, 1)) == datetime.date(
        2026, 12, 31
    )


def test_benefit_owners_are_asked_for_actuals_once_after_the_quarter(
    world, make_programme, make_user, smtp, django_capture_on_commit_callbacks
):
    from accounts.roles import Role

    owner = make_user(Role.VIEWER, username="owner-user", email="owner@example.gov.uk")
    # No managers, so no highlight report reminders in the way.
    programme = make_programme(name="Waste Collection", stage=Stage.DELIVER, manager=None)
    closed = make_programme(name="Libraries", stage=Stage.CLOSED, manager=None)
    paused = make_programme(name="Paused one", stage=Stage.PAUSED, manager=None)
    needs = BenefitFactory(programme=programme, owner=owner, title="Fleet savings")
    BenefitProfileFactory(benefit=needs, financial_year=2026, actual=Decimal("0"))
    after_closure = BenefitFactory(programme=closed, owner=owner, title="Building savings")
    done = BenefitFactory(programme=programme, owner=owner, title="Route savings")
    BenefitProfileFactory(benefit=done, financial_year=2026, actual=Decimal("1200"))
    BenefitFactory(programme=paused, owner=owner, title="Paused savings")
    BenefitFactory(
        programme=programme, owner=owner, title="Withdrawn", status=BenefitStatus.WITHDRAWN
    )
    BenefitFactory(programme=programme, owner=owner, title="Morale", type="non_financial")

    assert run(datetime.date(2026, 9, 30), django_capture_on_commit_callbacks) == 0
    assert run(datetime.date(2026, 10, 5), django_capture_on_commit_callbacks) == 2
    assert run(datetime.date(2026, 10, 5), django_capture_on_commit_callbacks) == 0  # same day
    assert run(datetime.date(2026, 10, 19), django_capture_on_commit_callbacks) == 0  # same qtr
    assert run(datetime.date(2026, 10, 30), django_capture_on_commit_callbacks) == 0  # window over
    subjects = sorted(m["Subject"] for m in smtp.inbox)
    assert subjects == [
        "Benefit actuals needed for Q2 2026/27: Building savings",
        "Benefit actuals needed for Q2 2026/27: Fleet savings",
    ]
    fleet = next(m for m in smtp.inbox if "Fleet" in m["Subject"])
    assert fleet["To"] == owner.email
    body = text_of(fleet)
    assert "has no actual recorded for 2026/27" in body
    path = reverse("benefits:benefit_detail", kwargs={"slug": programme.slug, "pk": needs.pk})
    assert f"{SITE}{path}" in body
    assert Notification.objects.get(object_id=after_closure.pk).period == "quarter-2026-27-q2"


def test_a_follow_up_review_due_then_overdue_tells_the_manager_and_the_pmo(
    world, make_programme, smtp, django_capture_on_commit_callbacks
):
    programme = make_programme(name="Housing Repairs", stage=Stage.DELIVER)
    reporting_calendar_set(highlight_report_due_day=28, actor=world.pmo)
    report(
        programme, datetime.date(2026, 10, 1), world.manager, delivery_confidence="amber_red",
        confidence_rationale="Supplier late.", follow_up_review_on=datetime.date(2026, 11, 5),
    )  # fmt: skip
    today = datetime.date(2026, 11, 2)
    assert run(today, django_capture_on_commit_callbacks) == 2
    assert run(today, django_capture_on_commit_callbacks) == 0  # same day
    assert run(today + timedelta(days=1), django_capture_on_commit_callbacks) == 0  # same date
    assert sorted(m["To"] for m in smtp.inbox) == sorted([world.manager.email, world.pmo.email])
    assert {m["Subject"] for m in smtp.inbox} == {"Follow-up review due in 3 days: Housing Repairs"}
    assert "rated Amber/Red in its October 2026 highlight report" in text_of(smtp.inbox[0])

    assert run(datetime.date(2026, 11, 9), django_capture_on_commit_callbacks) == 2
    assert run(datetime.date(2026, 11, 10), django_capture_on_commit_callbacks) == 0  # same week
    assert {m["Subject"] for m in smtp.inbox[2:]} == {"Follow-up review overdue: Housing Repairs"}

    # A newer report supersedes the follow-up.
    report(programme, datetime.date(2026, 11, 1), world.manager)
    assert run(datetime.date(2026, 11, 16), django_capture_on_commit_callbacks) == 0
    assert len(smtp.inbox) == 4


def test_the_reminder_run_reads_a_fixed_number_of_queries_whatever_the_portfolio_size(
    world, make_programme, django_capture_on_commit_callbacks
):
    reporting_calendar_set(highlight_report_due_day=1, actor=world.pmo)
    today = datetime.date(2026, 10, 5)  # reports late, actuals owed, follow-ups overdue

    def grow(n: int) -> None:
        for _ in range(n):
            programme = make_programme(stage=Stage.DELIVER)
            BenefitFactory(programme=programme, owner=world.manager)
            report(
                programme, datetime.date(2026, 9, 1), world.manager,
                delivery_confidence="red", confidence_rationale="Late.",
                follow_up_review_on=datetime.date(2026, 10, 1),
            )  # fmt: skip

    def count() -> tuple[int, int]:
        Notification.objects.all().delete()
        # The run only writes the outbox; delivery is another task's (not run here).
        with (
            django_capture_on_commit_callbacks(execute=False),
            CaptureQueriesContext(connection) as queries,
        ):
            written = reminder_run(today)
        return written, len(queries)

    grow(2)
    # Warm up: in the whole suite a first run read 2 queries more (caches an earlier test emptied).
    count()
    small_written, small = count()
    grow(6)
    large_written, large = count()
    assert (small_written, large_written) == (2 * 4, 8 * 4)
    assert large == small


def test_the_pmo_sets_the_due_day_on_its_page(world, client_as):
    url = reverse("governance:reporting_calendar")
    page = client_as(world.pmo)
    assert "highlight reports are due by this day" in page.get(url).content.decode().lower()
    response = page.post(url, {"highlight_report_due_day": "40"})
    assert response.status_code == 200
    assert "The day must be a whole number from 1 to 31" in response.content.decode()
    assert ReportingCalendar.objects.get(pk=1).highlight_report_due_day == 10
    response = page.post(url, {"highlight_report_due_day": "15"})
    assert response.status_code == 302
    assert ReportingCalendar.objects.get(pk=1).highlight_report_due_day == 15
    assert client_as(world.manager).get(url).status_code == 403

"""The daily reminder run (Celery beat, 07:00): an action due in the next 3 days or overdue, a
risk whose review is due in the next 3 days or overdue, each to its owner; a programme's highlight
report for this month due in 3 days (by the PMO's due day) or late, and a delivery confidence
follow-up review due in 3 days or overdue, to its manager (the follow-up also to the PMO); a
benefit whose profile has no actual for the quarter just ended, to its owner, in the first three
weeks after the quarter. Reminders of something still wrong are keyed by the ISO week they fall
in, so the same reminder about the same thing goes at most once a week; "due soon" reminders of a
dated event are keyed by that date (sent once), actuals by the quarter. Running twice in a day
writes nothing new. Reads go through ``iterator`` in chunks, so memory
does not grow with the portfolio. On PostgreSQL the actions and risk reviews, nearly every
reminder, are worded by SQL (ACTIONS_SQL, RISKS_SQL: the same words as action_items and
risk_items) and written by one statement each (``notify_selected``)."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from benefits.models import Benefit, BenefitProfile
from notifications.outbox import Item, Message, notify_many, notify_selected
from portfolio.models import HighlightReport, Programme, Stage
from portfolio.periods import Quarter

from .models import Action, ActionStatus, ReportingCalendar, Risk, RiskStatus

DUE_SOON_DAYS = 3
ACTUALS_WINDOW_DAYS = 21  # "the first weeks after a quarter ends"
CHUNK = 2000


def week_of(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"week-{year}-W{week:02d}"


@functools.lru_cache(maxsize=1024)  # a run formats the same few dates many times over
def _date(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


def _on(programme) -> str:  # type: ignore[no-untyped-def]
    return f" on {programme}" if programme else ""


def action_items(today: datetime.date) -> Iterator[Item]:
    period = week_of(today)
    mine = reverse("governance:my_actions")
    actions = (
        Action.objects.outstanding()
        .filter(
            owner__is_active=True,
            due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("owner", "programme")
        .order_by("pk")
    )
    for action in actions.iterator(chunk_size=CHUNK):
        if action.due_date < today:
            kind = "action_overdue"
            subject = f"Overdue action: {action.title}"
            summary = (
                f"Your action{_on(action.programme)} was due on {_date(action.due_date)} and is "
                "not done. Update it, or mark it done."
            )
        else:
            days = (action.due_date - today).days
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            kind = "action_due_soon"
            subject = f"Action due {when}: {action.title}"
            summary = f"Your action{_on(action.programme)} is due {when}: {action.title}."
        message = Message(
            subject=subject, summary=summary, path=mine, link_text="Open your actions",
            facts=[("Action", action.title), ("Due", _date(action.due_date))],
        )  # fmt: skip
        yield Item(kind, action, period, message, recipient=action.owner)


def risk_items(today: datetime.date) -> Iterator[Item]:
    period = week_of(today)
    risks = (
        Risk.objects.open()
        .filter(
            owner__is_active=True,
            review_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("owner", "programme")
        .order_by("pk")
    )
    raid_logs: dict[str, str] = {}  # each programme's RAID log, reversed once
    for risk in risks.iterator(chunk_size=CHUNK):
        review_date: datetime.date = risk.review_date  # type: ignore[assignment]
        overdue = review_date < today
        kind = "risk_review_overdue" if overdue else "risk_review_due"
        if overdue:
            summary = (
                f"The review of your risk{_on(risk.programme)} was due on "
                f"{_date(review_date)}. Review it and set the next review date."
            )
        else:
            summary = f"Your risk{_on(risk.programme)} is due for review on {_date(review_date)}."
        slug = risk.programme.slug if risk.programme else ""
        path = raid_logs.get(slug)
        if path is None:
            path = raid_logs[slug] = (
                reverse("governance:programme_raid", kwargs={"slug": slug})
                if slug
                else reverse("governance:raid")
            )
        message = Message(
            subject=f"Risk review {'overdue' if overdue else 'due'}: {risk.title}",
            summary=summary, path=path, link_text="Open the RAID log",
            facts=[("Risk", risk.title), ("Review date", _date(review_date))],
        )  # fmt: skip
        yield Item(kind, risk, period, message, recipient=risk.owner)


def _in_days(days: int) -> str:
    return "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"


def highlight_report_items(today: datetime.date) -> Iterator[Item]:
    """This month's highlight report of each open programme without one: due soon (keyed by the
    month, so once) or late (keyed by the week). One query for the programmes."""
    calendar = ReportingCalendar.objects.filter(pk=1).first() or ReportingCalendar()
    month = today.replace(day=1)
    due_on = calendar.highlight_report_due_on(month)
    days = (due_on - today).days
    if days > DUE_SOON_DAYS:
        return
    late = days < 0
    period = week_of(today) if late else f"month-{month:%Y-%m}"
    reported = HighlightReport.objects.filter(programme=OuterRef("pk"), month=month)
    programmes = (
        Programme.objects.open()
        .filter(manager__is_active=True)
        .exclude(Exists(reported))
        .select_related("manager")
        .order_by("pk")
    )
    for programme in programmes.iterator(chunk_size=CHUNK):
        if late:
            kind = "highlight_report_late"
            subject = f"Highlight report late: {programme} ({month:%B %Y})"
            summary = (
                f"The highlight report for {programme} for {month:%B %Y} was due on "
                f"{_date(due_on)} and has not been written. Write it in the Programme Workbook."
            )
        else:
            kind = "highlight_report_due"
            subject = f"Highlight report due {_in_days(days)}: {programme} ({month:%B %Y})"
            summary = (
                f"The highlight report for {programme} for {month:%B %Y} is due "
                f"{_in_days(days)}, on {_date(due_on)}."
            )
        message = Message(
            subject=subject, summary=summary,
            path=reverse("portfolio:workbook", kwargs={"slug": programme.slug}),
            link_text="Open the Programme Workbook",
            facts=[("Programme", str(programme)), ("Month", f"{month:%B %Y}"),
                   ("Due", _date(due_on))],
        )  # fmt: skip
        yield Item(kind, programme, period, message, recipient=programme.manager)


def benefit_actuals_items(today: datetime.date) -> Iterator[Item]:
    """In the first weeks after a quarter ends, each still-tracked financial benefit (of an open
    programme, or a closed one) with no actual recorded for that quarter's financial year, to its
    owner, once for the quarter. One query for the benefits."""
    quarter = Quarter.from_date(today).previous()
    if (today - quarter.end).days > ACTUALS_WINDOW_DAYS:
        return
    year = quarter.financial_year
    recorded = BenefitProfile.objects.filter(
        benefit=OuterRef("pk"), financial_year=year.start_year
    ).exclude(actual=0)
    benefits = (
        Benefit.objects.financial()
        .still_tracked()
        .filter(
            owner__is_active=True,
            programme__stage__in=[*Stage.open_stages(), Stage.CLOSED],
        )
        .exclude(Exists(recorded))
        .select_related("owner", "programme")
        .order_by("pk")
    )
    period = f"quarter-{quarter.slug}"
    for benefit in benefits.iterator(chunk_size=CHUNK):
        message = Message(
            subject=f"Benefit actuals needed for {quarter.label}: {benefit.title}",
            summary=(
                f"{quarter.label} ({quarter.months_label}) has ended. Your benefit on "
                f"{benefit.programme} has no actual recorded for {year.label}. Record what it "
                "has realised so far."
            ),
            path=reverse(
                "benefits:benefit_detail",
                kwargs={"slug": benefit.programme.slug, "pk": benefit.pk},
            ),
            link_text="Open the benefit",
            facts=[("Benefit", benefit.title), ("Programme", str(benefit.programme)),
                   ("Financial year", year.label)],
        )  # fmt: skip
        yield Item("benefit_actuals_due", benefit, period, message, recipient=benefit.owner)


def follow_up_review_items(today: datetime.date) -> Iterator[Item]:
    """The follow-up review set on an open programme's latest highlight report (rated Amber/Red
    or Red) due in 3 days (keyed by its date, so once) or overdue (keyed by the week, until a
    newer report is written), to the programme manager and the PMO. One query for the reports,
    one for the PMO."""
    reports = (
        HighlightReport.objects.latest_per_programme()
        .filter(
            programme__stage__in=Stage.open_stages(),
            follow_up_review_on__isnull=False,
            follow_up_review_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .select_related("programme__manager")
        .order_by("pk")
    )
    pmo: list[User] | None = None
    for report in reports.iterator(chunk_size=CHUNK):
        if pmo is None:
            pmo = list(
                User.objects.filter(is_active=True, groups__name=Role.PMO.group_name)
                .distinct()
                .order_by("pk")
            )
        programme = report.programme
        review_on: datetime.date = report.follow_up_review_on  # type: ignore[assignment]
        days = (review_on - today).days
        overdue = days < 0
        rating = report.get_delivery_confidence_display()
        if overdue:
            kind, period = "follow_up_review_overdue", week_of(today)
            subject = f"Follow-up review overdue: {programme}"
            summary = (
                f"{programme} was rated {rating} in its {report.month:%B %Y} highlight report. "
                f"Its follow-up review was due on {_date(review_on)} and no newer highlight "
                "report has been written."
            )
        else:
            kind, period = "follow_up_review_due", f"on-{review_on.isoformat()}"
            subject = f"Follow-up review due {_in_days(days)}: {programme}"
            summary = (
                f"{programme} was rated {rating} in its {report.month:%B %Y} highlight report. "
                f"Its follow-up review is due {_in_days(days)}, on {_date(review_on)}."
            )
        message = Message(
            subject=subject, summary=summary,
            path=reverse("portfolio:workbook", kwargs={"slug": programme.slug}),
            link_text="Open the Programme Workbook",
            facts=[("Programme", str(programme)), ("Delivery confidence", rating),
                   ("Follow-up review", _date(review_on))],
        )  # fmt: skip
        people = {p.pk: p for p in pmo}
        if programme.manager is not None and programme.manager.is_active:
            people.setdefault(programme.manager.pk, programme.manager)
        for person in people.values():
            yield Item(kind, report, period, message, recipient=person)


# The same reminders as action_items and risk_items, word for word, selected by PostgreSQL for
# notify_selected to write in one statement each: read into Python a row at a time, written in
# chunks, the two took 0.2-0.3 ms a reminder (150,000 at 5,000 programmes); tests compare the rows
# with those the Python writer wrote. ``when`` is "today" or "in N day(s)"; dates read "5 March
# 2026" as _date writes them.
_WHEN = """CASE WHEN {days} = 0 THEN 'today'
    ELSE 'in ' || {days} || ' day' || CASE WHEN {days} <> 1 THEN 's' ELSE '' END END"""
_DATE = "to_char({}, 'FMDD FMMonth YYYY')"
_ON = "coalesce(' on ' || p.name, '')"

ACTIONS_SQL = f"""
    SELECT a.owner_id AS recipient_id,
        CASE WHEN a.due_date < %(today)s THEN 'action_overdue' ELSE 'action_due_soon' END AS kind,
        %(content_type)s AS content_type_id, a.id AS object_id, a.title AS about_label,
        %(period)s AS period,
        CASE WHEN a.due_date < %(today)s THEN 'Overdue action: ' || a.title
            ELSE 'Action due ' || {_WHEN.format(days="(a.due_date - %(today)s)")} || ': '
                || a.title END AS subject,
        CASE WHEN a.due_date < %(today)s
            THEN 'Your action' || {_ON} || ' was due on ' || {_DATE.format("a.due_date")}
                || ' and is not done. Update it, or mark it done.'
            ELSE 'Your action' || {_ON} || ' is due '
                || {_WHEN.format(days="(a.due_date - %(today)s)")} || ': ' || a.title || '.'
            END AS summary,
        %(path)s AS path,
        jsonb_build_array(jsonb_build_array('Action', a.title),
            jsonb_build_array('Due', {_DATE.format("a.due_date")})) AS facts,
        'Open your actions' AS link_text
    FROM governance_action a
    JOIN accounts_user u ON u.id = a.owner_id AND u.is_active
    LEFT JOIN portfolio_programme p ON p.id = a.programme_id
    WHERE a.status = ANY(%(outstanding)s) AND a.due_date <= %(horizon)s
    ORDER BY a.id
"""  # noqa: S608 (no value in the text: each is a parameter)

RISKS_SQL = f"""
    SELECT r.owner_id AS recipient_id,
        CASE WHEN r.review_date < %(today)s THEN 'risk_review_overdue'
            ELSE 'risk_review_due' END AS kind,
        %(content_type)s AS content_type_id, r.id AS object_id, r.title AS about_label,
        %(period)s AS period,
        CASE WHEN r.review_date < %(today)s THEN 'Risk review overdue: '
            ELSE 'Risk review due: ' END || r.title AS subject,
        CASE WHEN r.review_date < %(today)s
            THEN 'The review of your risk' || {_ON} || ' was due on '
                || {_DATE.format("r.review_date")}
                || '. Review it and set the next review date.'
            ELSE 'Your risk' || {_ON} || ' is due for review on '
                || {_DATE.format("r.review_date")} || '.' END AS summary,
        CASE WHEN p.id IS NULL THEN %(raid)s
            ELSE %(raid_before)s || p.slug || %(raid_after)s END AS path,
        jsonb_build_array(jsonb_build_array('Risk', r.title),
            jsonb_build_array('Review date', {_DATE.format("r.review_date")})) AS facts,
        'Open the RAID log' AS link_text
    FROM governance_risk r
    JOIN accounts_user u ON u.id = r.owner_id AND u.is_active
    LEFT JOIN portfolio_programme p ON p.id = r.programme_id
    WHERE r.status = %(open)s AND r.review_date <= %(horizon)s
    ORDER BY r.id
"""  # noqa: S608 (no value in the text: each is a parameter)


def _selected(today: datetime.date, model: type[Action] | type[Risk]) -> dict[str, object]:
    """The parameters of ACTIONS_SQL and RISKS_SQL."""
    marker = "programme-slug"
    raid_before, raid_after = reverse("governance:programme_raid", kwargs={"slug": marker}).split(
        marker
    )
    return {
        "today": today,
        "horizon": today + datetime.timedelta(days=DUE_SOON_DAYS),
        "period": week_of(today),
        "content_type": ContentType.objects.get_for_model(model).pk,
        "outstanding": [ActionStatus.OPEN, ActionStatus.IN_PROGRESS],
        "open": RiskStatus.OPEN,
        "path": reverse("governance:my_actions"),
        "raid": reverse("governance:raid"),
        "raid_before": raid_before,
        "raid_after": raid_after,
    }


def reminder_run(today: datetime.date | None = None) -> int:
    """Write this week's reminders not yet written; return how many were new. On PostgreSQL
    the actions and risk reviews (nearly all of them) are written by one statement each."""
    today = today or timezone.localdate()
    written = 0
    in_sql = connection.vendor == "postgresql"
    for items, select in (
        (action_items, ACTIONS_SQL),
        (risk_items, RISKS_SQL),
        (highlight_report_items, None),
        (benefit_actuals_items, None),
        (follow_up_review_items, None),
    ):
        with transaction.atomic():
            if select is not None and in_sql:
                model = Action if select is ACTIONS_SQL else Risk
                written += notify_selected(select, _selected(today, model))
            else:
                written += notify_many(items(today))
    return written

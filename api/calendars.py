"""iCalendar (RFC 5545) feeds for Outlook and other calendar clients, built with ``icalendar``.

- A person's feed (``/calendar/mine.ics``, as the token's owner): the due dates of their open
  actions, the review dates of the open risks they own, the gate reviews awaiting a decision
  that is theirs to make (dated by when they were submitted), and the next meeting of every
  board they chair or sit on (``Board.next_meeting``: boards record only the next one).
- A programme's feed (``/calendar/programmes/<slug>.ics``): its milestones (dated when due, or
  when completed) and its gate reviews (submitted, and decided where they have been).

Every event is a whole-day event with a stable UID, so a client that refreshes the feed updates
events rather than duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from governance.models import Action, ActionStatus, Board, GateReview, Risk, RiskStatus
from portfolio.models import Programme

HOST = "delivery-hub"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Delivery Hub//Data feeds//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def _event(
    uid: str, day: date, summary: str, description: str = "", url: str = "", stamp=None
) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{HOST}")
    event.add("dtstamp", stamp or timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    return event


def _day(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date()
    return moment


def person_calendar(user, absolute) -> bytes:
    """``absolute(path)`` makes a page's URL absolute, for each event's link."""
    calendar = _calendar(f"Delivery Hub: {user}")
    for event in _person_events(user, absolute):
        calendar.add_component(event)
    return calendar.to_ical()


def _person_events(user, absolute) -> Iterable[Event]:
    actions = (
        Action.objects.filter(owner=user, status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
        .select_related("programme")
        .order_by("due_date", "pk")
    )
    for action in actions.iterator(chunk_size=500):
        where = f" ({action.programme})" if action.programme else ""
        yield _event(
            f"action-{action.pk}",
            action.due_date,
            f"Action due: {action.title}{where}",
            action.description,
        )
    risks = (
        Risk.objects.filter(owner=user, status=RiskStatus.OPEN, review_date__isnull=False)
        .select_related("programme")
        .order_by("review_date", "pk")
    )
    for risk in risks.iterator(chunk_size=500):
        where = f" ({risk.programme})" if risk.programme else ""
        yield _event(
            f"risk-review-{risk.pk}", risk.review_date, f"Risk review: {risk.title}{where}"
        )
    reviews = GateReview.objects.awaiting_user(user).select_related("programme").oldest_first()
    for review in reviews:
        yield _event(
            f"gate-review-{review.pk}-step-{review.current_step}",
            _day(review.submitted_at),
            f"Awaiting your decision: {review.get_gate_display()} for {review.programme}",
            "Submitted for a decision on this date; decide it in Delivery Hub.",
            absolute(reverse("governance:review_detail", kwargs={"pk": review.pk})),
        )
    boards = (
        Board.objects.filter(Q(chair=user) | Q(members=user), next_meeting__isnull=False)
        .distinct()
        .order_by("next_meeting", "pk")
    )
    for board in boards:
        yield _event(
            f"board-{board.pk}-meeting-{board.next_meeting:%Y%m%d}",
            board.next_meeting,
            f"{board.name} meets",
            url=absolute(board.get_absolute_url()),
        )


def programme_calendar(programme: Programme, absolute, include_gates: bool) -> bytes:
    calendar = _calendar(f"Delivery Hub: {programme.name}")
    for milestone in programme.milestones.order_by("due_date", "pk"):
        done = f" (completed {milestone.completed_on:%d %B %Y})" if milestone.completed_on else ""
        calendar.add_component(
            _event(
                f"milestone-{milestone.pk}",
                milestone.due_date,
                f"Milestone: {milestone.title}{done}",
                url=absolute(programme.get_absolute_url()),
            )
        )
    if include_gates:
        for review in programme.gate_reviews.order_by("submitted_at", "pk"):
            gate = review.get_gate_display()
            calendar.add_component(
                _event(
                    f"gate-review-{review.pk}-submitted",
                    _day(review.submitted_at),
                    f"{gate} submitted: {programme.name}",
                )
            )
            if review.closed_at:
                calendar.add_component(
                    _event(
                        f"gate-review-{review.pk}-decided",
                        _day(review.closed_at),
                        f"{gate} {review.get_status_display().lower()}: {programme.name}",
                    )
                )
    return calendar.to_ical()

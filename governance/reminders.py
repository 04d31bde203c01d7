"""The daily reminder run (Celery beat, 07:00): an action due in the next 3 days or overdue, a
risk whose review is due in the next 3 days or overdue, each to its owner. Every reminder is keyed
by the ISO week it falls in, so the same reminder about the same thing goes at most once a week,
and running twice in a day writes nothing new. Reads go through ``iterator`` in chunks, so memory
does not grow with the portfolio."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.outbox import Item, Message, notify_many

from .models import Action, Risk

DUE_SOON_DAYS = 3
CHUNK = 2000


def week_of(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"week-{year}-W{week:02d}"


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
        path = (
            reverse("governance:programme_raid", kwargs={"slug": risk.programme.slug})
            if risk.programme
            else reverse("governance:raid")
        )
        message = Message(
            subject=f"Risk review {'overdue' if overdue else 'due'}: {risk.title}",
            summary=summary, path=path, link_text="Open the RAID log",
            facts=[("Risk", risk.title), ("Review date", _date(review_date))],
        )  # fmt: skip
        yield Item(kind, risk, period, message, recipient=risk.owner)


def reminder_run(today: datetime.date | None = None) -> int:
    """Write this week's reminders not yet written; return how many were new."""
    today = today or timezone.localdate()
    written = 0
    for items in (action_items(today), risk_items(today)):
        with transaction.atomic():
            written += notify_many(items)
    return written

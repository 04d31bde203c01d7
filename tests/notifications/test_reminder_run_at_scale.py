"""The daily reminder run on a generated portfolio (issue 22): it writes, row for row and word for
word, what the plain writer it replaced wrote (each action and risk read as a model, its page
reversed for every row, the message made a payload by ``dataclasses.asdict``); a second run the
same day writes nothing; and it finds the rows it has just written in the outbox by their unique
key alone (asked for by key and status, PostgreSQL read every pending row of the outbox for each
chunk, so each chunk cost more than the one before it)."""

from __future__ import annotations

import dataclasses
import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from governance.models import Action, Risk
from governance.reminders import (
    DUE_SOON_DAYS,
    benefit_actuals_items,
    follow_up_review_items,
    highlight_report_items,
    reminder_run,
    week_of,
)
from notifications import outbox
from notifications.kinds import KIND_LABELS, Frequency
from notifications.models import Notification, Status
from notifications.outbox import Item, Message, notify_many
from notifications.services import notification_choices_set
from portfolio.models import Programme

pytestmark = pytest.mark.django_db

# generate_portfolio dates everything from 1 April 2026: a week later, actions and risk reviews
# overdue and due soon; in July, benefit actuals owed for the quarter just ended as well. Each
# day with the kinds of reminder its rows include.
DAYS = {
    datetime.date(2026, 4, 8): {
        "action_overdue", "action_due_soon", "risk_review_overdue", "risk_review_due",
    },
    datetime.date(2026, 7, 6): {"action_overdue", "risk_review_overdue", "benefit_actuals_due"},
}  # fmt: skip
TODAY = datetime.date(2026, 4, 20)


def _old_date(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


def _old_on(programme) -> str:  # type: ignore[no-untyped-def]
    return f" on {programme}" if programme else ""


def old_action_items(today: datetime.date):  # type: ignore[no-untyped-def]
    """The action reminders as the run wrote them before (governance/reminders.py at 5f28d01)."""
    period = week_of(today)
    mine = reverse("governance:my_actions")
    actions = (
        Action.objects.outstanding()
        .filter(owner__is_active=True, due_date__lte=today + datetime.timedelta(DUE_SOON_DAYS))
        .select_related("owner", "programme")
        .order_by("pk")
    )
    for action in actions:
        if action.due_date < today:
            kind = "action_overdue"
            subject = f"Overdue action: {action.title}"
            summary = (
                f"Your action{_old_on(action.programme)} was due on {_old_date(action.due_date)} "
                "and is not done. Update it, or mark it done."
            )
        else:
            days = (action.due_date - today).days
            when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
            kind = "action_due_soon"
            subject = f"Action due {when}: {action.title}"
            summary = f"Your action{_old_on(action.programme)} is due {when}: {action.title}."
        message = Message(
            subject=subject, summary=summary, path=mine, link_text="Open your actions",
            facts=[("Action", action.title), ("Due", _old_date(action.due_date))],
        )  # fmt: skip
        yield Item(kind, action, period, message, recipient=action.owner)


def old_risk_items(today: datetime.date):  # type: ignore[no-untyped-def]
    """The risk review reminders as the run wrote them before (5f28d01)."""
    period = week_of(today)
    risks = (
        Risk.objects.open()
        .filter(owner__is_active=True, review_date__lte=today + datetime.timedelta(DUE_SOON_DAYS))
        .select_related("owner", "programme")
        .order_by("pk")
    )
    for risk in risks:
        overdue = risk.review_date < today
        kind = "risk_review_overdue" if overdue else "risk_review_due"
        if overdue:
            summary = (
                f"The review of your risk{_old_on(risk.programme)} was due on "
                f"{_old_date(risk.review_date)}. Review it and set the next review date."
            )
        else:
            summary = (
                f"Your risk{_old_on(risk.programme)} is due for review on "
                f"{_old_date(risk.review_date)}."
            )
        path = (
            reverse("governance:programme_raid", kwargs={"slug": risk.programme.slug})
            if risk.programme
            else reverse("governance:raid")
        )
        message = Message(
            subject=f"Risk review {'overdue' if overdue else 'due'}: {risk.title}",
            summary=summary, path=path, link_text="Open the RAID log",
            facts=[("Risk", risk.title), ("Review date", _old_date(risk.review_date))],
        )  # fmt: skip
        yield Item(kind, risk, period, message, recipient=risk.owner)


def old_payload(message: Message) -> dict:
    """``Message.payload`` as it was: ``dataclasses.asdict`` with the subject and facts redone."""
    data = dataclasses.asdict(message)
    data["subject"] = " ".join(message.subject.split())[:250]
    data["facts"] = [[str(label), str(value)] for label, value in message.facts]
    return data


def expected_rows(today: datetime.date, weekly: dict[int, set[str]]) -> dict[str, tuple]:
    """Every row the old writer would have written, by key."""
    from django.contrib.contenttypes.models import ContentType

    rows: dict[str, tuple] = {}
    for items in (
        old_action_items(today),
        old_risk_items(today),
        highlight_report_items(today),
        benefit_actuals_items(today),
        follow_up_review_items(today),
    ):
        for item in items:
            content_type = ContentType.objects.get_for_model(item.about)
            key = (
                f"user:{item.recipient.pk}|{item.kind}|{content_type.pk}:{item.about.pk}|email|"
                f"{item.period}"
            )[:255]
            frequency = (
                Frequency.WEEKLY
                if item.kind in weekly.get(item.recipient.pk, set())
                else Frequency.IMMEDIATE
            )
            rows[key] = (
                item.recipient.pk, item.kind, content_type.pk, item.about.pk,
                str(item.about)[:300] or KIND_LABELS.get(item.kind, ""), item.period,
                old_payload(item.message), frequency,
                Status.PENDING if frequency == Frequency.IMMEDIATE else Status.HELD,
            )  # fmt: skip
    return rows


def awkward(today: datetime.date, person: User) -> None:
    """Rows the generator does not make: no programme (the portfolio's own RAID log), titles with
    tabs, line breaks and Unicode spaces to collapse in the subject, due today, tomorrow and in
    two days."""
    programme = Programme.objects.order_by("pk").first()
    titles = [
        "  Chase\tthe   lease\n",
        "Book\u00a0the\u2028room\u3000 ",
        "Café “quotes” & <tags>",
        "x" * 200,
    ]
    for days, title in zip((-3, 0, 1, 2), titles, strict=True):
        Action.objects.create(
            title=title, owner=person, created_by=person, programme=None if days else programme,
            due_date=today + datetime.timedelta(days=days),
        )  # fmt: skip
        Risk.objects.create(
            title=title, owner=person, programme=None if days % 2 else programme,
            review_date=today + datetime.timedelta(days=days), inherent_likelihood=3,
            inherent_impact=3, residual_likelihood=2, residual_impact=2, target_likelihood=1,
            target_impact=1,
        )  # fmt: skip


COLUMNS = (
    "key", "recipient_id", "kind", "content_type_id", "object_id", "about_label", "period",
    "payload", "frequency", "status",
)  # fmt: skip


def written_rows() -> dict[str, tuple]:
    return {row[0]: row[1:] for row in Notification.objects.values_list(*COLUMNS)}


@pytest.mark.parametrize("today", DAYS)
def test_the_run_writes_what_the_old_writer_wrote_and_nothing_on_a_second_run(
    today, django_capture_on_commit_callbacks
):
    call_command("generate_portfolio", programmes=4, seed=1, stdout=StringIO())
    # Someone who wants overdue actions in a weekly digest: those rows are held, not pending.
    person = User.objects.filter(owned_actions__isnull=False, is_active=True).first()
    assert person is not None
    notification_choices_set(person=person, choices={"action_overdue": "weekly"}, actor=person)
    awkward(today, person)
    expected = expected_rows(today, {person.pk: {"action_overdue"}})
    assert {row[1] for row in expected.values()} >= DAYS[today]
    assert any(row[8] == Status.HELD for row in expected.values())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reminder_run(today) == len(expected)
    assert written_rows() == expected
    # Delivery is queued for exactly the new rows that are to go straight away.
    queued: list[int] = []
    original = outbox.queue_delivery
    try:
        outbox.queue_delivery = queued.extend  # type: ignore[assignment]
        for callback in callbacks:
            callback()
    finally:
        outbox.queue_delivery = original
    assert sorted(queued) == sorted(
        Notification.objects.filter(status=Status.PENDING).values_list("pk", flat=True)
    )

    # The same day again: nothing new, nothing queued.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reminder_run(today) == 0
    assert callbacks == []
    assert written_rows() == expected


def test_a_message_payload_holds_every_field_as_dataclasses_asdict_did():
    message = Message(
        subject="  Overdue   action:\n Chase   the lease ", summary="Your action is late.",
        path="/actions/mine/", facts=[("Due", datetime.date(2026, 4, 1)), ("Owner", 7)],
        link_text="Open your actions",
    )  # fmt: skip
    assert message.payload() == old_payload(message)
    assert set(message.payload()) == {f.name for f in dataclasses.fields(Message)}
    assert message.payload()["subject"] == "Overdue action: Chase the lease"


def test_new_rows_are_found_by_their_unique_key_alone(world):
    """The chunk's new rows are read back by key, never by status: an index on status matches
    every pending row in the outbox, all this run's earlier chunks."""
    actions = [
        Action(title=f"Action {n}", owner=world.manager, created_by=world.pmo,
               due_date=TODAY - datetime.timedelta(days=1))
        for n in range(5)
    ]  # fmt: skip
    Action.objects.bulk_create(actions)
    items = [
        Item("action_overdue", action, "week-2026-W17", Message(subject=action.title,
             summary="Late.", path="/actions/mine/"), recipient=world.manager)
        for action in Action.objects.order_by("pk")
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        assert notify_many(items) == 5
    table = Notification._meta.db_table
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and table in q["sql"]]
    assert reads, "the outbox is read for the rows already there and the rows just written"
    for sql in reads:
        where = sql.split(" WHERE ", 1)[1]
        assert '."key" IN (' in where
        assert "status" not in where


def test_the_sql_writer_collapses_the_whitespace_str_split_splits_on():
    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == outbox.WHITESPACE

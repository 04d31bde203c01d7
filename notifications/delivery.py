"""Delivering the outbox. ``deliver`` sends one row at most once: it locks the row (SELECT … FOR
UPDATE) for the whole attempt, so a second task for the same row (a redelivered message, the
sweep) waits and then finds it sent; if the worker dies mid-attempt the lock goes with its
connection, the row is still pending and the redelivered task sends it. The one window left is
between the mail server accepting the message and the row being marked sent (a few
milliseconds); each email carries a Message-ID made from the row, so a repeat is recognisable.

Failures are recorded on the row: a temporary one (mail server down, Teams answering 5xx or 429)
is tried again with exponential backoff by the sweep; a permanent one (address refused, Teams
answering 4xx) is marked failed at once. The PMO's outbox page shows both and can send again."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.utils import timezone

from .models import DELIVERABLE, Channel, Notification, Status
from .render import adaptive_card, email_parts
from .webhooks import PostFailed, post_card

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_BACKOFF_SECONDS = 60
LOST_AFTER = timedelta(minutes=2)  # a pending row older than this lost its task


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the attempts so far, at most six hours."""
    return timedelta(seconds=min(FIRST_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), 6 * 3600))


class Undeliverable(Exception):
    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


def _send_email(row: Notification) -> None:
    person = row.recipient
    if person is None or not person.email:
        raise Undeliverable("The recipient has no email address.", permanent=True)
    if not person.is_active:
        raise Undeliverable("The recipient's account is deactivated.", permanent=True)
    subject, text, html = email_parts(row.kind, row.payload, person.get_full_name() or str(person))
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [person.email],
        headers={"Message-ID": make_msgid(f"outbox-{row.pk}", domain=domain)},
        connection=get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT),
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        permanent = all(500 <= code < 600 for code in codes)
        raise Undeliverable(
            f"The mail server refused the address ({', '.join(map(str, codes))}).",
            permanent=permanent,
        ) from None
    except smtplib.SMTPResponseException as error:
        raise Undeliverable(
            f"The mail server answered {error.smtp_code}.",
            permanent=500 <= error.smtp_code < 600,
        ) from None
    except (smtplib.SMTPException, OSError) as error:
        raise Undeliverable(
            f"The mail server could not be reached ({type(error).__name__}).", permanent=False
        ) from None


def _send_teams(row: Notification) -> None:
    if row.webhook is None:
        raise Undeliverable("The Teams webhook has been removed.", permanent=True)
    try:
        post_card(row.webhook.url, adaptive_card(row.payload))
    except PostFailed as error:
        raise Undeliverable(str(error), permanent=error.permanent) from None


def deliver(pk: int, *, now: datetime | None = None) -> str:
    """Try to send one row; return its status afterwards. A row already sent, held for a digest
    or failed is left alone. (The sweep queues a retry only once its backoff has passed.)"""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "webhook")
            .filter(pk=pk)
            .first()
        )
        if row is None:
            return "missing"
        if row.status not in DELIVERABLE:
            return row.status
        row.attempts += 1
        try:
            if row.channel == Channel.TEAMS:
                _send_teams(row)
            else:
                _send_email(row)
        except Undeliverable as error:
            row.last_error = str(error)[:500]
            if error.permanent or row.attempts >= MAX_ATTEMPTS:
                row.status, row.next_attempt_at = Status.FAILED, None
            else:
                row.status, row.next_attempt_at = Status.RETRYING, now + backoff(row.attempts)
            log.warning("Notification %s not delivered (attempt %s): %s", pk, row.attempts, error)
        else:
            row.status, row.sent_at, row.next_attempt_at = Status.SENT, now, None
            Notification.objects.filter(digest=row).update(status=Status.DIGESTED, sent_at=now)
        row.save(update_fields=["attempts", "status", "last_error", "next_attempt_at", "sent_at"])
        return row.status


def due(now: datetime | None = None) -> list[int]:
    """Rows the sweep should queue: retries whose backoff has passed, and pending rows whose task
    was lost (the broker was down when they were written, or a worker died and its message has
    not come back yet)."""
    now = now or timezone.now()
    retrying = Notification.objects.filter(status=Status.RETRYING, next_attempt_at__lte=now)
    lost = Notification.objects.filter(status=Status.PENDING, created_at__lte=now - LOST_AFTER)
    return list((retrying | lost).order_by("pk").values_list("pk", flat=True)[:5000])


def sweep(now: datetime | None = None) -> int:
    """Queue delivery of every row that is due; return how many."""
    from .outbox import queue_delivery

    pks = due(now)
    queue_delivery(pks)
    return len(pks)

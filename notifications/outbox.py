"""Writing to the outbox. A service that causes a notification calls ``notify`` inside its own
transaction: the rows commit or roll back with the change, and delivery is queued only once the
transaction has committed. Nothing here sends anything or can make the caller fail because a
mail server or Teams is down."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User

from .kinds import KIND_LABELS, Frequency
from .models import Channel, Notification, Preference, Status, Webhook

log = logging.getLogger(__name__)
CHUNK = 1000


@dataclass(frozen=True)
class Message:
    """What a notification says, in plain words: a subject, one or two sentences, a few facts
    (label, value) and the page it is about (a path; the email makes it absolute)."""

    subject: str
    summary: str
    path: str
    facts: Sequence[tuple[str, str]] = field(default_factory=tuple)
    link_text: str = "Open it in Delivery Hub"

    def payload(self) -> dict:
        # Built field by field: ``dataclasses.asdict`` deep-copies every value, and was a tenth
        # of the daily reminder run's time.
        return {
            "subject": " ".join(self.subject.split())[:250],
            "summary": self.summary,
            "path": self.path,
            "facts": [[str(label), str(value)] for label, value in self.facts],
            "link_text": self.link_text,
        }


@dataclass(frozen=True)
class Item:
    """One notification to write: ``recipient`` by email, or ``webhook`` to a Teams channel."""

    kind: str
    about: models.Model
    period: str
    message: Message
    recipient: User | None = None
    webhook: Webhook | None = None


def _key(item: Item, content_type: ContentType) -> str:
    if item.webhook is not None:
        who, channel = f"webhook:{item.webhook.pk}", Channel.TEAMS
    else:
        who, channel = f"user:{getattr(item.recipient, 'pk', None)}", Channel.EMAIL
    return f"{who}|{item.kind}|{content_type.pk}:{item.about.pk}|{channel}|{item.period}"[:255]


def notify(
    *,
    kind: str,
    about: models.Model,
    period: str,
    message: Message,
    recipients: Iterable[User] = (),
    teams_for: Iterable[models.Model] = (),
) -> int:
    """Write one notification of ``kind`` about ``about`` to each recipient (email) and to the
    Teams webhook of each of ``teams_for`` (a board or portfolio) that has one."""
    targets = [t for t in teams_for if t is not None]
    webhooks: list[Webhook] = []
    for target in targets:
        webhooks += list(
            Webhook.objects.filter(
                content_type=ContentType.objects.get_for_model(target), object_id=target.pk
            )
        )
    items = [Item(kind, about, period, message, recipient=r) for r in recipients if r is not None]
    items += [Item(kind, about, period, message, webhook=w) for w in webhooks]
    return notify_many(items, channel_names={w.pk: str(w.target or "channel") for w in webhooks})


def notify_many(items: Iterable[Item], *, channel_names: dict[int, str] | None = None) -> int:
    """Write many notifications in chunks (the reminder runs); those already in the outbox (same
    recipient, kind, object, channel and period) are left as they are. Returns how many were
    new."""
    names = channel_names or {}
    written = 0
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            written += _write(chunk, names)
            chunk = []
    if chunk:
        written += _write(chunk, names)
    return written


# What ``str.split()`` splits on (every character whose ``isspace()`` is true; a test checks the
# list), for the subject's whitespace to be collapsed in SQL exactly as ``Message.payload`` does.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def notify_selected(select: str, params: dict[str, object]) -> int:
    """Write to each recipient by email, in one statement (PostgreSQL only), the rows ``select``
    gives: columns ``recipient_id, kind, content_type_id, object_id, about_label, period,
    subject, summary, path, facts, link_text`` (``facts`` a JSON array of [label, value] pairs),
    ordered as they are to be written. The same rows as ``notify_many`` writes from the same
    items: key, payload (subject's whitespace collapsed, cut to 250), about label (cut to 300, or
    the kind's name), each person's frequency; rows already in the outbox (same key) are left as
    they are, by the unique key itself. Returns how many were new; those to go straight away are
    queued on commit."""
    sql = f"""
        WITH new AS (
            INSERT INTO {Notification._meta.db_table} (
                key, recipient_id, channel, kind, content_type_id, object_id, about_label,
                period, payload, frequency, status, attempts, last_error, created_at
            )
            SELECT
                left('user:' || r.recipient_id || '|' || r.kind || '|' || r.content_type_id
                     || ':' || r.object_id || '|' || %(channel)s || '|' || r.period, 255),
                r.recipient_id, %(channel)s, r.kind, r.content_type_id, r.object_id,
                coalesce(nullif(left(r.about_label, 300), ''), %(labels)s::jsonb ->> r.kind, ''),
                r.period,
                jsonb_build_object(
                    'subject', left(regexp_replace(regexp_replace(
                        r.subject, %(spaces)s, ' ', 'g'), '^ | $', '', 'g'), 250),
                    'summary', r.summary, 'path', r.path, 'facts', r.facts,
                    'link_text', r.link_text
                ),
                coalesce(choice.frequency, %(immediate)s),
                CASE WHEN coalesce(choice.frequency, %(immediate)s) = %(immediate)s
                     THEN %(pending)s ELSE %(held)s END,
                0, '', %(now)s
            FROM ({select}) r
            LEFT JOIN {Preference._meta.db_table} choice
                ON choice.person_id = r.recipient_id AND choice.kind = r.kind
            ON CONFLICT (key) DO NOTHING
            RETURNING id, status
        )
        SELECT CASE WHEN status = %(pending)s THEN id END FROM new
    """  # noqa: S608 (table names from the models; every value a parameter)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                **params,
                "channel": Channel.EMAIL,
                "labels": json.dumps(KIND_LABELS),
                "spaces": f"[{WHITESPACE}]+",
                "immediate": Frequency.IMMEDIATE,
                "pending": Status.PENDING,
                "held": Status.HELD,
                "now": timezone.now(),
            },
        )
        rows = cursor.fetchall()
    pending = [pk for (pk,) in rows if pk is not None]
    if pending:
        transaction.on_commit(lambda: queue_delivery(pending))
    return len(rows)


def _write(items: list[Item], names: dict[int, str]) -> int:
    types = {type(i.about): ContentType.objects.get_for_model(i.about) for i in items}
    keyed = {_key(i, types[type(i.about)]): i for i in items}
    existing = set(Notification.objects.filter(key__in=keyed).values_list("key", flat=True))
    fresh = {k: i for k, i in keyed.items() if k not in existing}
    if not fresh:
        return 0
    people = {i.recipient.pk for i in fresh.values() if i.recipient is not None}
    choices = {
        (person, kind): frequency
        for person, kind, frequency in Preference.objects.filter(person__in=people).values_list(
            "person_id", "kind", "frequency"
        )
    }
    rows = []
    for key, item in fresh.items():
        frequency = Frequency.IMMEDIATE
        payload = item.message.payload()
        if item.webhook is not None:
            payload["channel_name"] = names.get(item.webhook.pk, "channel")
        elif item.recipient is not None:
            frequency = choices.get((item.recipient.pk, item.kind), Frequency.IMMEDIATE)
        rows.append(
            Notification(
                key=key,
                recipient=item.recipient,
                webhook=item.webhook,
                channel=Channel.TEAMS if item.webhook else Channel.EMAIL,
                kind=item.kind,
                content_type=types[type(item.about)],
                object_id=item.about.pk,
                about_label=str(item.about)[:300] or KIND_LABELS.get(item.kind, ""),
                period=item.period,
                payload=payload,
                frequency=frequency,
                status=Status.PENDING if frequency == Frequency.IMMEDIATE else Status.HELD,
            )
        )
    # A concurrent writer of the same key loses quietly: the row is already there.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # Found by key alone, the status checked here: asked for by key and status, PostgreSQL
    # scanned every pending row of the outbox for each chunk (all this run's rows so far).
    now_pending = [
        pk
        for pk, status in Notification.objects.filter(key__in=fresh)
        .order_by()
        .values_list("pk", "status")
        if status == Status.PENDING
    ]
    if now_pending:
        transaction.on_commit(lambda: queue_delivery(now_pending))
    return len(rows)


def queue_delivery(pks: Iterable[int]) -> None:
    """Queue one delivery task per row. If the broker is down the rows stay pending and the
    sweep (every minute, Celery beat) queues them again; if delivery runs in this process (eager
    mode) and something unexpected breaks, the caller's request still succeeds."""
    from .tasks import deliver

    for pk in pks:
        try:
            deliver.delay(pk)
        except Exception:
            log.exception("Could not queue delivery of notification %s; the sweep will", pk)
            return

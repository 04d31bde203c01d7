"""Daily and weekly digests. Celery beat runs ``digest_run`` each morning: every person with
notifications held for a daily digest gets one email listing them; on Mondays, the same for the
weekly digest. A digest is itself an outbox row, keyed by person and day (or week), so a second
run the same day writes nothing new."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .kinds import DIGEST, Frequency
from .models import Channel, Notification, Status
from .outbox import queue_delivery

WEEKLY_DIGEST_DAY = 0  # Monday


def _period(frequency: str, day: datetime.date) -> str:
    if frequency == Frequency.DAILY:
        return f"daily-{day.isoformat()}"
    year, week, _ = day.isocalendar()
    return f"weekly-{year}-W{week:02d}"


@transaction.atomic
def digest_run(today: datetime.date | None = None) -> int:
    """Write today's digests; return how many were written."""
    today = today or timezone.localdate()
    frequencies = [Frequency.DAILY]
    if today.weekday() == WEEKLY_DIGEST_DAY:
        frequencies.append(Frequency.WEEKLY)
    person_type = ContentType.objects.get_for_model(User)
    written: list[int] = []
    for frequency in frequencies:
        held = (
            Notification.objects.select_for_update()
            .filter(status=Status.HELD, frequency=frequency, digest__isnull=True)
            .order_by("recipient_id", "created_at", "pk")
        )
        by_person: dict[int, list[Notification]] = defaultdict(list)
        for row in held:
            if row.recipient_id is not None:
                by_person[row.recipient_id].append(row)
        people = User.objects.in_bulk(list(by_person))
        for person_id, rows in by_person.items():
            period = _period(frequency, today)
            key = f"user:{person_id}|{DIGEST}|{person_type.pk}:{person_id}|email|{period}"
            if Notification.objects.filter(key=key).exists():
                continue
            word = "daily" if frequency == Frequency.DAILY else "weekly"
            count = len(rows)
            digest = Notification.objects.create(
                key=key, recipient=people[person_id], channel=Channel.EMAIL, kind=DIGEST,
                content_type=person_type, object_id=person_id, period=period,
                about_label=f"{word.capitalize()} digest for {people[person_id]}",
                payload={
                    "subject": f"Delivery Hub {word} digest: {count} "
                    f"update{'s' if count != 1 else ''}",
                    "intro": f"Here is your {word} digest from Delivery Hub.",
                    "items": [row.payload for row in rows],
                },
            )  # fmt: skip
            Notification.objects.filter(pk__in=[r.pk for r in rows]).update(digest=digest)
            written.append(digest.pk)
    if written:
        transaction.on_commit(lambda: queue_delivery(written))
    return len(written)

"""Writes of the notifications app: sending a failed notification again, people's choices of
how to hear about each kind, and the Teams webhook of a board or portfolio."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from accounts.models import User
from core.audit import audited
from core.errors import ServiceError

from .kinds import KINDS, Frequency
from .models import Notification, Preference, Status, Webhook
from .outbox import queue_delivery
from .webhooks import validate_webhook_url


class NotificationError(ServiceError):
    """A notifications write refused."""


@transaction.atomic
@audited
def notification_resend(*, notification: Notification, actor: User) -> Notification:
    """Put a failed (or retrying) notification back in the queue, now."""
    row = Notification.objects.select_for_update().get(pk=notification.pk)
    if row.status not in (Status.FAILED, Status.RETRYING):
        raise NotificationError(
            f"This notification is {row.get_status_display().lower()}: there is nothing to send "
            "again."
        )
    row.status, row.next_attempt_at, row.resent_by = Status.PENDING, None, actor
    row.save(update_fields=["status", "next_attempt_at", "resent_by"])
    transaction.on_commit(lambda: queue_delivery([row.pk]))
    return row


@transaction.atomic
@audited
def notification_choices_set(*, person: User, choices: dict[str, str], actor: User) -> None:
    """Record how ``person`` hears about each kind. Only the person themselves may choose."""
    if actor.pk != person.pk:
        raise NotificationError("You can only choose how you are notified yourself.")
    known = {kind.code for kind in KINDS}
    for kind, frequency in choices.items():
        if kind not in known or frequency not in Frequency.values:
            raise NotificationError("Choose straight away, daily or weekly for each kind.")
    for kind, frequency in choices.items():
        if frequency == Frequency.IMMEDIATE:
            Preference.objects.filter(person=person, kind=kind).delete()
        else:
            Preference.objects.update_or_create(
                person=person, kind=kind, defaults={"frequency": frequency}
            )


@transaction.atomic
@audited
def webhook_set(*, target: models.Model, url: str, actor: User) -> Webhook | None:
    """Set (or, with an empty ``url``, remove) the Teams webhook of a board or portfolio."""
    content_type = ContentType.objects.get_for_model(target)
    existing = Webhook.objects.filter(content_type=content_type, object_id=target.pk).first()
    if not url.strip():
        if existing is not None:
            existing.delete()
        return None
    try:
        url = validate_webhook_url(url)
    except ValidationError as error:
        raise NotificationError({"url": error.messages}) from None
    if existing is None:
        return Webhook.objects.create(content_type=content_type, object_id=target.pk, url=url)
    existing.url = url
    existing.save()
    return existing

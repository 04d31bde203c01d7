"""Reads of the notifications app."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from accounts.models import User

from .kinds import KINDS, Frequency
from .models import Notification, Preference, Status, Webhook


def outbox(status: str = "") -> QuerySet[Notification]:
    rows = Notification.objects.select_related("recipient").order_by("-created_at", "-pk")
    return rows.filter(status=status) if status else rows


def outbox_counts() -> dict[str, int]:
    counts = dict(
        Notification.objects.values_list("status").annotate(n=models.Count("pk")).order_by()
    )
    return {status: counts.get(status, 0) for status in Status.values}


def undelivered_about(obj: models.Model) -> int:
    """How many notifications about ``obj`` have failed or are waiting to be tried again."""
    return Notification.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        status__in=(Status.RETRYING, Status.FAILED),
    ).count()


def choices_of(person: User) -> dict[str, str]:
    chosen = dict(Preference.objects.filter(person=person).values_list("kind", "frequency"))
    return {kind.code: chosen.get(kind.code, Frequency.IMMEDIATE) for kind in KINDS}


def webhook_of(target: models.Model) -> Webhook | None:
    return Webhook.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=target.pk
    ).first()

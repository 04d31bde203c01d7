"""The notifications outbox: one row per message to one recipient on one channel, written in the
same transaction as the change that causes it and delivered afterwards by a Celery task
(``notifications.delivery``). People's choices of how to hear about each kind, and the Microsoft
Teams (Power Automate Workflows) webhooks the PMO sets per board or portfolio."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords

from .kinds import KIND_CHOICES, Frequency


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    TEAMS = "teams", "Microsoft Teams"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    RETRYING = "retrying", "Failed, will be tried again"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    HELD = "held", "Held for a digest"
    DIGESTED = "digested", "Sent in a digest"


DELIVERABLE = (Status.PENDING, Status.RETRYING)


class Webhook(models.Model):
    """A Teams channel's Workflows webhook, for one board or portfolio. The URL is a secret (it
    lets anyone post to the channel): it is never logged, and pages show only its host."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    url = models.CharField(max_length=2000)
    history = HistoricalRecords(excluded_fields=["url"])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_webhook_per_target"
            )
        ]

    def __str__(self) -> str:
        return f"Teams webhook ({self.host})"

    def __repr__(self) -> str:
        return f"<Webhook {self.pk} {self.host}>"

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


class Preference(models.Model):
    """How one person hears about one kind; no row means straight away."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices"
    )
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_choice_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.kind} {self.frequency}"


class Notification(models.Model):
    """One message in the outbox. ``key`` is unique per (recipient, kind, object, channel,
    period): writing the same notification twice (a retried request, a reminder run twice in a
    day) adds nothing."""

    key = models.CharField(max_length=255, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    webhook = models.ForeignKey(Webhook, on_delete=models.SET_NULL, null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    about = GenericForeignKey("content_type", "object_id")
    about_label = models.CharField(max_length=300)
    period = models.CharField(max_length=40)
    payload = models.JSONField()
    frequency = models.CharField(
        max_length=12, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last pressed “send again”.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["content_type", "object_id"], name="outbox_about"),
            models.Index(fields=["recipient", "status"], name="outbox_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.destination}"

    @property
    def destination(self) -> str:
        if self.channel == Channel.TEAMS:
            return f"Teams ({self.payload.get('channel_name', 'channel')})"
        return str(self.recipient) if self.recipient else "nobody"

    @property
    def subject(self) -> str:
        return str(self.payload.get("subject", ""))

    @property
    def may_send_again(self) -> bool:
        return self.status in (Status.FAILED, Status.RETRYING)

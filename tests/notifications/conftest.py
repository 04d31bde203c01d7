from __future__ import annotations

import pytest

from tests.governance.conftest import make_programme, world  # noqa: F401
from tests.notifications.receivers import SmtpServer, WebhookReceiver


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on loopback; Django sends to it over SMTP."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    settings.SITE_URL = "https://delivery-hub.example.gov.uk"
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def webhook_receiver(settings):
    settings.NOTIFICATIONS_ALLOW_LOOPBACK_WEBHOOKS = True
    receiver = WebhookReceiver()
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()

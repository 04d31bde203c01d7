"""A real Celery worker on Redis delivers the outbox and is SIGKILLed mid-delivery (the row
locked, the email not yet handed over): the email is neither lost nor sent twice. The worker sends
to the aiosmtpd server this test runs. Needs PostgreSQL and Redis, like
tests/security/test_killed_worker.py, whose machinery it uses."""

from __future__ import annotations

import pytest
from django.db import transaction

from notifications.models import Notification, Status
from notifications.outbox import Message, notify
from tests.security.test_killed_worker import (  # noqa: F401 (the fixture)
    FINISH_TIMEOUT,
    KILLS,
    kill_mid_task,
    pytestmark,
    start_the_retry,
    wait_for,
    workers,
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill", KILLS)
def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_once(
    workers,  # noqa: F811
    smtp,
    kill,
    make_user,
):
    from accounts.roles import Role

    person = make_user(Role.BOARD_MEMBER, email="board.member@example.gov.uk")
    workers.env.update(
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        DJANGO_EMAIL_HOST="127.0.0.1",
        DJANGO_EMAIL_PORT=str(smtp.port),
    )

    def enqueue() -> None:
        with transaction.atomic():  # the delivery task is queued (to Redis) once this commits
            notify(kind="review_reached", about=person, period=kill, recipients=[person],
                   message=Message(subject="Gate review awaiting you", summary="S.",
                                   path="/gates/"))  # fmt: skip

    def nothing_half_written() -> None:
        row = Notification.objects.get(period=kill)
        assert (row.status, row.attempts) == (Status.PENDING, 0)  # the attempt rolled back
        assert smtp.inbox == []

    kill_mid_task(workers, "deliver", kill, enqueue=enqueue,
                  nothing_half_written=nothing_half_written)  # fmt: skip
    start_the_retry(workers, "deliver", kill)
    wait_for(
        lambda: Notification.objects.get(period=kill).status == Status.SENT,
        FINISH_TIMEOUT,
        "the retried delivery",
        workers.logs,
    )
    row = Notification.objects.get(period=kill)
    assert row.attempts == 1
    assert [m["To"] for m in smtp.inbox] == [person.email]
    assert smtp.inbox[0]["Subject"] == "Gate review awaiting you"

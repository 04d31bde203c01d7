"""The notifications outbox against real components: an SMTP server (aiosmtpd) and an HTTP
server standing in for a Teams Workflows webhook, both on loopback. Delivery runs in this process
(eager Celery) once the causing transaction commits."""

from __future__ import annotations

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from governance.models import Action, GateReview
from governance.reminders import reminder_run
from governance.services import action_create, gate_review_decide
from notifications import delivery
from notifications.digests import digest_run
from notifications.models import Notification, Status
from notifications.services import notification_choices_set, webhook_set
from notifications.webhooks import validate_webhook_url
from portfolio.models import Stage
from tests.governance.conftest import submit

pytestmark = pytest.mark.django_db

SITE = "https://delivery-hub.example.gov.uk"


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_a_review_reaching_a_board_emails_its_members_and_posts_a_card_to_its_channel(
    world, make_programme, smtp, webhook_receiver, django_capture_on_commit_callbacks
):
    for board in (world.stb, world.delivery):
        webhook_set(target=board, url=webhook_receiver.url, actor=world.pmo)
    programme = make_programme(stage=Stage.DEFINE, category="B", name="Waste Review")
    with django_capture_on_commit_callbacks(execute=True):
        review = submit(programme, world.manager)
    assert [m["To"] for m in smtp.inbox] == [world.sro.email]
    with django_capture_on_commit_callbacks(execute=True):
        review = gate_review_decide(
            review=review, step=0, outcome="approve", reasons="Ready.", actor=world.sro
        )
    assert review.deciding_board is not None
    board_mail = smtp.inbox[1]
    assert board_mail["To"] == world.board.email
    assert board_mail["Subject"].startswith("Gate review awaiting your decision: Waste Review")
    assert board_mail["Message-ID"]
    text, html = parts(board_mail)
    link = f"{SITE}/gates/{review.pk}/"
    assert link in text
    assert f'href="{link}"' in html
    assert f"awaiting the {review.current_sign_off_label}" in text
    assert len(smtp.inbox) == 2
    [card] = webhook_receiver.received
    attachment = card["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["content"]["type"] == "AdaptiveCard"
    assert attachment["content"]["actions"][0]["url"] == link
    statuses = set(Notification.objects.values_list("status", flat=True))
    assert statuses == {Status.SENT}


def test_a_decided_review_emails_the_manager_and_sro(
    world, make_programme, smtp, django_capture_on_commit_callbacks
):
    programme = make_programme(stage=Stage.DEFINE, category="B")
    review = submit(programme, world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        gate_review_decide(
            review=review, step=0, outcome="defer", reasons="Not yet.", actor=world.sro
        )
    subjects = {m["To"]: m["Subject"] for m in smtp.inbox}
    assert set(subjects) == {world.manager.email, world.sro.email}
    assert all("Gate review decided" in s and "(deferred)" in s for s in subjects.values())
    text, _ = parts(smtp.inbox[0])
    assert "Reasons: Not yet." in text


def test_with_the_mail_server_down_the_decision_saves_and_the_retry_delivers_exactly_once(
    world, make_programme, smtp, client_as, django_capture_on_commit_callbacks
):
    programme = make_programme(stage=Stage.DEFINE, category="B")
    with django_capture_on_commit_callbacks(execute=True):
        review = submit(programme, world.manager)
    assert [m["To"] for m in smtp.inbox] == [world.sro.email]
    smtp.stop()
    client = client_as(world.sro)
    # The test's transaction never commits: the on-commit delivery runs as the block ends, before
    # the browser follows the redirect, as it does in production.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/gates/{review.pk}/",
            {"step": 0, "outcome": "approve", "reasons": "Ready for the board."},
        )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.current_step == 1  # the decision is saved
    page = response.content.decode()
    assert "could not be sent yet" in page
    row = Notification.objects.get(kind="review_reached", period="step-1")
    assert row.status == Status.RETRYING
    assert row.attempts == 1
    assert "mail server could not be reached" in row.last_error
    outbox = client_as(world.pmo).get(reverse("notifications:outbox"), {"status": "retrying"})
    assert "mail server could not be reached" in outbox.content.decode()

    smtp.start()
    assert delivery.sweep(now=timezone.now()) == 0  # its backoff has not passed
    later = timezone.now() + timedelta(minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.sweep(now=later) == 1
    assert [m["To"] for m in smtp.inbox] == [world.sro.email, world.board.email]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    # A redelivered task, or another sweep, sends nothing more.
    assert delivery.deliver(row.pk) == Status.SENT
    assert delivery.sweep(now=later + timedelta(hours=1)) == 0
    assert len(smtp.inbox) == 2


def test_teams_answering_500_is_retried_with_backoff_and_400_fails(
    world, smtp, webhook_receiver, django_capture_on_commit_callbacks
):
    webhook_set(target=world.stb, url=webhook_receiver.url, actor=world.pmo)
    from governance.notifications import change_request_awaits  # noqa: F401 (module loads)
    from notifications.outbox import Message, notify

    webhook_receiver.answers = [500, 500]
    message = Message(subject="Hello", summary="A test.", path="/gates/")
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="review_reached", about=world.stb, period="p1", message=message,
               teams_for=[world.stb])  # fmt: skip
    row = Notification.objects.get(channel="teams")
    assert (row.status, row.attempts) == (Status.RETRYING, 1)
    assert row.last_error == "Teams answered 500"
    first_wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_wait <= timedelta(seconds=60)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.sweep(now=row.next_attempt_at)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.RETRYING, 2)
    assert row.next_attempt_at - timezone.now() > timedelta(seconds=110)  # it doubled
    with django_capture_on_commit_callbacks(execute=True):
        delivery.sweep(now=row.next_attempt_at)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 3)
    assert len(webhook_receiver.received) == 3

    webhook_receiver.answers = [400]
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="review_reached", about=world.stb, period="p2", message=message,
               teams_for=[world.stb])  # fmt: skip
    failed = Notification.objects.get(channel="teams", period="p2")
    assert (failed.status, failed.last_error) == (Status.FAILED, "Teams answered 400")
    assert webhook_receiver.url not in failed.last_error
    assert delivery.sweep(now=timezone.now() + timedelta(days=1)) == 0


def test_the_pmo_sends_a_failed_notification_again(
    world, smtp, client_as, django_capture_on_commit_callbacks
):
    smtp.stop()
    with django_capture_on_commit_callbacks(execute=True):
        action_create(programme=None, title="Chase the lease", owner=world.manager,
                      due_date=datetime.date(2030, 1, 1), actor=world.pmo)  # fmt: skip
    row = Notification.objects.get(kind="action_assigned")
    assert row.status == Status.RETRYING
    smtp.start()
    client = client_as(world.pmo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:resend", args=[row.pk]), follow=True)
    assert "is being sent again" in response.content.decode()
    row.refresh_from_db()
    assert row.status == Status.SENT
    [mail] = smtp.inbox
    assert mail["Subject"] == "Action for you: Chase the lease"
    response = client.post(reverse("notifications:resend", args=[row.pk]), follow=True)
    assert "nothing to send again" in response.content.decode()
    assert len(smtp.inbox) == 1
    assert client_as(world.manager).get(reverse("notifications:outbox")).status_code == 403


def test_reminders_are_written_once_a_week_and_a_digest_gathers_them(
    world, smtp, django_capture_on_commit_callbacks
):
    today = datetime.date(2026, 11, 25)  # a Wednesday
    overdue = Action.objects.create(
        title="Send the lease", owner=world.manager, due_date=today - timedelta(days=1),
        created_by=world.pmo,
    )  # fmt: skip
    Action.objects.create(
        title="Book the room", owner=world.manager, due_date=today + timedelta(days=3),
        created_by=world.pmo,
    )  # fmt: skip
    Action.objects.create(
        title="Later",
        owner=world.manager,
        due_date=today + timedelta(days=30),
        created_by=world.pmo,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert reminder_run(today) == 2
    subjects = sorted(m["Subject"] for m in smtp.inbox)
    assert subjects == ["Action due in 3 days: Book the room", "Overdue action: Send the lease"]
    with django_capture_on_commit_callbacks(execute=True):
        assert reminder_run(today) == 0  # the same day
        assert reminder_run(today + timedelta(days=2)) == 0  # the same week
    assert len(smtp.inbox) == 2

    # The manager now wants overdue actions in a weekly digest.
    notification_choices_set(
        person=world.manager, choices={"action_overdue": "weekly"}, actor=world.manager
    )
    monday = datetime.date(2026, 11, 30)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminder_run(monday) >= 1
        assert digest_run(monday) == 1
        assert digest_run(monday) == 0  # idempotent for the day
    held = Notification.objects.get(
        kind="action_overdue", object_id=overdue.pk, period__endswith="W49"
    )
    assert held.status == Status.DIGESTED
    digest = smtp.inbox[-1]
    assert digest["Subject"] == "Delivery Hub weekly digest: 2 updates"
    text, html = parts(digest)
    assert "Overdue action: Send the lease" in text
    assert f"{SITE}/actions/mine/" in html


def test_gate_review_emails_keep_the_programme_name_on_one_subject_line(
    world, make_programme, smtp, django_capture_on_commit_callbacks
):
    programme = make_programme(stage=Stage.DEFINE, category="B", name="Waste\r\nBcc: x@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        submit(programme, world.manager)
    [mail] = smtp.inbox
    assert mail["Subject"].startswith("Gate review awaiting your decision: Waste Bcc: x@")
    assert mail["Bcc"] is None
    assert mail["X-Envelope-To"] == world.sro.email


def test_a_published_report_tells_scrutiny_members(world, make_user):
    from notifications.outbox import Message, notify

    assert world.scrutiny.groups.filter(name=Role.SCRUTINY_MEMBER.label).exists()
    message = Message(subject="s", summary="t", path="/")
    notify(kind="report_published", about=world.stb, period="x", message=message,
           recipients=[world.scrutiny])  # fmt: skip
    message = Message(subject="s", summary="t", path="/")
    notify(kind="report_published", about=world.stb, period="x", message=message,
           recipients=[world.scrutiny])  # fmt: skip
    assert Notification.objects.filter(kind="report_published").count() == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.com/hook", "must start https://"),
        ("https://10.1.2.3/hook", "private or local"),
        ("https://127.0.0.1/hook", "private or local"),
        ("https://169.254.169.254/latest", "private or local"),
        ("https://[::1]/hook", "private or local"),
        ("https://user:pw@52.96.10.20/hook", "user name or password"),
        ("ftp://52.96.10.20/hook", "starting https://"),
        ("not a url", "starting https://"),
    ],
)
def test_webhook_addresses_must_be_https_on_a_public_address(url, message, settings):
    settings.NOTIFICATIONS_ALLOW_LOOPBACK_WEBHOOKS = False
    with pytest.raises(ValidationError) as refused:
        validate_webhook_url(url)
    assert message in " ".join(refused.value.messages)
    assert url not in " ".join(refused.value.messages)


def test_a_public_https_webhook_address_is_accepted():
    assert validate_webhook_url(" https://52.96.10.20/workflows/x ") == (
        "https://52.96.10.20/workflows/x"
    )


def test_people_choose_how_they_hear_on_their_own_page(world, client_as):
    client = client_as(world.board)
    page = client.get(reverse("notifications:choices"))
    assert "A gate review reaches your board or sign-off" in page.content.decode()
    data = dict.fromkeys(page.context["form"].fields, "immediate")
    data["review_reached"] = "daily"
    response = client.post(reverse("notifications:choices"), data, follow=True)
    assert "Your notification choices are saved" in response.content.decode()
    assert world.board.notification_choices.get().frequency == "daily"
    data["review_reached"] = "hourly"
    response = client.post(reverse("notifications:choices"), data)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert world.board.notification_choices.get().frequency == "daily"


def test_unused_import_guard():
    assert GateReview

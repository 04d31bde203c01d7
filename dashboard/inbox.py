"""A person's inbox: what waits for them, from every app, newest first and bounded.

Decisions for their boards (gate review steps), sign-offs (their own programmes' SRO step),
change requests awaiting their boards, escalations to their boards, their overdue actions and
risk reviews, and deferred documents of their programmes to rework. Two queries per kind (the
newest N rows and the count), whatever N and however much waits; the navigation's count of them
all is one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from governance.models import Action, ChangeRequest, Escalation, GateReview, Risk
from governance.models.gates import SignOff
from portfolio.models import StageDocument

INBOX_SHOWN = 10  # on the home page
INBOX_PAGE = 100  # on the inbox page: a count says when more wait


@dataclass(frozen=True)
class InboxItem:
    kind: str
    title: str
    detail: str
    url: str
    when: datetime


def _day(value) -> datetime:
    """A date as the start of that day (for ordering), a datetime as it is."""
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def _risk_edit_url(risk: Risk) -> str:
    if risk.programme_id:
        return reverse("governance:risks_edit", args=[risk.programme.slug, risk.pk])
    return reverse("governance:portfolio_risk_edit", args=[risk.pk])


def _sources(user: User) -> list[tuple[str, Any, Any]]:
    """(kind, queryset, row → InboxItem) for each kind of item, newest first."""
    boards = list(user.boards.values_list("pk", flat=True))
    own = Q(programme__manager=user) | Q(programme__sro=user)
    today = timezone.localdate()
    reviews = GateReview.objects.awaiting_user(user).select_related("programme", "version")
    return [
        (
            "Sign-off",
            reviews.filter(current_sign_off=SignOff.SRO).order_by("-submitted_at", "-pk"),
            lambda r: InboxItem("Sign-off", f"{r.programme}: {r.gate_label}",
                                f"{r.version}, for your sign-off as SRO", r.get_absolute_url(),
                                r.submitted_at),
        ),
        (
            "Decision for your board",
            reviews.exclude(current_sign_off=SignOff.SRO).order_by("-submitted_at", "-pk"),
            lambda r: InboxItem("Decision for your board", f"{r.programme}: {r.gate_label}",
                                f"Awaiting the {r.current_sign_off_label}", r.get_absolute_url(),
                                r.submitted_at),
        ),
        (
            "Change request",
            ChangeRequest.objects.awaiting().filter(routed_to__in=boards).exclude(own)
            .select_related("programme", "routed_to").order_by("-raised_on", "-pk"),
            lambda c: InboxItem("Change request", f"{c.reference}: {c.title}",
                                f"{c.programme}, for the {c.routed_to}",
                                reverse("governance:change_request_detail", args=[c.pk]),
                                _day(c.raised_on)),
        ),
        (
            "Escalation",
            Escalation.objects.open().filter(board__in=boards).exclude(own)
            .select_related("programme", "board").order_by("-raised_at", "-pk"),
            lambda e: InboxItem("Escalation", e.title, f"{e.programme}, to the {e.board}",
                                e.get_absolute_url(), e.raised_at),
        ),
        (
            "Overdue action",
            Action.objects.owned_by(user).overdue(today).select_related("programme")
            .order_by("-due_date", "-pk"),
            lambda a: InboxItem("Overdue action", a.title,
                                f"{a.programme or 'Portfolio'}, due {a.due_date:%-d %B %Y}",
                                reverse("governance:my_actions"), _day(a.due_date)),
        ),
        (
            "Overdue risk review",
            Risk.objects.open().filter(owner=user, review_date__lt=today)
            .select_related("programme").order_by("-review_date", "-pk"),
            lambda r: InboxItem("Overdue risk review", r.title,
                                f"{r.programme or 'Portfolio'}, review due "
                                f"{r.review_date:%-d %B %Y}",
                                _risk_edit_url(r),
                                _day(r.review_date)),
        ),
        (
            "Deferred document to rework",
            StageDocument.objects.filter(locked=False).exclude(returned_reasons="").filter(own)
            .select_related("programme").order_by("-pk"),
            lambda d: InboxItem("Deferred document to rework",
                                f"{d.programme}: {d.get_kind_display()}",
                                d.returned_reasons[:160], d.get_absolute_url(), d.created_at),
        ),
    ]  # fmt: skip


def inbox(user: User, limit: int = INBOX_SHOWN) -> dict[str, Any]:
    """The newest ``limit`` items across every kind, each kind's count, and the total."""
    items: list[InboxItem] = []
    counts: dict[str, int] = {}
    for kind, rows, item in _sources(user):
        counts[kind] = rows.count()
        if counts[kind]:
            items += [item(row) for row in rows[:limit]]
    items.sort(key=lambda i: i.when, reverse=True)
    return {"items": items[:limit], "counts": counts, "total": sum(counts.values())}


def inbox_count(user: User) -> int:
    """Every kind's count, summed by the database in one statement (the navigation shows it on
    every page, counted afresh after any save)."""
    counts, params = ["0"], []
    for _kind, rows, _item in _sources(user):
        try:
            sql, row_params = rows.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (no boards): nothing to count
            continue
        counts.append(f"(SELECT count(*) FROM ({sql}) AS waiting)")  # noqa: S608 - the ORM's SQL
        params.extend(row_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {' + '.join(counts)}", params)
        return cursor.fetchone()[0]

"""Gate review emails: to the next approvers when a review reaches them, and to the programme's
manager and SRO when it is decided. The gate service sends them with ``transaction.on_commit``."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string

from .models import GateReview
from .routing import step_approvers


def header_safe(text: str, limit: int = 200) -> str:
    """One line for an email header: any run of whitespace (newlines, carriage returns, tabs)
    becomes one space, other control characters go, and it is cut to ``limit`` characters.
    A programme name with a newline must not make the subject a BadHeaderError."""
    line = " ".join(text.split())
    line = "".join(ch for ch in line if ch.isprintable())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def notify_review(kind: str, review_pk: int) -> int:
    review = GateReview.objects.with_context().get(pk=review_pk)
    programme = review.programme
    if kind == "reached":
        recipients = step_approvers(review)
    else:
        recipients = [u for u in (programme.manager, programme.sro) if u is not None]
    addresses = sorted({u.email for u in recipients if u.email})
    if not addresses:
        return 0
    context = {
        "review": review,
        "programme": programme,
        "last": review.sign_offs.select_related("board", "decided_by").last(),
        "site": getattr(settings, "SITE_URL", ""),
    }
    subject = header_safe(render_to_string(f"governance/email/review_{kind}_subject.txt", context))
    body = render_to_string(f"governance/email/review_{kind}.txt", context)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    return send_mass_mail(messages, fail_silently=False)

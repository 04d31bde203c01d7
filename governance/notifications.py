"""Gate review emails: to the next approvers when a review reaches them, and to the programme's
manager and SRO when it is decided. The gate service sends them with ``transaction.on_commit``."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string

from .models import GateReview
from .routing import step_approvers


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
    subject = render_to_string(f"governance/email/review_{kind}_subject.txt", context).strip()
    body = render_to_string(f"governance/email/review_{kind}.txt", context)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    return send_mass_mail(messages, fail_silently=False)

"""What a notification looks like on each channel: an email with a plain-text and an HTML part
(GOV.UK Notify's plain wording, absolute links back to the page) and a Teams Adaptive Card."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from .kinds import DIGEST


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def header_safe(text: str, limit: int = 200) -> str:
    """One line for an email header: any run of whitespace (newlines, carriage returns, tabs)
    becomes one space, other control characters go, and it is cut to ``limit`` characters.
    A programme name with a newline must not make the subject a BadHeaderError."""
    line = " ".join(text.split())
    line = "".join(ch for ch in line if ch.isprintable())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _entries(kind: str, payload: dict) -> list[dict]:
    items = payload["items"] if kind == DIGEST else [payload]
    return [{**item, "url": absolute(item["path"])} for item in items]


def email_parts(kind: str, payload: dict, recipient_name: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of an email."""
    context = {
        "name": recipient_name,
        "entries": _entries(kind, payload),
        "digest": kind == DIGEST,
        "intro": payload.get("intro", ""),
        "settings_url": absolute("/notifications/settings/"),
    }
    subject = header_safe(payload["subject"])
    text = render_to_string("notifications/email/message.txt", context)
    html = render_to_string("notifications/email/message.html", context)
    return subject, text, html


def adaptive_card(payload: dict) -> dict:
    """The message a Power Automate Workflows "post to a channel when a webhook request is
    received" flow expects: one Adaptive Card attachment."""
    url = absolute(payload["path"])
    body: list[dict] = [
        {"type": "TextBlock", "text": payload["subject"], "weight": "Bolder", "size": "Medium",
         "wrap": True},
        {"type": "TextBlock", "text": payload["summary"], "wrap": True},
    ]  # fmt: skip
    if payload.get("facts"):
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": label, "value": value} for label, value in payload["facts"]],
            }
        )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": payload["link_text"], "url": url}],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }

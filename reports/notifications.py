"""What the quarterly report tells people: a version is published, to the scrutiny members (on
the notifications outbox, in the publishing transaction)."""

from __future__ import annotations

from accounts.models import User
from accounts.roles import Role
from notifications.outbox import Message, notify

from .models import ReportVersion


def report_published(version: ReportVersion) -> int:
    report = version.report
    members = User.objects.filter(groups__name=Role.SCRUTINY_MEMBER.group_name, is_active=True)
    corrected = " It corrects the version published before it." if version.supersedes_id else ""
    message = Message(
        subject=f"Quarterly scrutiny report published: {report}",
        summary=f"The transformation office has published the quarterly scrutiny report for "
        f"{report} (version {version.number}).{corrected}",
        path=report.get_absolute_url(),
        link_text="Read the report",
    )
    return notify(
        kind="report_published", about=version, message=message, period="published",
        recipients=members.distinct(),
    )  # fmt: skip

"""The header navigation, built from what the signed-in user may see."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items: list[tuple[str, str]] = []
    if user.has_perm("dashboard.view_dashboard"):
        items.append(("Dashboard", reverse("dashboard:dashboard")))
    if user.has_perm("portfolio.view_programme"):
        items.append(("Programmes", reverse("portfolio:programme_list")))
    if user.has_perm("governance.view_gates"):
        items.append(("Gates", reverse("governance:gate_list")))
    if user.has_perm("benefits.view_mtfp"):
        items.append(("MTFP", reverse("benefits:mtfp_list")))
    if user.has_perm("governance.view_logs"):
        items.append(("RAID log", reverse("governance:raid")))
        items.append(("My actions", reverse("governance:my_actions")))
        items.append(("Boards", reverse("governance:board_list")))
    if user.has_perm("governance.view_lessons"):
        items.append(("Lessons", reverse("governance:lesson_list")))
    if user.has_perm("reports.view_published_reports"):
        items.append(("Reports", reverse("reports:report_list")))
    if user.has_perm("accounts.view_people"):
        items.append(("People", reverse("people:list")))
    if user.has_perm("notifications.view_outbox"):
        items.append(("Outbox", reverse("notifications:outbox")))
    path = request.path
    return {
        "nav_items": [
            {
                "label": label,
                "url": url,
                "active": path == url or (url != "/" and path.startswith(url)),
            }
            for label, url in items
        ]
    }

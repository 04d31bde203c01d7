"""The header navigation, built from what the signed-in user may see."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Home", reverse("home"))]
    if user.has_perm("dashboard.view_dashboard"):
        items.append(("Dashboard", reverse("dashboard:dashboard")))
    if user.has_perm("portfolio.view_programme"):
        items.append(("Programmes", reverse("portfolio:programme_list")))
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

"""The inbox count beside the navigation: computed only when a page shows it, and kept in the
cache until anything changes (core/caching.py)."""

from typing import Any

from django.http import HttpRequest

from .caching import cached_count
from .inbox import inbox_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("dashboard.view_inbox"):
        return {}
    # A callable: the template calls it once, when it renders the link.
    return {"inbox_count": lambda: cached_count("inbox", user.pk, lambda: inbox_count(user))}

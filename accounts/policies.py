"""Every view declares its permission policy with one of these decorators.

``public`` opens a view to anyone (sign-in page, /healthz). ``policy(perm)`` requires a signed-in
user who holds ``perm`` (a name registered in accounts/rules.py); object-level checks then call
``authorise(user, perm, obj)`` once the view has the object. A test walks the URLconf and fails
on any view without a declared policy.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]

PUBLIC = "public"


def public(view: View) -> View:
    view = login_not_required(view)
    view.permission_policy = PUBLIC
    return view


def policy(perm: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            authorise(request.user, perm)
            return view(request, *args, **kwargs)

        wrapped.permission_policy = perm
        return wrapped

    return decorator


def authorise(user: Any, perm: str, obj: Any = None) -> None:
    """Raise PermissionDenied (403) unless ``user`` holds ``perm`` (on ``obj``, if given)."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied

"""The dashboard's panels, kept as rendered HTML until anything they show may have changed.

Rendering every panel costs a few dozen queries over the whole portfolio; the PMO and everyone
else reading the dashboard see the same panels for the same filters. So the rendered panels
(and the filter form, whose choices are portfolios and directorates) are cached through
``core.caching`` (the site's one generation, bumped on every save; the code's version; today's
date), under a key that adds the latest roll-up snapshot and when it was last checked (the
roll-up writes in bulk), the filters and the two permissions the panels depend on. If the cache
(Redis) is down the panels are rendered on every request and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from benefits.models import RollupSnapshot
from core import caching


def _parts(request: HttpRequest, snapshot: RollupSnapshot | None) -> list[str]:
    user = request.user
    return [
        f"{snapshot.pk}@{snapshot.checked_at.isoformat()}" if snapshot else "-",
        request.GET.urlencode(),
        str(user.has_perm("benefits.view_mtfp")),
        str(user.has_perm("benefits.recalculate_rollup")),
    ]


Fragments = dict[str, SafeString]


def cached_fragments(
    request: HttpRequest, snapshot: RollupSnapshot | None, render: Callable[[], Fragments]
) -> Fragments:
    """The page's fragments (rendered templates by name) from the cache, or ``render()``ed and
    kept for the next request. They are cached as they were rendered (``SafeString`` keeps its
    type through the cache's pickling), so nothing is marked safe here."""
    return caching.cached("dashboard:panels", _parts(request, snapshot), render)


def cached_count(name: str, user_pk: int, count: Callable[[], int]) -> int:
    """A number about one person (their inbox count in the navigation), kept under the same
    generation as the panels, so any write anywhere recounts it; counted afresh without Redis."""
    return int(caching.cached(f"dashboard:{name}", [str(user_pk)], count))

"""Breadcrumbs, one way on every page:

    {% breadcrumbs "Programmes" "portfolio:programme_list" programme %}

"Home" always comes first. The arguments are read left to right as crumbs:

- an object with ``get_absolute_url`` (a programme, a person) is one crumb, named ``str(object)``;
- otherwise two arguments make one crumb: its label, then where it goes: a URL name to reverse
  (``"people:list"``) or a path already made (``{% url … as x %}``, starting with ``/``);
- ``None`` or an empty string stands for nothing, so an optional object can be passed as it is.
"""

from django import template
from django.urls import reverse

register = template.Library()


def _crumbs(args: tuple[object, ...]) -> list[tuple[str, str]]:
    crumbs = [("Home", reverse("home"))]
    items = [arg for arg in args if arg not in (None, "")]
    while items:
        first = items.pop(0)
        if not isinstance(first, str) and hasattr(first, "get_absolute_url"):
            crumbs.append((str(first), first.get_absolute_url()))
            continue
        if not items:
            raise template.TemplateSyntaxError(f"breadcrumb {first!r} has no link")
        target = str(items.pop(0))
        crumbs.append((str(first), target if target.startswith("/") else reverse(target)))
    return crumbs


@register.inclusion_tag("includes/_breadcrumbs.html")
def breadcrumbs(*args: object) -> dict[str, object]:
    return {"crumbs": _crumbs(args)}

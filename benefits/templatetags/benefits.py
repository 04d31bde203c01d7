"""Benefits in other apps' templates: ``{% programme_business_case programme as case %}``.

Lets the programme page (portfolio) show ROI and payback without portfolio importing benefits.
"""

from typing import Any

from django import template

from benefits import queries

register = template.Library()


@register.simple_tag
def programme_business_case(programme: Any) -> dict[str, Any]:
    """One-off costs, ROI and payback of a programme (benefits.finance, via benefits.queries)."""
    return queries.programme_business_case(programme)

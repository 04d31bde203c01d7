"""Page navigation that stays the same size however many pages there are:

    {% page_numbers page as numbers %}

gives the page numbers to link, with ``None`` where a run of pages is elided (Django's
``Paginator.get_elided_page_range``): a register of 3,200 pages links about ten, not 3,200.
"""

from django import template
from django.core.paginator import Page

register = template.Library()

ON_EACH_SIDE = 2
ON_ENDS = 1


@register.simple_tag
def page_numbers(page: Page) -> list[int | None]:
    numbers = page.paginator.get_elided_page_range(
        page.number, on_each_side=ON_EACH_SIDE, on_ends=ON_ENDS
    )
    return [n if isinstance(n, int) else None for n in numbers]

"""A cheap bounded count: how many rows a queryset holds, up to a limit.

A page that shows the first few rows and "of N" pays for N with a ``COUNT(*)`` over every match,
which grows with the portfolio even when the rows shown do not (make bench, issue #22). Where the
exact number matters less than "more than a hundred", ``count_up_to`` lets the database stop at
``limit + 1`` matches: ``SELECT COUNT(*) FROM (SELECT … LIMIT limit + 1)``.
"""

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet


def count_up_to(queryset: QuerySet[Any], limit: int) -> int:
    """How many rows ``queryset`` holds, counting no further than ``limit + 1``: a result above
    ``limit`` means "more than ``limit``". One query."""
    return queryset.order_by()[: limit + 1].count()


class CountedPaginator(Paginator):
    """A paginator told its count (from ``core.caching``, say) instead of counting: the page's
    rows are still read from ``object_list``, a slice at a time."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count

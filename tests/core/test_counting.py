"""core.counting.count_up_to: a count that stops one past its limit, in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.counting import count_up_to
from portfolio.models import Programme
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def test_count_up_to_counts_exactly_up_to_the_limit_and_one_past_it_beyond():
    ProgrammeFactory.create_batch(5)
    everything = Programme.objects.order_by("name")
    assert count_up_to(everything, 10) == 5
    assert count_up_to(everything, 5) == 5
    with CaptureQueriesContext(connection) as captured:
        assert count_up_to(everything, 3) == 4  # "more than 3"
    assert len(captured) == 1
    assert "LIMIT 4" in captured[0]["sql"]

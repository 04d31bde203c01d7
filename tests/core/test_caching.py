"""The cache's generation (core/caching.py): bumped by saves, once per transaction where once is
enough, and never leaving a value cached mid-transaction to be served after a later save."""

import pytest
from django.db import transaction

from core import caching
from portfolio.models import Portfolio

pytestmark = pytest.mark.django_db(transaction=True)  # commits, so on_commit runs


def _portfolio(n: int) -> Portfolio:
    return Portfolio.objects.create(name=f"Portfolio {n}", slug=f"portfolio-{n}")


def test_forty_saves_in_one_transaction_bump_the_generation_once_now_and_once_at_commit():
    before = caching.generation()
    with transaction.atomic():
        for n in range(40):
            _portfolio(n)
        assert caching.generation() == before + 1
    assert caching.generation() == before + 2


def test_each_save_outside_a_transaction_bumps_the_generation_once():
    before = caching.generation()
    _portfolio(1)
    _portfolio(2)
    assert caching.generation() == before + 2


def test_a_value_cached_between_two_saves_is_not_served_after_the_second():
    def count() -> int:
        return caching.cached("test-portfolios", [], Portfolio.objects.count)

    with transaction.atomic():
        _portfolio(1)
        assert count() == 1  # cached mid-transaction, under the generation of the first save
        _portfolio(2)
        assert count() == 2  # the second save bumped again: computed afresh
    assert count() == 2


def test_a_save_rolled_back_in_a_savepoint_leaves_a_later_save_bumping_at_commit():
    before = caching.generation()
    with transaction.atomic():
        try:
            with transaction.atomic():
                _portfolio(1)  # its commit-time bump goes with the savepoint
                raise RuntimeError
        except RuntimeError:
            pass
        _portfolio(2)
    assert caching.generation() == before + 3  # two now (each its own), one at commit

import pytest
from django.core.cache import cache

from benefits.rollup import ROLLUP_PENDING_KEY


@pytest.fixture(autouse=True)
def _no_pending_rollup_key():
    """The coalescing key lives in the cache (Redis with REDIS_URL): start each test clean."""
    cache.delete(ROLLUP_PENDING_KEY)
    yield
    cache.delete(ROLLUP_PENDING_KEY)

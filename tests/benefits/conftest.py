import pytest
from django.core.cache import cache

from benefits.rollup import ROLLUP_PENDING_KEY


@pytest.fixture(autouse=True)
def _no_pending_rollup_key():
    """The coalescing key lives in the cache (Redis with REDIS_URL): start each test clean."""
    cache.delete(ROLLUP_PENDING_KEY)
    yield
    cache.delete(ROLLUP_PENDING_KEY)


# The realisation tests take programmes through Gate 3 with the lifecycle world of governance's.
from tests.governance.conftest import make_programme, world  # noqa: E402, F401

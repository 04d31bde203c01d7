"""One real Celery worker on Redis: a profile edit → the worker runs the incremental roll-up →
today's snapshot moves.

Runs with REDIS_URL (and DATABASE_URL for PostgreSQL) set, as CI does; skipped without Redis.
"""

import os
import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from benefits import rollup, services
from benefits.models import RollupMark, RollupSnapshot
from config.celery import app
from tests.accounts.factories import UserFactory
from tests.benefits.factories import BenefitFactory, BenefitProfileFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
]


def _wait_for_a_change(before: RollupSnapshot, timeout: float = 30) -> RollupSnapshot | None:
    """The latest snapshot once its content differs from ``before`` (today's snapshot is moved
    in place by the incremental roll-up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snapshot = RollupSnapshot.objects.order_by("-as_of", "-pk").first()
        if snapshot and snapshot.content_hash != before.content_hash:
            return snapshot
        time.sleep(0.2)
    return None


@pytest.mark.django_db(transaction=True)
def test_a_profile_edit_is_rolled_up_by_a_real_worker(settings, monkeypatch):
    settings.ROLLUP_COALESCE_SECONDS = 1
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", settings.REDIS_URL)
    benefit = BenefitFactory()
    BenefitProfileFactory(benefit=benefit, financial_year=2020, forecast=Decimal("1000"))
    before = rollup.rollup_run()
    assert before.payload["totals"]["forecast"] == "1000.00"
    app._pool = None  # fresh connection pools, whatever an earlier test did to the app's
    app.amqp._producer_pool = None
    app.control.purge()  # nothing left over from other runs on this Redis db
    cache.delete(rollup.ROLLUP_PENDING_KEY)  # nor a coalescing key another test left behind

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        services.benefit_profile_save(
            benefit=benefit,
            rows=[services.ProfileRow(2020, Decimal("1000"), Decimal("2500"), Decimal("0"))],
            actor=UserFactory(),
        )
        snapshot = _wait_for_a_change(before)

    assert snapshot is not None, "the worker did not move the roll-up"
    assert snapshot.pk == before.pk  # incrementally, today's snapshot
    assert not RollupMark.objects.exists()
    assert snapshot.payload["totals"]["forecast"] == "2500.00"
    assert snapshot.rows.get(financial_year=2020).forecast == Decimal("2500.00")

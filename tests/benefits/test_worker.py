"""One real Celery worker on Redis: a profile edit → the worker runs the roll-up → a new snapshot.

Runs with REDIS_URL (and DATABASE_URL for PostgreSQL) set, as CI does; skipped without Redis.
"""

import os
import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from benefits import rollup, services
from benefits.models import RollupSnapshot
from config.celery import app
from tests.accounts.factories import UserFactory
from tests.benefits.factories import BenefitFactory, BenefitProfileFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
]


def _wait_for_new_snapshot(after_pk: int, timeout: float = 30) -> RollupSnapshot | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snapshot = RollupSnapshot.objects.filter(pk__gt=after_pk).order_by("-pk").first()
        if snapshot:
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
        snapshot = _wait_for_new_snapshot(before.pk)

    assert snapshot is not None, "the worker did not write a new snapshot"
    assert snapshot.payload["totals"]["forecast"] == "2500.00"
    assert snapshot.rows.get(financial_year=2020).forecast == Decimal("2500.00")

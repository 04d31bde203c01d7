# What the triggers that keep the risk counts (governance.models.RiskTally, migration 0024) cost
# the writes that move them, on PostgreSQL: 10,000 risks inserted with `bulk_create` in batches of
# 1,000 (as an import writes them), one risk's status changed by `save()` 50 times over, and a
# save that moves no count (its title), each with the triggers and with them disabled, the
# variants alternated (bench_probe._alternated), every run in a transaction rolled back.
# Run in `manage.py shell` on a `make bench` database (ROUNDS=, default 9).
import os
import statistics
import time
from copy import copy

from django.db import connection, transaction

from devdata.management.commands.bench_probe import _alternated
from governance.models import Risk, RiskStatus

TRIGGERED = "governance_risk"
template = list(Risk.objects.order_by("pk")[:10_000])
for risk in template:
    risk.pk = risk.id = None
    risk.reference = ""
one = Risk.objects.filter(status=RiskStatus.OPEN).order_by("pk").first()


class Rollback(Exception):
    pass


def timed(work, triggers: bool) -> float:
    try:
        with transaction.atomic():
            if not triggers:
                with connection.cursor() as cursor:
                    cursor.execute(f"ALTER TABLE {TRIGGERED} DISABLE TRIGGER USER")
            started = time.perf_counter()
            work()
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        return seconds


def insert() -> None:
    Risk.objects.bulk_create([copy(risk) for risk in template], batch_size=1000)


def statuses() -> None:
    risk = Risk.objects.get(pk=one.pk)
    for i in range(50):
        risk.status = RiskStatus.CLOSED if i % 2 == 0 else RiskStatus.OPEN
        risk.save(update_fields=["status"])


def titles() -> None:
    risk = Risk.objects.get(pk=one.pk)
    for i in range(50):
        risk.title = f"{one.title} {i}"
        risk.save(update_fields=["title"])


runs = {
    f"{name}, {'with' if on else 'without'} the triggers": (
        lambda work=work, on=on: timed(work, on)
    )
    for name, work in [("insert 10,000", insert), ("50 status saves", statuses),
                       ("50 title saves", titles)]
    for on in (True, False)
}  # fmt: skip
for run in runs.values():
    run()  # warm
times = _alternated(runs, int(os.environ.get("ROUNDS", "9")))
for name, seconds in times.items():
    print(f"{name}: {statistics.median(seconds) * 1000:.1f} ms (median of {len(seconds)})")

# One programme's RAID download (the programme with the fewest risks), CSV and XLSX, timed
# right after another download of its own, or right after the whole portfolio's download of
# the same format (untimed), in rounds that alternate the two; medians. At 5,000 programmes
# the whole download reads 80,000 rows, and what it leaves in the caches is paid by the next
# request. Run in `manage.py shell` on a `make bench` database (see README.md).
import gc
import logging
import statistics
import time

from django.contrib.auth import get_user_model
from django.test import Client

from devdata.management.commands.bench_probe import _read, _smallest_raid

logging.disable(logging.WARNING)
ROUNDS = 21
client = Client()
client.force_login(get_user_model().objects.get(username="pmo"))
slug, risks = _smallest_raid()
for fmt in ("csv", "xlsx"):
    small = f"/programmes/{slug}/raid/risks/export.{fmt}"
    whole = f"/raid/export.{fmt}"
    times: dict[str, list[float]] = {"after its own": [], "after the whole portfolio's": []}
    _read(client, whole)
    for _ in range(ROUNDS):
        for name, before in (("after its own", small), ("after the whole portfolio's", whole)):
            _read(client, before)
            gc.collect()
            started = time.perf_counter()
            _read(client, small)
            times[name].append(time.perf_counter() - started)
    medians = ", ".join(f"{name} {statistics.median(t) * 1000:.2f} ms" for name, t in times.items())
    print(f"{fmt.upper()}, one programme's {risks} risks: {medians} (medians of {ROUNDS})")

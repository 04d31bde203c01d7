# The roll-up's statement fetched by Django's cursor (text) or by a psycopg cursor in binary,
# against the bench's floor, alternated (ROUNDS=, default 31).
# Run in `manage.py shell` on a `make bench` database.
import os
import statistics

import psycopg
from django.db import connection, transaction

from benefits import rollup
from devdata.management.commands import bench_probe as bp

plan = rollup.current_plan()
params = rollup.rollup_params(plan)


def text():
    with transaction.atomic(), connection.cursor() as c:
        c.execute(rollup.TUNING_SQL)
        c.execute(rollup.ROLLUP_SQL, params)
        return c.fetchall()


def binary():
    with transaction.atomic():
        raw = connection.connection
        with psycopg.Cursor(raw) as c:
            c.execute(rollup.TUNING_SQL)
            c.execute(rollup.ROLLUP_SQL, params, binary=True)
            return c.fetchall()


def floor():
    return bp._floor(plan.pk)


a, b = text(), binary()
if not (a == b):
    raise SystemExit((a[:2], b[:2]))
runs = {"text": text, "binary": binary, "floor": floor}
names = list(runs)
rounds = int(os.environ.get("ROUNDS", "31"))
times = bp._alternated({name: bp._seconds(run) for name, run in runs.items()}, rounds)
for n in names:
    print(f"{n:16s} {1000 * statistics.median(times[n]):8.2f} ms")

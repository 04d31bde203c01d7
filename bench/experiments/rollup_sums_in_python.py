# The roll-up's headline sums added up in Python from the statement's groups, two ways: each
# row put in its group (by MTFP line, whether it has a programme, and year) and each group's
# columns summed (v1), or one dictionary update a row, as the bench's floor adds up its rows
# (v2: bench_probe._floor_sums, which folds the groups into the sums too); medians of 15.
# Run in `manage.py shell` on a `make bench` database.
import gc
import statistics
import time
from collections import defaultdict
from decimal import Decimal
from operator import itemgetter

from benefits import rollup
from devdata.management.commands import bench_probe

plan = rollup.current_plan()
_, groups = rollup._split(rollup.rollup_rows(plan))
print(len(groups))
ZERO = Decimal("0.00")
MONEY = itemgetter(6, 7, 8, 9, 11, 12)


def v1():
    buckets = defaultdict(list)
    for row in groups:
        buckets[(row[4], row[1] is None, row[5])].append(row)
    out = {}
    for key, rows in buckets.items():
        out[key] = [sum(col, ZERO) for col in zip(*map(MONEY, rows), strict=False)]
    return out


def v2():
    """One dictionary update a row, as the bench's floor adds up its rows."""
    return bench_probe._floor_sums(groups)


for fn in (v1, v2, v1, v2):
    ts = []
    for _ in range(15):
        gc.collect()
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    print(fn.__name__, "%.2f ms" % (1000 * statistics.median(ts)))

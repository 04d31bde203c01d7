# The roll-up's headline sums (by MTFP line, whether a row has a programme, and year) added up
# in Python from the statement's groups, two ways, medians of 15.
# Run in `manage.py shell` on a `make bench` database.
import gc
import statistics
import time
from collections import defaultdict
from decimal import Decimal
from operator import itemgetter

from benefits import rollup

plan = rollup.current_plan()
_, groups = rollup._split(rollup.rollup_rows(plan))
print(len(groups))
ZERO = Decimal("0.00")
KEY = itemgetter(4, 1, 5)
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
    out = {}
    for row in groups:
        key = (row[4], row[1] is None, row[5])
        acc = out.get(key)
        if acc is None:
            out[key] = list(MONEY(row))
        else:
            t, p, f, a, b, s = MONEY(row)
            acc[0] += t
            acc[1] += p
            acc[2] += f
            acc[3] += a
            acc[4] += b
            acc[5] += s
    return out


if not (v1() == v2()):
    raise SystemExit("The variants differ.")
for fn in (v1, v2, v1, v2):
    ts = []
    for _ in range(15):
        gc.collect()
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    print(fn.__name__, "%.2f ms" % (1000 * statistics.median(ts)))

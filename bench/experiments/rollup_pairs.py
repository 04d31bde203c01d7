# The roll-up against its honest floor in pairs, back to back (ROUNDS=, default 15), the order
# swapped each pair: each one's times, the ratio of the medians and the median of the pairs'
# ratios, and, from 2,000 draws of 6 and of 11 of the pairs, the 5th to 95th percentile of the
# ratio of their medians.
# Run in `manage.py shell` on a `make bench` database.
import gc
import os
import statistics
import time

from benefits.rollup import current_plan, rollup_compute
from devdata.management.commands.bench_probe import _floor

plan = current_plan().pk
rollup_compute()
_floor(plan)
R, F = [], []
for i in range(int(os.environ.get("ROUNDS", "15"))):
    order = [("r", rollup_compute), ("f", lambda: _floor(plan))]
    if i % 2:
        order.reverse()
    for name, fn in order:
        gc.collect()
        t = time.perf_counter()
        fn()
        s = time.perf_counter() - t
        (R if name == "r" else F).append(s)
print("rollup", [round(x * 1000) for x in R])
print("floor ", [round(x * 1000) for x in F])
pairs = statistics.median(r / f for r, f in zip(R, F, strict=True))
print(f"ratio of medians {statistics.median(R) / statistics.median(F):.3f}")
print(f"median of the pairs' ratios {pairs:.3f}")
for k in (k for k in (6, 11) if k <= len(R)):
    import random

    rs = []
    for _ in range(2000):
        idx = random.sample(range(len(R)), k)
        rs.append(statistics.median(R[j] for j in idx) / statistics.median(F[j] for j in idx))
    rs.sort()
    print(k, f"pairs: 5%..95% of ratio {rs[100]:.3f}..{rs[1900]:.3f}")

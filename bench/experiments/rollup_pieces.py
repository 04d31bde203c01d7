# What each piece of the roll-up's statement costs against its honest floor: the statement as
# it is, without its final ORDER BY, without the headline sums (the "mid" grouping and the
# lines' and years' rows), with the CTE of the groups alone; the floor's statement alone and
# the floor as `make bench` runs it (its three statements and its rows' headline sums), and
# both with hash aggregation allowed (hash_mem_multiplier 8) instead of sorted groups. Every
# variant run once a round, alternated, on a plain cursor with the roll-up's session settings;
# medians, and each one's median ratio to the bench's floor, round by round. Run in
# `manage.py shell` on a `make bench` database (ROUNDS=, default 21).
import os
import statistics

from django.db import connection, transaction

from benefits import rollup
from devdata.management.commands import bench_probe

plan = rollup.current_plan()
params = rollup.rollup_params(plan)
HASHED = (
    "SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true), "
    "set_config('hash_mem_multiplier', '8', true)"
)
STATEMENT = rollup.ROLLUP_SQL
ORDER = "ORDER BY 1 NULLS FIRST" + STATEMENT.rsplit("ORDER BY 1 NULLS FIRST", 1)[1]
groups_cte = STATEMENT.split("mid AS (", 1)[0].rstrip().rstrip(",")
branches = STATEMENT.split("UNION ALL\nSELECT %(headline)s")
columns = (
    "portfolio, programme, directorate, category, mtfp_line, financial_year, target, planned, "
    "forecast, actual, variance, budget, spend"
)
no_sums = (
    f"{groups_cte}\nSELECT {columns} FROM fine\nUNION ALL\nSELECT %(headline)s"
    + "UNION ALL\nSELECT %(headline)s".join(branches[1:3])
    + f"\n{ORDER}"
)


def statement(sql: str, values: dict, tuning: str = rollup.TUNING_SQL):
    def run() -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(tuning)
            cursor.execute(sql, values)
            return len(cursor.fetchall())

    return run


floor = {"plan": plan.pk}
runs = {
    "the floor, as make bench runs it": lambda: bench_probe._floor(plan.pk),
    "the roll-up's statement": statement(STATEMENT, params),
    "without its final ORDER BY": statement(STATEMENT.rsplit("ORDER BY 1", 1)[0], params),
    "without the headline sums": statement(no_sums, params),
    "the groups' CTE alone, ordered": statement(
        f"{groups_cte}\nSELECT * FROM fine {ORDER}", params
    ),
    "the floor's statement alone": statement(bench_probe.FLOOR_SQL, floor),
    "the roll-up's statement, hashed": statement(STATEMENT, params, HASHED),
    "the floor's statement, hashed": statement(bench_probe.FLOOR_SQL, floor, HASHED),
}
for run in runs.values():
    run()
names = list(runs)
rounds = int(os.environ.get("ROUNDS", "21"))
times = bench_probe._alternated(
    {name: bench_probe._seconds(run) for name, run in runs.items()}, rounds
)
base = times[names[0]]
for name in names:
    ratio = statistics.median(t / b for t, b in zip(times[name], base, strict=True))
    print(f"{name}: {statistics.median(times[name]) * 1000:.1f} ms, {ratio:.3f}× the floor")

# The roll-up's statement with the category last in its groups' sort and the result's (it is a
# function of the programme, so the order is the same; asserted), against the statement as it is
# and the bench's floor, alternated (ROUNDS=, default 31).
# Run in `manage.py shell` on a `make bench` database.
import os
import statistics

from django.db import connection, transaction

from benefits import rollup
from devdata.management.commands import bench_probe as bp

plan = rollup.current_plan()
params = rollup.rollup_params(plan)
FULL = rollup.ROLLUP_SQL
NEW = FULL.replace(
    """    GROUP BY portfolio, programme, directorate, category, mtfp_line, financial_year
    ORDER BY portfolio NULLS FIRST, programme NULLS FIRST, directorate NULLS FIRST,
             category NULLS FIRST, mtfp_line NULLS FIRST, financial_year NULLS FIRST""",
    """    GROUP BY portfolio, programme, directorate, mtfp_line, financial_year, category
    ORDER BY portfolio NULLS FIRST, programme NULLS FIRST, directorate NULLS FIRST,
             mtfp_line NULLS FIRST, financial_year NULLS FIRST, category NULLS FIRST""",
)
NEW = NEW.replace(
    """ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST, 4 NULLS FIRST, 5 NULLS FIRST,
         6 NULLS FIRST""",
    """ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3 NULLS FIRST, 5 NULLS FIRST, 6 NULLS FIRST,
         4 NULLS FIRST""",
)
if NEW == FULL or NEW.count("mtfp_line NULLS FIRST, financial_year NULLS FIRST, category") != 1:
    raise SystemExit("The statement has changed: this experiment no longer applies.")


def sqlonly(sql, p):
    def f():
        with transaction.atomic(), connection.cursor() as c:
            c.execute(rollup.TUNING_SQL)
            c.execute(sql, p)
            return c.fetchall()

    return f


a, b = sqlonly(FULL, params)(), sqlonly(NEW, params)()
if not (a == b):
    raise SystemExit("different")
print("identical rows:", len(a))
runs = {
    "floor3": lambda: bp._floor(plan.pk),
    "rollup": sqlonly(FULL, params),
    "category last": sqlonly(NEW, params),
}
names = list(runs)
rounds = int(os.environ.get("ROUNDS", "31"))
times = bp._alternated({name: bp._seconds(run) for name, run in runs.items()}, rounds)
for n in names:
    pairs = statistics.median(a / b for a, b in zip(times[n], times["floor3"], strict=True))
    print(f"{n:16s} {1000 * statistics.median(times[n]):8.2f} ms, pairs {pairs:.3f}x the floor")

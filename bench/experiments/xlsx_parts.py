# Where the RAID sheet's time per row goes: each piece of the download (the COPY floor, the COPY
# of the CSV's and the sheet's own SQL, the CSV's chunks, the sheet's rows made XML, the whole
# workbook zipped, building the table) for the whole portfolio and for the programme with the
# fewest risks, alternated; the medians, and the median of the differences round by round.
# Run in `manage.py shell` on a `make bench` database (see README.md).
import io
import logging
import statistics

from django.http import QueryDict

from core import exports
from devdata.management.commands.bench_probe import (
    _alternated,
    _export_copy_floor,
    _seconds,
    _smallest_raid,
)
from governance.logs import LOGS
from governance.queries import log_table
from portfolio.models import Programme

logging.disable(logging.WARNING)
ROUNDS = 81
slug, risks = _smallest_raid()
programme = Programme.objects.get(slug=slug)


def table(scope):
    return log_table(LOGS["risks"], scope, QueryDict())


def copied(scope, query, csv=False):
    t = table(scope)
    made = query(t.sql)
    return sum(len(b"".join(chunk)) for chunk in exports._copied(t.sql, made, csv=csv))


def workbook(scope):
    target = io.BytesIO()
    exports.write_xlsx([table(scope)], target)
    return len(target.getvalue())


pieces = {
    "the CSV's SQL, COPY": lambda scope: copied(scope, exports._csv_lines_sql, csv=True),
    "the sheet's SQL, COPY": lambda scope: copied(scope, exports._xlsx_fields_sql),
    "the CSV's chunks": lambda scope: sum(map(len, exports.csv_chunks(table(scope)))),
    "the sheet's rows as XML": lambda scope: sum(map(len, exports._sheet_rows(table(scope)))),
    "the workbook, zipped": workbook,
    "building the table": lambda scope: table(scope) and 0,
}
floor, _rows = _export_copy_floor()
small_floor, _small_rows = _export_copy_floor(slug)
runs = {"the COPY floor": floor, "the COPY floor (one programme)": small_floor}
for name, piece in pieces.items():
    runs[name] = lambda piece=piece: piece(None)
    runs[name + " (one programme)"] = lambda piece=piece: piece(programme)
for run in runs.values():
    run()
times = _alternated({name: _seconds(run) for name, run in runs.items()}, ROUNDS)
print(f"{Programme.objects.count()} programmes; one programme's {risks} risks")
for name in ["the COPY floor", *pieces]:
    whole, small = times[name], times[name + " (one programme)"]
    beyond = statistics.median(a - b for a, b in zip(whole, small, strict=True))
    print(
        f"{name}: whole {statistics.median(whole) * 1000:.2f} ms, one programme "
        f"{statistics.median(small) * 1000:.2f} ms, beyond {beyond * 1000:.2f} ms"
    )

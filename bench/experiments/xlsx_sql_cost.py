# What PostgreSQL's writing of the RAID export costs: the whole portfolio's rows through COPY as
# the floor reads them (the export's query), as the cells alone (each column's SQL twin), as the
# CSV's lines and as the sheet's values; and the sheet's values with an early branch for an
# empty text; alternated, medians. Run in `manage.py shell` on a `make bench` database.
import logging
import statistics

from django.http import QueryDict

from core import exports
from devdata.management.commands.bench_probe import _alternated, _export_copy_floor, _seconds
from governance.logs import LOGS
from governance.queries import log_table

logging.disable(logging.WARNING)
ROUNDS = 15
table = log_table(LOGS["risks"], None, QueryDict())
floor, rows = _export_copy_floor()
text_sql = exports._xlsx_text_sql


def empty_first(name: str) -> str:
    return text_sql(name).replace("CASE ", f"CASE WHEN ascii({name}) = 0 THEN '' ", 1)


def copied(query, csv=False, text=text_sql):
    def run() -> bytes:
        exports._xlsx_text_sql = text
        try:
            made = query(table.sql)
            return b"".join(b"".join(c) for c in exports._copied(table.sql, made, csv=csv))
        finally:
            exports._xlsx_text_sql = text_sql

    return run


runs = {
    "the floor": floor,
    "the cells alone": copied(exports._cells_sql),
    "the CSV's lines": copied(exports._csv_lines_sql, csv=True),
    "the sheet's values": copied(exports._xlsx_fields_sql),
    "the sheet's values, an empty text first": copied(exports._xlsx_fields_sql, text=empty_first),
}
if runs["the sheet's values"]() != runs["the sheet's values, an empty text first"]():
    raise SystemExit("The two ways of the sheet's SQL gave different values.")
times = _alternated({name: _seconds(run) for name, run in runs.items()}, ROUNDS)
print(f"{rows:,} risks")
for name, measured in times.items():
    print(f"{name}: {statistics.median(measured) * 1000:.1f} ms (median of {len(measured)})")

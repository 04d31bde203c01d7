# What the sheet's SQL pays for its length check (a text that may outgrow a cell is cut to
# Excel's limit in SQL): the whole portfolio's RAID sheet values through COPY as they are
# written, with the check left out of the two columns whose fields are CharFields that can
# never outgrow a cell (the risk's title, its proximity), and with it left out of every text
# column (an upper bound: five of them are TextFields, which can); beside the COPY floor,
# alternated, medians. Run in `manage.py shell` on a `make bench` database.
import logging
import statistics

from django.http import QueryDict

from core import exports
from devdata.management.commands.bench_probe import _alternated, _export_copy_floor, _seconds
from governance.logs import LOGS
from governance.queries import log_table

logging.disable(logging.WARNING)
table = log_table(LOGS["risks"], None, QueryDict())
floor, rows = _export_copy_floor()
measured = exports._xlsx_text_sql


def unmeasured(name: str) -> str:
    """``_xlsx_text_sql`` for a text that never outgrows a cell: no length check."""
    first = f"CASE WHEN ascii({name}) < 32 THEN ascii(ltrim({name}, {exports._XML_ILLEGAL})) END"
    short = exports._guard_sql(name, f"COALESCE({first}, ascii({name}))")
    plain = f"ascii({name}) >= {exports._PAST_TRIGGERS}"
    return f"CASE WHEN {plain} THEN {name} WHEN {name} IS NULL THEN '' ELSE {short} END"


def values(unchecked: set[int]):
    """The sheet's values through COPY, the columns ``unchecked`` without the length check."""
    sql_rows = table.sql
    cells, params = exports._cells_sql(sql_rows)
    made = ", ".join(
        (unmeasured if i in unchecked else measured)(f"c{i}") if cell.kind == "text" else f"c{i}"
        for i, cell in enumerate(sql_rows.cells)
    )
    query = (f"SELECT {made} FROM ({cells}) AS c", params)  # noqa: S608 (the module's own SQL)

    def run() -> bytes:
        return b"".join(b"".join(chunk) for chunk in exports._copied(sql_rows, query))

    return run


texts = [i for i, cell in enumerate(table.sql.cells) if cell.kind == "text"]
bounded = {i for i, c in enumerate(LOGS["risks"].columns) if c.fields[0] in ("title", "proximity")}
runs = {
    "the COPY floor": floor,
    "the sheet's values": values(set()),
    "without the check on the two short CharFields": values(bounded & set(texts)),
    "without the check on every text (an upper bound)": values(set(texts)),
}
if len({runs[name]() for name in list(runs)[1:]}) != 1:
    raise SystemExit("The variants wrote different values.")
times = _alternated({name: _seconds(run) for name, run in runs.items()}, 61)
print(f"{rows:,} risks")
for name, seconds in times.items():
    print(f"{name}: {statistics.median(seconds) * 1000:.2f} ms (median of {len(seconds)})")

# The whole portfolio's RAID sheet rows made XML from its COPY lines (``core.exports._marked_up``)
# with each cell's markup put in at once and the empty texts sought in it (the markup of any
# sheet, as every sheet was made before), or, as a sheet of text alone is now, each cell marked
# by a byte that opens it and one that closes it first; alternated, medians. Run in
# `manage.py shell` on a `make bench` database (see README.md).
import dataclasses
import logging
import statistics

from django.http import QueryDict

from core import exports
from devdata.management.commands.bench_probe import _alternated, _seconds
from governance.logs import LOGS
from governance.queries import log_table

logging.disable(logging.WARNING)
ROUNDS = 200
table = log_table(LOGS["risks"], None, QueryDict())
lines = exports._copied(table.sql, exports._xlsx_fields_sql(table.sql), first=500)
blocks = [b"".join(chunk) for chunk in lines]
text_alone = exports._cell_markup(table, table.sql)
if text_alone.text is None:
    raise SystemExit("The RAID sheet is not text alone.")
any_sheet = dataclasses.replace(text_alone, text=None)


def made(markup) -> bytes:
    return b"".join(exports._marked_up(block, markup, 2) for block in blocks)


if made(text_alone) != made(any_sheet):
    raise SystemExit("The two ways made different XML.")
runs = {"any sheet's markup": lambda: made(any_sheet), "text alone": lambda: made(text_alone)}
times = _alternated({name: _seconds(run) for name, run in runs.items()}, ROUNDS)
rows = sum(block.count(b"\n") for block in blocks)
print(f"{rows} rows, {len(made(text_alone)):,} bytes of XML")
for name, measured in times.items():
    print(f"{name}: {statistics.median(measured) * 1000:.2f} ms (median of {len(measured)})")

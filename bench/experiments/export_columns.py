"""What each column of the whole portfolio's RAID export costs PostgreSQL: the CSV's COPY read
to its end (median of 5), then again with that one column's cell made NULL, and the
difference printed per column."""

import statistics
import time
from dataclasses import replace

from django.db import connection
from django.http import QueryDict

from core import exports
from governance import queries
from governance.logs import LOGS

table = queries.log_table(LOGS["risks"], None, QueryDict())
cells = table.sql.cells
connection.ensure_connection()
cursor = connection.connection.cursor()


def timed(rows) -> float:
    sql, params = exports._csv_lines_sql(rows)
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    times = []
    for _ in range(5):
        started = time.perf_counter()
        with cursor.copy(statement, params) as out:
            for _block in out:
                pass
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


whole = timed(table.sql)
print(f"the whole CSV's COPY: {whole:.0f} ms")
for i, cell in enumerate(cells):
    without = replace(
        table.sql, cells=[*cells[:i], exports.SqlCell("NULL::text", (), "safe"), *cells[i + 1 :]]
    )
    print(f"{table.headers[i]}: {whole - timed(without):.0f} ms ({cell.sql[:60]})")

# ruff: noqa: S608 (the SQL is this script's constants and the ORM's own query)
"""Ways of writing /odata/BenefitProfileYears' JSON for every benefit profile year, in the
feed's chunks of ``paging.CHUNK_ROWS`` rows by key, against one COPY of the same columns (the
bench's floor): alternated over 7 rounds, each after a garbage collection, the order rotated a
place each round; the medians and their ratio to the floor.

- ``string_agg``: as the feed does (``paging.CHUNK_SQL``): PostgreSQL writes each row's JSON
  (``serialise.row_json``) and joins a chunk's into one value;
- ``copy_rows``: COPY of each row's JSON, the lines joined by commas in Python;
- ``copy_keys``: COPY of the property names as constant columns between the values, the tabs
  taken out in Python (this entity set has no text to escape);
- ``floor_chunked``: COPY of the floor's own columns, no JSON, in the same chunks by key;
- ``floor``: one COPY of the table, as ``bench_probe odata`` measures it.
"""

import gc
import statistics
import time

from django.db import connection
from django.http import QueryDict

from accounts.models import User
from api.odata import paging, serialise
from api.odata.entities import BY_NAME
from api.odata.query import parse

ROUNDS = 7
COLUMNS = "id, benefit_id, financial_year, planned, forecast, actual"
entity_set = BY_NAME["BenefitProfileYears"]
queryset = entity_set.queryset(User.objects.get(username="pmo"))
options = parse(entity_set, QueryDict(""))
row_json = serialise.row_json(options.select, queryset.db)
base = queryset.order_by().annotate(j=row_json).values("pk", "j")
base_sql, base_params = base.query.sql_with_params()
cursor = connection.cursor().cursor
cursor.adapters.register_loader("text", paging._Utf8)
N = paging.CHUNK_ROWS


def string_agg() -> int:
    after, written = None, 0
    while True:
        where = "" if after is None else "WHERE b.pk > %s"
        sql = paging.CHUNK_SQL.format(row_json="j", base=base_sql, after=where)
        cursor.execute(sql, [*base_params, *([] if after is None else [after]), N, 0])
        text, last, found = cursor.fetchone()
        if not found:
            return written
        written += len(text)
        after = last
        if found < N:
            return written


def _by_key(sql: str, params: list, last_key, written) -> int:
    """Each chunk's COPY by key (``sql`` ends with ``> %s … LIMIT %s``): the next chunk after
    the key ``last_key`` reads from this one's last line; ``written`` is what a chunk sends."""
    after, total = 0, 0
    while True:
        with cursor.copy(sql, [*params, after, N]) as copy:
            block = b"".join(copy)
        if not block:
            return total
        after = last_key(block[block.rfind(b"\n", 0, len(block) - 1) + 1 :])
        total += written(block)
        if block.count(b"\n") < N:
            return total


def _unescaped_rows(block: bytes) -> int:
    joined = block[:-1].replace(b"\n", b",")
    return len(joined.replace(b"\\\\", b"\\") if b"\\" in joined else joined)


def copy_rows() -> int:
    sql = f"COPY (SELECT b.j FROM ({base_sql}) b WHERE b.pk > %s ORDER BY b.pk LIMIT %s) TO STDOUT"
    return _by_key(
        sql,
        base_params,
        lambda line: int(line[len(b'{"Id":') : line.index(b",")]),
        _unescaped_rows,
    )


def copy_keys() -> int:
    pieces = []
    for i, prop in enumerate(options.select):
        pieces += [f"""'{"{" if i == 0 else ","}"{prop.name}":'""", prop.path.replace("pk", "id")]
    columns = ", ".join([*pieces, "'}'"])
    sql = (
        f"COPY (SELECT {columns} FROM benefits_benefitprofile WHERE id > %s ORDER BY id "
        "LIMIT %s) TO STDOUT (NULL 'null')"
    )
    return _by_key(
        sql,
        [],
        lambda line: int(line.split(b"\t", 2)[1]),
        lambda block: len(block[:-1].replace(b"\t", b"").replace(b"\n", b",")),
    )


def floor_chunked() -> int:
    sql = (
        f"COPY (SELECT {COLUMNS} FROM benefits_benefitprofile WHERE id > %s ORDER BY id "
        "LIMIT %s) TO STDOUT"
    )
    return _by_key(sql, [], lambda line: int(line.split(b"\t", 1)[0]), len)


def floor() -> int:
    written = 0
    sql = f"COPY (SELECT {COLUMNS} FROM benefits_benefitprofile ORDER BY id) TO STDOUT"
    with cursor.copy(sql) as copy:
        for block in copy:
            written += len(block)
    return written


WAYS = {
    "string_agg": string_agg,
    "copy_rows": copy_rows,
    "copy_keys": copy_keys,
    "floor_chunked": floor_chunked,
    "floor": floor,
}
for name, way in WAYS.items():
    print(f"{name}: {way():,} bytes")
gc.freeze()
times: dict[str, list[float]] = {name: [] for name in WAYS}
names = list(WAYS)
for round_ in range(ROUNDS):
    for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
        gc.collect()
        started = time.perf_counter()
        WAYS[name]()
        times[name].append(time.perf_counter() - started)
floor_s = statistics.median(times["floor"])
for name, seconds in times.items():
    median = statistics.median(seconds)
    print(f"{name:14s} {median * 1000:8.1f} ms  {median / floor_s:.2f}x")

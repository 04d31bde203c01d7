"""One page of an entity set, written a chunk of rows at a time so that a page of any size is
served in flat memory.

A page is ``take`` rows (the page size, or what is left of ``$top``) plus one more read only to
know whether a next page exists. Its rows are written in chunks of at most ``CHUNK_ROWS``: the
view runs the first chunk itself (so a query the database refuses is still a 400), answers a page
that fits in one chunk whole, and streams a larger one chunk by chunk.

Where each chunk comes from:

- PostgreSQL, no ``$orderby`` and no ``$expand`` (what Excel and Power BI ask for): one statement
  per chunk, the next ``CHUNK_ROWS`` rows by key (``pk > the last one``, the primary key's index)
  with their JSON (``serialise.row_json``) joined by PostgreSQL (``string_agg``): one text value
  comes back per chunk, and Python touches no row.
- Otherwise: one query for the page over a server-side cursor (``QuerySet.iterator``), read
  ``CHUNK_ROWS`` rows at a time; each chunk's ``$expand`` targets are read with one query per
  navigation property, and its entities written by PostgreSQL's ``row_json`` or, on SQLite,
  by ``serialise.obj``.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from itertools import islice
from typing import Any

from django.db import connections
from psycopg.abc import Buffer
from psycopg.adapt import Loader

from . import serialise
from .entities import BY_NAME, EntitySet
from .query import Options

ROW_JSON = "odata_row_json"  # the annotation holding an entity's JSON, written by PostgreSQL
CHUNK_ROWS = 5000

# The next chunk by key: up to ``n`` rows after ``after`` (or from the first) joined in key order,
# the last one's key and how many there were; for the chunk that ends a page, whether any row
# follows it (a next page: the first key after it, by the key's index, where EXISTS would let the
# planner scan the table from its start). The aggregate takes its rows in the order the subquery
# gives them, which nothing at its level (no join, no grouping) reorders: an ORDER BY inside
# ``string_agg`` would sort every chunk again (PostgreSQL 15 does not see that it is sorted).
# tests/api/test_odata_sql_rows.py reads pages across chunks against Python's, keys in order.
CHUNK_SQL = """
SELECT string_agg(l.j, ','), max(l.pk), count(*)
FROM (SELECT b.pk, b.{row_json} AS j FROM ({base}) b {after} ORDER BY b.pk LIMIT %s OFFSET %s) l
"""
LAST_CHUNK_SQL = """
SELECT c.j, c.last, c.found,
       (SELECT f.pk FROM ({base}) f WHERE f.pk > c.last ORDER BY f.pk LIMIT 1) IS NOT NULL
FROM ({chunk}) c (j, last, found)
"""


class _Utf8(Loader):
    """PostgreSQL text as the bytes it arrives in (the connection's encoding is UTF-8)."""

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


class Rows:
    """The page's entities as JSON text (UTF-8 bytes), a chunk at a time (each chunk's
    entities joined by commas); once read to the end, ``more`` says whether another page
    follows and ``last_pk`` is the key of the page's last row (for ``$skiptoken``)."""

    def __init__(self, entity_set: EntitySet, queryset: Any, options: Options, take: int,
                 actor: Any) -> None:  # fmt: skip
        self.entity_set, self.options, self.take, self.actor = entity_set, options, take, actor
        self.more = False
        self.last_pk: Any = None
        self.done = False  # no chunk left to read
        navigations = entity_set.navigation_by_name
        self.expand = [navigations[n] for n in options.expand]
        self.row_json = serialise.row_json(options.select, queryset.db)
        self.using = queryset.db
        if self.row_json is not None and not self.expand and not options.ordered:
            self.chunks: Generator[bytes] = self._by_key(queryset)
        else:
            self.chunks = self._by_cursor(queryset)

    def __iter__(self) -> Iterator[bytes]:
        return self.chunks

    def close(self) -> None:
        self.chunks.close()

    # --- PostgreSQL, in key order: one statement per chunk --------------------------------------
    def _by_key(self, queryset: Any) -> Generator[bytes]:
        base = queryset.order_by().annotate(**{ROW_JSON: self.row_json}).values("pk", ROW_JSON)
        base_sql, base_params = base.query.sql_with_params()
        after, skip, left = self.options.skiptoken, self.options.skip, self.take
        while True:
            n = min(CHUNK_ROWS, left)
            sql = CHUNK_SQL.format(
                row_json=ROW_JSON, base=base_sql, after="" if after is None else "WHERE b.pk > %s"
            )
            params = [*base_params, *([] if after is None else [after]), n, skip]
            ends_page = n == left
            if ends_page:  # also asks whether a row follows: a next page
                sql = LAST_CHUNK_SQL.format(base=base_sql, chunk=sql)
                params = [*base_params, *params]
            with connections[self.using].cursor() as cursor:
                # The chunk's text as the UTF-8 bytes the response sends: not decoded to be
                # encoded again.
                cursor.cursor.adapters.register_loader("text", _Utf8)
                cursor.execute(sql, params)
                text, last, found, *following = cursor.fetchone()
            left -= found
            if found < n or ends_page:
                self.done = True
                self.more = (
                    bool(following and following[0])
                    and found == n
                    and (self.options.top is None or self.options.top > self.take)
                )
            if last is not None:
                self.last_pk = last
            if text:
                yield text
            if self.done:
                return
            after, skip = last, 0

    # --- Any database, any order: one query over a server-side cursor ---------------------------
    def _by_cursor(self, queryset: Any) -> Generator[bytes]:
        options, by_name = self.options, self.entity_set.by_name
        keys = {by_name[nav.key].path for nav in self.expand}
        ordered = queryset.order_by(*options.orderby)
        if self.row_json is None:
            paths = {"pk"} | {p.path for p in options.select} | keys
            rows_qs = ordered.values(*paths)
        else:
            rows_qs = ordered.annotate(**{ROW_JSON: self.row_json}).values("pk", *keys, ROW_JSON)
        if not options.ordered and options.skiptoken is not None:
            rows_qs = rows_qs.filter(pk__gt=options.skiptoken)
        rows = rows_qs[options.skip : options.skip + self.take + 1].iterator(CHUNK_ROWS)
        try:
            left = self.take
            # One row read ahead, so that the chunk holding the page's last row knows it is last.
            batch = list(islice(rows, min(CHUNK_ROWS, left) + 1))
            while True:
                n = min(CHUNK_ROWS, left)
                chunk, ahead = batch[:n], batch[n:]
                left -= len(chunk)
                if not ahead or left == 0:
                    self.done = True
                    self.more = bool(ahead) and (
                        self.options.top is None or self.options.top > self.take
                    )
                    rows.close()  # the cursor, before the page's last chunk is handed over
                if chunk:
                    self.last_pk = chunk[-1]["pk"]
                    yield self._written(chunk).encode()
                if self.done:
                    return
                batch = ahead + list(islice(rows, min(CHUNK_ROWS, left)))
        finally:
            rows.close()  # a stream closed early (the client went away) closes its cursor too

    def _written(self, chunk: list[dict]) -> str:
        by_name = self.entity_set.by_name
        expanded = {nav.name: _expanded(self.actor, nav, chunk, by_name[nav.key].path)
                    for nav in self.expand}  # fmt: skip
        entities = []
        for row in chunk:
            if self.row_json is None:
                entity = {p.name: row[p.path] for p in self.options.select}
                for nav in self.expand:
                    entity[nav.name] = expanded[nav.name].get(row[by_name[nav.key].path])
                entities.append(serialise.obj(entity))
            elif self.expand:
                related = "".join(
                    f",{json.dumps(nav.name)}:"
                    + serialise.value(expanded[nav.name].get(row[by_name[nav.key].path]))
                    for nav in self.expand
                )
                entities.append(row[ROW_JSON][:-1] + related + "}")
            else:
                entities.append(row[ROW_JSON])
        return ",".join(entities)


def _expanded(actor: Any, nav: Any, rows: list[dict], key_path: str) -> dict[Any, Any]:
    """The related entities of one chunk's rows, keyed by id: one query per navigation per
    chunk. A related row the actor may not read (a benefit owner's programme, say) comes out
    null."""
    target = BY_NAME[nav.target]
    queryset = target.queryset(actor)
    ids = {row[key_path] for row in rows if row[key_path] is not None}
    if queryset is None or not ids:
        return {}
    paths = {p.path for p in target.properties}
    return {
        related["pk"]: {p.name: related[p.path] for p in target.properties}
        for related in queryset.filter(pk__in=ids).order_by().values("pk", *paths)
    }

"""The whole portfolio's RAID export (CSV and XLSX), its COPY read line by line by psycopg's own
iteration or by ``core.exports._copy_lines`` (the lines already received taken straight from
libpq), alternated over 7 rounds, medians; both downloads asserted the same bytes."""

import gc
import statistics
import time

from django.contrib.auth import get_user_model
from django.test import Client

from core import exports

ours = exports._copy_lines


def psycopgs(copy, connection):
    return iter(copy)


client = Client()
client.force_login(get_user_model().objects.get(username="pmo"))


def download(url: str, reader) -> bytes:
    exports._copy_lines = reader
    return b"".join(client.get(url).streaming_content)


for url in ("/raid/export.xlsx", "/raid/export.csv"):
    if download(url, ours) != download(url, psycopgs):
        raise SystemExit(f"{url}: the two readers gave different downloads")
    times: dict[str, list[float]] = {"psycopg's iteration": [], "_copy_lines": []}
    for round_ in range(7):
        pairs = [("psycopg's iteration", psycopgs), ("_copy_lines", ours)]
        for name, reader in pairs if round_ % 2 else reversed(pairs):
            gc.collect()
            started = time.perf_counter()
            download(url, reader)
            times[name].append(time.perf_counter() - started)
    print(url, {name: f"{statistics.median(t) * 1000:.0f} ms" for name, t in times.items()})
exports._copy_lines = ours

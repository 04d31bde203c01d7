# What one programme's RAID download costs, whatever its rows: the programme read with the people
# the pages' header shows (``with_people``: portfolio, directorate, SRO, manager), as the view
# read it before, or alone, as it does now; alternated, medians. Then the same download of the
# whole portfolio's risks beside a COPY of their rows, to show how much of a small download is
# the request itself. Run in `manage.py shell` on a `make bench` database (see README.md).
import logging
import statistics

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.test import Client

from devdata.management.commands.bench_probe import (
    _alternated,
    _export_copy_floor,
    _seconds,
    _smallest_raid,
)
from governance import views
from portfolio.models import Programme

logging.disable(logging.WARNING)
ROUNDS = 200
client = Client()
client.force_login(get_user_model().objects.get(username="pmo"))
slug, risks = _smallest_raid()
small = f"/programmes/{slug}/raid/risks/export.csv"


def read(url: str) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return sum(len(chunk) for chunk in response.streaming_content)


def with_people(model, **kwargs):  # the view's read before
    queryset = Programme.objects.with_people() if model is Programme else model
    return get_object_or_404(queryset, **kwargs)


def before() -> int:
    views.get_object_or_404 = with_people
    return read(small)


def after() -> int:
    views.get_object_or_404 = get_object_or_404
    return read(small)


floor, rows = _export_copy_floor()
runs = {
    "one programme, read with its people": before,
    "one programme, read alone": after,
    "whole portfolio": lambda: read("/raid/export.csv"),
    "COPY of the whole portfolio's rows": floor,
}
if before() != after():
    raise SystemExit("The two reads of the programme gave different downloads.")
times = _alternated({name: _seconds(run) for name, run in runs.items()}, ROUNDS)
views.get_object_or_404 = get_object_or_404
print(f"{Programme.objects.count()} programmes; one programme's {risks} risks; {rows} in all")
for name, measured in times.items():
    print(f"{name}: {statistics.median(measured) * 1000:.2f} ms (median of {len(measured)})")

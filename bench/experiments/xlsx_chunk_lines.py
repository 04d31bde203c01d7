# The whole portfolio's RAID sheet downloaded with its rows made XML 500 lines at a time (as
# until the sixteenth round) or 200 (``core.exports.LINES_PER_CHUNK`` now), each beside the
# download of the programme with the fewest risks, and a COPY of each one's rows; alternated.
# Prints each one's time beyond the one programme's (the median of the rounds' differences)
# against the COPY's, as `make bench` judges it. Run in `manage.py shell` on a `make bench`
# database (see README.md).
import logging
import statistics

from django.contrib.auth import get_user_model
from django.test import Client

from core import exports
from devdata.management.commands.bench_probe import (
    _alternated,
    _export_copy_floor,
    _read,
    _seconds,
    _smallest_raid,
)

logging.disable(logging.WARNING)
client = Client()
client.force_login(get_user_model().objects.get(username="pmo"))
slug, _risks = _smallest_raid()
urls = {"whole": "/raid/export.xlsx", "one programme": f"/programmes/{slug}/raid/risks/export.xlsx"}
floor, rows = _export_copy_floor()
ROUNDS = 61 if rows < 10_000 else 11
now = exports.LINES_PER_CHUNK


def download(lines: int, url: str):
    def run():
        exports.LINES_PER_CHUNK = lines
        try:
            return _read(client, url)
        finally:
            exports.LINES_PER_CHUNK = now

    return run


runs = {"COPY whole": floor, "COPY one programme": _export_copy_floor(slug)[0]}
for lines in (500, 200):
    for part, url in urls.items():
        runs[f"{lines} {part}"] = download(lines, url)
for run in runs.values():
    run()  # warm
times = _alternated({name: _seconds(run) for name, run in runs.items()}, ROUNDS)


def beyond(whole: str, part: str) -> float:
    return statistics.median(a - b for a, b in zip(times[whole], times[part], strict=True))


copy = beyond("COPY whole", "COPY one programme")
print(f"{rows:,} risks; COPY beyond one programme's: {copy * 1000:.2f} ms ({ROUNDS} rounds)")
for lines in (500, 200):
    sheet = beyond(f"{lines} whole", f"{lines} one programme")
    print(f"{lines} lines at a time: {sheet * 1000:.2f} ms beyond = {sheet / copy:.2f}x COPY's")

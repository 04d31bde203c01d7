# A signed-in request's person read alone, then their roles by the first permission check (Django's
# ModelBackend.get_user, as before), or with their roles in one query (LocalSignInBackend, as
# now); alternated, medians: one programme's RAID download, the whole portfolio's, and the
# dashboard. Run in `manage.py shell` on a `make bench` database (see README.md).
import logging
import statistics

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.test import Client

from accounts.backends import LocalSignInBackend
from devdata.management.commands.bench_probe import _alternated, _seconds, _smallest_raid

logging.disable(logging.WARNING)
ROUNDS = 200
client = Client()
client.force_login(get_user_model().objects.get(username="pmo"))
slug, risks = _smallest_raid()
new_get_user = LocalSignInBackend.get_user
urls = {
    f"one programme's download ({risks} risks)": f"/programmes/{slug}/raid/risks/export.csv",
    "whole portfolio's download": "/raid/export.csv",
    "dashboard": "/dashboard/",
}


def read(url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def way(get_user, url):
    def run() -> bytes:
        LocalSignInBackend.get_user = get_user
        return read(url)

    return run


runs = {}
for name, url in urls.items():
    before, after = way(ModelBackend.get_user, url), way(new_get_user, url)
    if name != "dashboard" and before() != after():
        raise SystemExit(f"{name}: the two ways gave different downloads.")
    runs[f"{name}, roles read apart"] = before
    runs[f"{name}, roles read with the person"] = after
times = _alternated({name: _seconds(run) for name, run in runs.items()}, ROUNDS)
LocalSignInBackend.get_user = new_get_user
for name, measured in times.items():
    print(f"{name}: {statistics.median(measured) * 1000:.2f} ms (median of {len(measured)})")

"""Where the portfolio-wide RAID CSV's time goes, as the PMO, over 80 downloads: the whole
request read to its end, reading the streamed body (the COPY), the view with its middleware
(``_get_response``) and, within the view, building the table (``log_table``)."""

import gc
import statistics
import time

from django.contrib.auth import get_user_model
from django.core.handlers import base
from django.test import Client

from governance import views

parts: dict[str, list[float]] = {}


def timed(name, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        result = function(*args, **kwargs)
        parts.setdefault(name, []).append(time.perf_counter() - started)
        return result

    return wrapper


base.BaseHandler._get_response = timed("view and middleware", base.BaseHandler._get_response)
views.queries.log_table = timed("building the table", views.queries.log_table)
client = Client()
client.force_login(get_user_model().objects.get(username="pmo"))
URL = "/raid/export.csv"
for _ in range(2):
    b"".join(client.get(URL).streaming_content)
gc.freeze()
parts.clear()
whole, body = [], []
for _ in range(80):
    started = time.perf_counter()
    response = client.get(URL)
    answered = time.perf_counter()
    b"".join(response.streaming_content)
    ended = time.perf_counter()
    whole.append(ended - started)
    body.append(ended - answered)
print(f"whole download {statistics.median(whole) * 1000:.1f} ms")
print(f"reading the body (the COPY) {statistics.median(body) * 1000:.1f} ms")
for name, seconds in parts.items():
    print(f"{name} {statistics.median(seconds) * 1000:.1f} ms")

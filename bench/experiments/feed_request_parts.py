# What a one-row request of the OData feed (`$top=1`) spends where: the whole request, the view
# with its middleware, the token's authentication and, within it, the one query that reads the
# token, its owner, their roles and the sign-in throttle's lock (`access_token_check`); medians
# of 300 requests. Then that query's plan and run time in PostgreSQL. Run in `manage.py shell`
# on a `make bench` database (see README.md).
import gc
import logging
import statistics
import time

from django.core.handlers import base
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from api import auth
from api import services as api_services

logging.disable(logging.WARNING)
REQUESTS = 300
URL = "/odata/BenefitProfileYears?$top=1"
parts: dict[str, list[float]] = {}


def timed(name, owner, attribute):
    function = getattr(owner, attribute)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        result = function(*args, **kwargs)
        parts.setdefault(name, []).append(time.perf_counter() - started)
        return result

    setattr(owner, attribute, wrapper)


timed("the view and its middleware", base.BaseHandler, "_get_response")
timed("the token's authentication", auth, "authenticate")
timed("of which the token's query", auth.services, "access_token_check")
_token, secret = api_services.access_token_create(
    actor=User.objects.get(username="pmo"), name="feed request parts", expires_in_days=30
)
headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
client = Client()
for _ in range(20):
    client.get(URL, **headers)
gc.freeze()
parts.clear()
whole = []
for _ in range(REQUESTS):
    started = time.perf_counter()
    if client.get(URL, **headers).status_code != 200:
        raise SystemExit(f"{URL} did not answer 200")
    whole.append(time.perf_counter() - started)
print(f"the whole request: {statistics.median(whole) * 1000:.2f} ms")
for name in (
    "the view and its middleware",
    "the token's authentication",
    "of which the token's query",
):
    print(f"{name}: {statistics.median(parts[name]) * 1000:.2f} ms")
with CaptureQueriesContext(connection) as queries:
    client.get(URL, **headers)
with connection.cursor() as cursor:
    for _ in range(5):
        cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + queries.captured_queries[0]["sql"])
    print("the token's query in PostgreSQL:", *(r[0] for r in cursor.fetchall() if "Time" in r[0]))
_token.delete()

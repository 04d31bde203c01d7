# What the whole portfolio's RAID log costs when its count and heat map are out of date (after a
# save): its queries over governance_risk with their EXPLAIN ANALYZE execution times, and the
# page's median time over 20 requests, each after the cache's generation is bumped, as
# `make bench`'s "uncached" row does. Run in `manage.py shell` (DJANGO_DEBUG=0) on a
# `make bench` database.
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core import caching

client = Client()
client.force_login(User.objects.filter(groups__name="PMO").first())
client.get("/raid/")
caching.bump()
with CaptureQueriesContext(connection) as captured:
    client.get("/raid/")
for query in captured.captured_queries:
    sql = query["sql"]
    if sql.startswith("SELECT") and "governance_risk" in sql:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + sql)
            plan = [line for (line,) in cursor.fetchall()]
        print(f"{plan[-1]}: {sql[:120]}…")
times = []
for _ in range(20):
    caching.bump()
    started = time.perf_counter()
    client.get("/raid/")
    times.append(time.perf_counter() - started)
print(f"the page, uncached: {statistics.median(times) * 1000:.1f} ms (median of 20)")

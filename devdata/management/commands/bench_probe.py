"""One measurement of `make bench` (bin/bench), run in its own process; prints JSON.

- ``rollup``: median time of ``rollup_compute()`` against one hand-written SQL GROUP BY over
  the same benefit profile rows (the floor), their totals asserted equal, and the peak memory
  (ru_maxrss) of this process.
- ``pages``: median and p95 server time of the hot pages over ``--requests`` requests with the
  Django test Client, signed in as the PMO user, and the SQL queries each page makes.
- ``session``: a signed-in session key for the PMO user (for the throughput run).
- ``report``: the quarterly report (its data, PDF and workbook) for the latest quarter with
  highlight reports: time of each step and the peak memory (ru_maxrss) of this process.
"""

import json
import resource
import statistics
import time
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from benefits.rollup import rollup_compute
from dashboard import caching
from portfolio.models import HighlightReport, Programme, Stage
from portfolio.periods import Quarter
from reports import quarterly as reports

FLOOR_SQL = """
SELECT bp.financial_year,
       SUM(CASE WHEN b.type = 'dis_benefit' THEN -bp.planned ELSE bp.planned END),
       SUM(CASE WHEN b.type = 'dis_benefit' THEN -bp.forecast ELSE bp.forecast END),
       SUM(CASE WHEN b.type = 'dis_benefit' THEN -bp.actual ELSE bp.actual END)
FROM benefits_benefitprofile bp
JOIN benefits_benefit b ON b.id = bp.benefit_id
JOIN portfolio_programme p ON p.id = b.programme_id
WHERE b.type <> 'non_financial'
GROUP BY p.portfolio_id, b.programme_id, b.directorate_id, p.category, b.mtfp_line_id,
         bp.financial_year
"""


UNCACHED = "Dashboard, uncached (a save before each request)"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _floor() -> dict[int, tuple[Decimal, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        rows = cursor.fetchall()
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for year, *money in rows:
        for i, amount in enumerate(money):
            totals[year][i] += amount
    return {year: tuple(v) for year, v in totals.items()}


def _rollup_totals(rollup) -> dict[int, tuple[Decimal, ...]]:
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for row in rollup.rows:
        for i, name in enumerate(("planned", "forecast", "actual")):
            totals[row["financial_year"]][i] += row[name]
    return {year: tuple(v) for year, v in totals.items() if any(v)}


class Command(BaseCommand):
    help = "One measurement for bin/bench (rollup, pages or session); prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["rollup", "pages", "session", "report"])
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument(
            "--budget",
            type=float,
            default=45.0,
            help="Seconds per page: stop early (after at least 5 requests) once spent.",
        )

    def handle(self, *args, **options) -> None:
        result = getattr(self, options["what"])(options)
        self.stdout.write(json.dumps(result))

    def rollup(self, options) -> dict:
        rollup_compute()  # warm the connection and the plans
        _floor()
        rollup_s, rollup = _timed(rollup_compute, options["repeat"])
        floor_s, floor = _timed(_floor, options["repeat"])
        if _rollup_totals(rollup) != floor:
            raise CommandError("The roll-up's totals differ from the SQL floor's.")
        return {
            "rollup_s": rollup_s,
            "floor_s": floor_s,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "programmes": Programme.objects.count(),
        }

    def _pmo(self):
        return get_user_model().objects.get(username="pmo")

    def pages(self, options) -> dict:
        programme = Programme.objects.filter(stage=Stage.DELIVER).order_by("pk").first()
        if programme is None:
            raise CommandError("No programme in Deliver: run generate_portfolio first.")
        client = Client()
        client.force_login(self._pmo())
        pages = {
            "Dashboard": "/dashboard/",
            UNCACHED: "/dashboard/",
            "Programmes (stage=deliver, category=A)": "/programmes/?stage=deliver&category=A",
            "One programme": programme.get_absolute_url(),
            "Gates": "/gates/",
            "RAID log": f"{programme.get_absolute_url()}raid/",
            "Lessons (search)": "/lessons/?q=procurement+lead",
        }
        results = {}
        for name, url in pages.items():
            response = client.get(url)  # warm
            if response.status_code != 200:
                raise CommandError(f"{url} returned {response.status_code}")
            queries: list[str] = []

            def count(run, sql, *args, seen=queries):
                seen.append(sql)
                return run(sql, *args)

            if name == UNCACHED:
                caching.invalidate()
            with connection.execute_wrapper(count):
                client.get(url)
            times: list[float] = []
            deadline = time.perf_counter() + options["budget"]
            while len(times) < options["requests"]:
                if name == UNCACHED:
                    caching.invalidate()  # as after any save: the panels are rendered afresh
                started = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - started)
                if len(times) >= 5 and time.perf_counter() > deadline:
                    break
            results[name] = {
                "url": url,
                "median_s": statistics.median(times),
                "p95_s": _p95(times),
                "queries": len(queries),
                "requests": len(times),
            }
        return results

    def session(self, options) -> dict:
        client = Client()
        client.force_login(self._pmo())
        return {"sessionid": client.cookies["sessionid"].value}

    def report(self, options) -> dict:
        newest = HighlightReport.objects.order_by("-month").values_list("month", flat=True)[:1]
        if not newest:
            raise CommandError("No highlight reports: run generate_portfolio first.")
        quarter = Quarter.from_date(newest[0])
        before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        steps = {}
        started = time.perf_counter()
        data = reports.report_data(quarter)
        steps["data_s"] = time.perf_counter() - started
        started = time.perf_counter()
        pdf = reports.render_pdf(data)
        steps["pdf_s"] = time.perf_counter() - started
        started = time.perf_counter()
        xlsx = reports.render_xlsx(data)
        steps["xlsx_s"] = time.perf_counter() - started
        return {
            **steps,
            "quarter": quarter.long_label,
            "programmes": len(data["programmes"]),
            "pdf_kb": len(pdf) // 1024,
            "xlsx_kb": len(xlsx) // 1024,
            "before_mb": before_mb,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }

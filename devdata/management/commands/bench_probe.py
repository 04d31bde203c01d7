"""One measurement of `make bench` (bin/bench), run in its own process; prints JSON.

- ``rollup``: ``rollup_compute()`` against its honest floor, in pairs run back to back (the
  medians of each, and the median of the pairs' ratios, ``pair_ratio``, the one judged): one
  hand-written SQL GROUP BY over the same sources (MTFP targets, benefit profiles, one-off costs)
  giving the same columns in the same order, and the payload's stage and delivery confidence
  counts each by one plain statement, on a plain cursor with the roll-up's session settings,
  and the headline sums by adding up its rows in one pass (``floor_sums_s``: their own time);
  every value asserted equal, row by row, the roll-up's headline sums and its counts to the
  floor's; and the peak memory (ru_maxrss) of this process
  after one roll-up, before the floor's rows are held beside it (and after both,
  ``with_floor_mb``).
- ``pages``: median and p95 server time of the hot pages over ``--requests`` requests with the
  Django test Client, signed in as the PMO user, and the SQL queries each page makes (the
  uncached dashboard includes "Ratings to challenge", two queries at any size).
- ``session``: a signed-in session key for the PMO user (for the throughput run).
- ``staff_pages``: the pages of issue #22 that grew with the portfolio (a manager's home page,
  /actions/mine/ and /benefits/mine/, the PMO's year of savings and /raid/): median and p95
  server time, SQL queries and HTML size.
- ``exports``: the portfolio-wide RAID export as CSV and XLSX: median time, rows, and the peak
  memory traced (tracemalloc) while the response is built and read to its end.
- ``small_requests``: what a download and a feed page cost before their rows: the RAID
  downloads of the one programme with the fewest risks (the request, signing in, building the
  query) and a one-row request of the OData feed (the token, the throttle, the roles): median
  and p95 over ``--requests`` requests each, in turn. bin/bench measures them in every round of
  the pages, as the pages are, so that a drift of the machine between the sizes' probes falls
  on them alike.
- ``rollup_incremental``: after an edit to one programme (a benefit's profile saved through
  its service, which marks the programme), the incremental roll-up's own work
  (``rollup_refresh()``) against a full run (``rollup_run()``) after the same edit, alternated,
  each in a transaction rolled back (median of ``--repeat``); the refresh's result is asserted
  equal to a full computation and its queries counted.
- ``reminders``: the daily reminder run (``governance.reminders.reminder_run``), writing the
  outbox rows for every action and risk review due or overdue, inside a transaction that is
  rolled back (so every repeat writes the same rows and nothing is delivered), against one
  plain SQL count of the same due items (the floor; the counts asserted equal); the queries the
  run makes and the peak memory (ru_maxrss) of this process.
- ``report``: the quarterly report (its data, PDF and workbook) for the latest quarter with
  highlight reports: time of each step and the peak memory (ru_maxrss) of this process.
- ``report_build`` and ``board_pack`` (issue 22, big documents): what the Celery worker runs,
  in this process: ``reports.build.report_build`` for a new version of the latest quarter's
  report (data, PDF, workbook, the data stored), and ``reports.boardpacks.board_pack_pdf_build``
  for a new PDF of the Strategic Transformation Board's pack (PDF and workbook appendix); the
  time, the peak memory (ru_maxrss) of this process, the files' sizes and the PDF's pages.
  Files go to a temporary directory and the rows are rolled back.
- ``onboarding``: an onboarding workbook of 500 programmes and 20,000 RAID rows: the worker's
  preview and confirm against a plain bulk_create of the same rows, and peak memory
  (devdata/onboarding_bench.py; run it on a freshly migrated database).
- ``odata``: every benefit profile year read through the OData feed (/odata/BenefitProfileYears,
  as the PMO's personal access token, following ``@odata.nextLink`` to the end) against two
  floors over the same rows and columns: ``COPY (SELECT …) TO STDOUT`` and a plain SELECT
  fetched into Python. The feed's totals are asserted equal to the database's; the median time
  of a one-row request shows what each page pays whatever its size; peak memory is the
  ru_maxrss of this process, which served every page.

Several measurements may run one after another in one process (bin/bench does, so that it
starts Python and Django once rather than once a measurement): ``bench_probe rollup:repeat=31
pages:requests=20,budget=12 exports:repeat=3`` prints one JSON object keyed by measurement, with
the seconds each took under ``"step_seconds"``. A measurement that reports its process's peak
memory (ru_maxrss) must run first in its process, before anything else has raised that peak:
any other order is refused.
"""

import gc
import json
import re
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from copy import copy
from decimal import Decimal
from io import BytesIO
from typing import Any, NamedTuple, cast
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.http import QueryDict
from django.test import Client, override_settings
from django.utils import timezone
from openpyxl import Workbook

from api import services as api_services
from benefits.models import BenefitProfile
from benefits.rollup import TUNING_SQL, current_plan, rollup_compute, sqlite_decimal
from core import caching
from devdata import onboarding_bench
from devdata.synthetic import analyze
from governance import imports as raid_imports
from governance.logs import LOGS
from governance.models import Risk
from governance.queries import filtered_rows
from governance.reminders import (
    benefit_actuals_items,
    follow_up_review_items,
    highlight_report_items,
    reminder_run,
)
from portfolio.models import HighlightReport, Programme, Stage
from portfolio.periods import Quarter
from reports import quarterly as reports

# The honest floor of the roll-up: the same three sources (MTFP targets of the current plan,
# financial benefits' profiles, one-off costs), grouped by the same keys into the same columns,
# in the same order, on a plain cursor with the roll-up's own session settings. Written here by
# hand, apart from benefits.rollup, so the two can be compared value by value.
FLOOR_SQL = """
SELECT portfolio, programme, directorate, category, mtfp_line, financial_year,
       COALESCE(SUM(target), 0.00), COALESCE(SUM(planned), 0.00),
       COALESCE(SUM(forecast), 0.00), COALESCE(SUM(actual), 0.00),
       COALESCE(SUM(forecast), 0.00) - COALESCE(SUM(target), 0.00),
       COALESCE(SUM(budget), 0.00), COALESCE(SUM(spend), 0.00)
FROM (
    SELECT p.portfolio_id AS portfolio, l.programme_id AS programme,
           l.directorate_id AS directorate, p.category AS category, t.line_id AS mtfp_line,
           t.financial_year AS financial_year, t.amount AS target,
           CAST(NULL AS NUMERIC) AS planned, CAST(NULL AS NUMERIC) AS forecast,
           CAST(NULL AS NUMERIC) AS actual, CAST(NULL AS NUMERIC) AS budget,
           CAST(NULL AS NUMERIC) AS spend
    FROM benefits_mtfptarget t
    JOIN benefits_mtfpline l ON l.id = t.line_id
    LEFT JOIN portfolio_programme p ON p.id = l.programme_id
    WHERE l.plan_id = %(plan)s
    UNION ALL
    SELECT p.portfolio_id, b.programme_id, b.directorate_id, p.category, b.mtfp_line_id,
           bp.financial_year, NULL,
           CASE WHEN b.type = 'dis_benefit' THEN -bp.planned ELSE bp.planned END,
           CASE WHEN b.type = 'dis_benefit' THEN -bp.forecast ELSE bp.forecast END,
           CASE WHEN b.type = 'dis_benefit' THEN -bp.actual ELSE bp.actual END, NULL, NULL
    FROM benefits_benefitprofile bp
    JOIN benefits_benefit b ON b.id = bp.benefit_id
    JOIN portfolio_programme p ON p.id = b.programme_id
    WHERE b.type <> 'non_financial'
    UNION ALL
    SELECT p.portfolio_id, c.programme_id, p.directorate_id, p.category, NULL,
           c.financial_year, NULL, NULL, NULL, NULL, c.budget, c.actual
    FROM benefits_oneoffcost c
    LEFT JOIN portfolio_programme p ON p.id = c.programme_id
) AS src
GROUP BY portfolio, programme, directorate, category, mtfp_line, financial_year
ORDER BY portfolio NULLS FIRST, programme NULLS FIRST, directorate NULLS FIRST,
         category NULLS FIRST, mtfp_line NULLS FIRST, financial_year NULLS FIRST
"""

# The payload's status counts, which the roll-up's statement computes beside the money: programmes
# by stage, and open programmes by their latest highlight report's delivery confidence, per
# portfolio. The floor produces them too, each by the plainest statement (the latest report's
# confidence as each programme keeps it, ``latest_report_confidence``, which the roll-up reads
# too), so that every value of the payload is compared with the floor's and the floor does what
# the roll-up's output needs.
FLOOR_STAGES_SQL = "SELECT stage, COUNT(*) FROM portfolio_programme GROUP BY stage"
FLOOR_CONFIDENCE_SQL = """
SELECT p.portfolio_id, NULLIF(p.latest_report_confidence, ''), COUNT(*)
FROM portfolio_programme p
WHERE p.stage IN ('identify', 'define', 'design', 'deliver')
GROUP BY 1, 2
"""


# The payload's headline sums (totals, each year's, each MTFP line's, the programme-wide costs),
# which the roll-up's statement computes beside the groups: the floor adds up its own rows for
# them, one pass of one dictionary update a row (by year, line and whether the row has a
# programme; the hundred or so sums then folded), so that it too produces every value the
# roll-up is compared on. Until the fourteenth round the check below added them up after the
# floor's clock had stopped.
FLOOR_MONEY = ("target", "planned", "forecast", "actual", "variance", "budget", "spend")


class Sums(NamedTuple):
    totals: dict[str, Decimal]
    years: dict[int, dict[str, Decimal]]
    lines: dict[int, dict[str, Decimal]]
    wide: dict[str, Decimal]  # the costs of the rows of no programme


def _floor_sums(rows: list[tuple]) -> Sums:
    """The headline sums of the floor's rows (keys…, money… in the order of FLOOR_MONEY)."""
    by_key: dict[tuple, list[Decimal]] = {}
    for row in rows:
        key = (row[5], row[4], row[1] is None)
        found = by_key.get(key)
        if found is None:
            by_key[key] = list(row[6:])
        else:
            target, planned, forecast, actual, variance, budget, spend = row[6:]
            found[0] += target
            found[1] += planned
            found[2] += forecast
            found[3] += actual
            found[4] += variance
            found[5] += budget
            found[6] += spend
    zero = Decimal("0.00")
    totals = dict.fromkeys(FLOOR_MONEY, zero)
    years: dict[int, dict[str, Decimal]] = {}
    lines: dict[int, dict[str, Decimal]] = {}
    wide = dict.fromkeys(("budget", "spend"), zero)
    for (year, line, no_programme), money in by_key.items():
        sums = [(year, years), (line, lines)] if line is not None else [(year, years)]
        for key, into in sums:
            into.setdefault(key, dict.fromkeys(FLOOR_MONEY, zero))
        for name, amount in zip(FLOOR_MONEY, money, strict=True):
            totals[name] += amount
            for key, into in sums:
                into[key][name] += amount
            if no_programme and name in wide:
                wide[name] += amount
    return Sums(totals, years, lines, wide)


class Floor(NamedTuple):
    """What the honest floor produces: the groups, the status counts and the headline sums."""

    rows: list[tuple]  # (keys…, money…), ordered by the keys
    stages: list[tuple]  # (stage, programmes)
    confidence: list[tuple]  # (portfolio, the latest report's confidence or None, programmes)
    sums: Sums


# The columns BenefitProfileYears serves (Id, BenefitId, FinancialYear, Planned, Forecast,
# Actual), in the order the feed pages them (by key).
ODATA_FLOOR_SQL = """
SELECT id, benefit_id, financial_year, planned, forecast, actual
FROM benefits_benefitprofile ORDER BY id
"""
ODATA_FEED = "/odata/BenefitProfileYears"
MONEY = ("planned", "forecast", "actual")
DUE_SQL = """
SELECT (SELECT COUNT(*) FROM governance_action a JOIN accounts_user u ON u.id = a.owner_id
        WHERE a.status IN ('open', 'in_progress') AND u.is_active AND a.due_date <= %s)
     + (SELECT COUNT(*) FROM governance_risk r JOIN accounts_user u ON u.id = r.owner_id
        WHERE r.status = 'open' AND u.is_active AND r.review_date <= %s)
"""

UNCACHED = "Dashboard, uncached (a save before each request)"
REALISATION_UNCACHED = "Benefits realisation, uncached (a save before each request)"
RAID_UNCACHED = "RAID log, whole portfolio, uncached (a save before each request)"
# pages whose portfolio-wide figures core.caching keeps until a save: timed as most requests find
# them and, in these rows, with the cache's generation bumped before each request, as a save does
AFTER_A_SAVE = {UNCACHED, REALISATION_UNCACHED, RAID_UNCACHED}


def _latest_quarter() -> Quarter:
    newest = HighlightReport.objects.order_by("-month").values_list("month", flat=True)[:1]
    if not newest:
        raise CommandError("No highlight reports: run generate_portfolio first.")
    return Quarter.from_date(newest[0])


def _pages(pdf: bytes) -> int:
    """The PDF's page count, as poppler's pdfinfo reads it (0 when pdfinfo is not installed)."""
    program = shutil.which("pdfinfo")
    if not program:
        return 0
    info = subprocess.run([program, "-"], input=pdf, capture_output=True, check=True)  # noqa: S603 - poppler reading bytes
    found = re.search(r"^Pages:\s+(\d+)", info.stdout.decode(), re.MULTILINE)
    return int(found[1]) if found else 0


def _built(build: Callable[[], Any], workbook: str) -> dict:
    """Run ``build`` (it returns the built row) with files stored in a temporary directory,
    inside a transaction rolled back afterwards: its time, the peak memory of this process and
    what it made."""
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with (
        tempfile.TemporaryDirectory() as media,
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        started = time.perf_counter()
        row = build()
        seconds = time.perf_counter() - started
        if row.status != "generated":
            raise CommandError(f"The build failed: {row.error}")
        pdf = row.pdf.read()
        result = {
            "seconds": seconds,
            "programmes": Programme.objects.count(),
            "pdf_kb": len(pdf) // 1024,
            "pdf_pages": _pages(pdf),
            "xlsx_kb": getattr(row, workbook).size // 1024,
            "before_mb": before_mb,
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        transaction.set_rollback(True)
    return result


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


def _seconds(run: Callable[[], Any]) -> Callable[[], float]:
    """``run`` as a callable that returns the seconds it took."""
    return lambda: _timed(run, 1)[0]


def _alternated(
    runs: dict[str, Callable[[], float]], rounds: int, most: int = 0, within: float = 0.0
) -> dict[str, list[float]]:
    """Each of ``runs`` (each returns the seconds it took) once a round, after a garbage
    collection, in an order rotated a place each round: none always runs first, and a drift
    of the machine during the rounds falls on them all alike. ``rounds`` rounds, then more,
    up to ``most``, while the rounds have taken less than ``within`` seconds (small, quick
    runs get more rounds, for a steadier median). Each one's seconds, in order."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    # What is alive now (Django, the warm-ups) is frozen out of the collections: each one then
    # looks at the rounds' own garbage only (a full collection took ~0.1 s in this process).
    gc.collect()
    gc.freeze()
    try:
        started = time.perf_counter()
        i = 0
        while i < rounds or (i < most and time.perf_counter() - started < within):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                gc.collect()
                times[name].append(runs[name]())
            i += 1
    finally:
        gc.unfreeze()
    return times


def _floor(plan_id: int | None) -> Floor:
    """The honest floor's rows and status counts, on a plain cursor in a transaction with the
    roll-up's own session settings (work_mem, JIT: benefits.rollup.TUNING_SQL), and its rows'
    headline sums."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and TUNING_SQL:
            cursor.execute(TUNING_SQL)
        cursor.execute(FLOOR_SQL, {"plan": plan_id})
        rows = cursor.fetchall()
        cursor.execute(FLOOR_STAGES_SQL)
        stages = cursor.fetchall()
        cursor.execute(FLOOR_CONFIDENCE_SQL)
        confidence = cursor.fetchall()
    if connection.vendor != "postgresql":  # the tests' SQLite: sums of money come back as floats
        rows = [(*row[:6], *map(sqlite_decimal, row[6:])) for row in rows]
    return Floor(rows, stages, confidence, _floor_sums(rows))


def _rollup_check(rollup, floor: Floor) -> None:
    """Every value of the roll-up equal to the floor's, row by row in order; its headline
    sums (totals, by year, programme-wide costs, each MTFP line's money) equal to the floor's
    (its rows added up); its stage and delivery confidence counts equal to the floor's."""
    _status_check(rollup.payload, floor)
    rows = floor.rows
    if len(rollup.groups) != len(rows):
        raise CommandError(f"The roll-up has {len(rollup.groups)} rows, the floor {len(rows)}.")
    for i, (mine, theirs) in enumerate(zip(rollup.groups, rows, strict=True)):
        if tuple(mine) != tuple(theirs):
            raise CommandError(f"Row {i} differs: roll-up {mine!r}, floor {theirs!r}.")
    totals, years, lines, wide = floor.sums
    payload = rollup.payload
    expected = {
        "totals": {k: str(v) for k, v in totals.items()},
        "by_year": [
            {"financial_year": y, **{k: str(v) for k, v in years[y].items()}} for y in sorted(years)
        ],
        "programme_wide": {k: str(v) for k, v in wide.items()},
    }
    found = {
        "totals": payload["totals"],
        "by_year": payload["by_year"],
        "programme_wide": payload["one_off_costs"]["programme_wide"],
    }
    if found != expected:
        raise CommandError(f"The roll-up's headline sums differ from the floor's: {found!r}")
    for entry in payload["deliverability"]:
        line = lines.get(entry["mtfp_line"], dict.fromkeys(FLOOR_MONEY, Decimal(0)))
        if any(Decimal(entry[k]) != line[k] for k in ("target", "forecast", "actual")):
            raise CommandError(f"MTFP line {entry['mtfp_line']}'s money differs from the floor's.")


def _status_check(payload: dict, floor: Floor) -> None:
    stages = {stage: count for stage, count in payload["stages"].items() if count}
    if stages != dict(floor.stages):
        raise CommandError(f"The roll-up's stage counts {stages!r} differ from the floor's.")
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    for portfolio, confidence, count in floor.confidence:
        if confidence is not None:  # no report yet
            counted[str(portfolio)][confidence] = count
    if payload["delivery_confidence"]["by_portfolio"] != counted:
        raise CommandError("The roll-up's delivery confidence counts differ from the floor's.")


def _copy_floor(limit: str = "") -> int:
    """Every row as COPY text (or the first ``limit``: "LIMIT 1"), read to the end; returns the
    bytes read (PostgreSQL only)."""
    connection.ensure_connection()
    size = 0
    statement = f"COPY ({ODATA_FLOOR_SQL.strip()} {limit}) TO STDOUT"
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for block in copy:
            size += len(block)
    return size


def _select_floor() -> int:
    """Every row fetched into Python values (Decimals, ints) in batches; returns the count."""
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(ODATA_FLOOR_SQL)
        while batch := cursor.fetchmany(2000):
            rows += len(batch)
    return rows


def _feed_request(client: Client, headers: dict[str, str]) -> float:
    """One request of one row: what every page pays whatever its size (the token, the
    throttle, the owner's roles, the middleware)."""
    started = time.perf_counter()
    response = client.get(ODATA_FEED + "?$top=1", **headers)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise CommandError(f"{ODATA_FEED}?$top=1 returned {response.status_code}")
    return seconds


def _entities(text: str) -> Iterator[tuple[dict | None, dict]]:
    """A feed page's entities one at a time (``(entity, {})``), then ``(None, the page's other
    members)``: the probe, as a client, holds the page's text but not 50,000 parsed entities
    at once, so its peak memory stays the serving side's."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    opening = text.index(',"value":[') + len(',"value":[')
    position = opening
    while text[position] != "]":
        entity, position = decoder.raw_decode(text, position)
        yield entity, {}
        if text[position] == ",":
            position += 1
    yield None, json.loads(text[: opening - len(',"value":[')] + text[position + 1 :])


def _feed_read(client: Client, headers: dict[str, str]) -> dict:
    """Follow @odata.nextLink from the first page to the last. Only the requests are timed
    (the server's work, in this process); parsing and adding up happen outside the clock."""
    url: str | None = ODATA_FEED
    seconds, rows, pages, largest = 0.0, 0, 0, 0
    totals = dict.fromkeys(MONEY, Decimal(0))
    while url:
        started = time.perf_counter()
        response = client.get(url, **headers)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seconds += time.perf_counter() - started
        if response.status_code != 200:
            raise CommandError(f"{url} returned {response.status_code}: {body[:300]!r}")
        pages += 1
        largest = max(largest, len(body))
        following = None
        for entity, page in _entities(body.decode()):
            if entity is None:
                following = page.get("@odata.nextLink")
                break
            rows += 1
            for name in MONEY:
                totals[name] += entity[name.title()]
        url = None
        if following:
            parts = urlsplit(following)
            url = parts.path + "?" + parts.query
    return {"seconds": seconds, "rows": rows, "pages": pages, "largest": largest,
            "totals": totals}  # fmt: skip


MEASURES = (
    "rollup",
    "rollup_incremental",
    "pages",
    "session",
    "report",
    "odata",
    "staff_pages",
    "exports",
    "small_requests",
    "reminders",
    "report_build",
    "board_pack",
    "raid_import",
    "onboarding",
)
# The measurements whose figures include this process's peak memory (ru_maxrss): only ever the
# first of a process, so that no earlier measurement's peak is counted as theirs.
PEAK_MEMORY = {"rollup", "reminders", "report", "report_build", "board_pack", "onboarding", "odata"}
# The options a measurement may set after its name (``pages:requests=20,budget=12``).
STEP_OPTIONS: dict[str, Callable[[str], Any]] = {
    "repeat": int,
    "rows": int,
    "requests": int,
    "budget": float,
    "page_size": int,
    "programmes": int,
}


def _step(spec: str, defaults: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``name`` or ``name:option=value,…``: the measurement and its options (the command's
    own options, then those given after the colon)."""
    name, _, given = spec.partition(":")
    if name not in MEASURES:
        raise CommandError(f"Unknown measurement {name!r}: one of {', '.join(MEASURES)}.")
    options = dict(defaults)
    for pair in filter(None, given.split(",")):
        key, _, value = pair.partition("=")
        key = key.replace("-", "_")
        if key not in STEP_OPTIONS or not value:
            raise CommandError(f"{spec}: options are {', '.join(STEP_OPTIONS)} (key=value).")
        options[key] = STEP_OPTIONS[key](value)
    return name, options


class Command(BaseCommand):
    help = "The measurements of bin/bench (one, or several in one process); prints JSON."
    # No system checks: bin/bench starts this command about a dozen times a run, and the checks
    # (every URL, template and model) are the test suite's and `migrate`'s job, not a measure.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "what",
            nargs="+",
            metavar="WHAT[:option=value,…]",
            help=f"One of {', '.join(MEASURES)}; or several, run one after another in this "
            "process, each with its own options after a colon (repeat=31,budget=12).",
        )
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument(
            "--rows", type=int, default=10_000, help="raid_import: risks in the spreadsheet."
        )
        parser.add_argument("--requests", type=int, default=50)
        parser.add_argument(
            "--programmes",
            type=int,
            default=onboarding_bench.PROGRAMMES,
            help="onboarding: programmes in the workbook (its RAID rows in proportion).",
        )
        parser.add_argument(
            "--budget",
            type=float,
            default=45.0,
            help="Seconds per page: stop early (after at least 5 requests) once spent.",
        )
        parser.add_argument(
            "--page-size",
            type=int,
            default=0,
            help="odata: ask the feed for pages of this many rows (Prefer: odata.maxpagesize); "
            "0 takes the feed's own page size, as Power BI and Excel do.",
        )

    def handle(self, *args, **options) -> None:
        steps = [_step(spec, options) for spec in options["what"]]
        names = [name for name, _ in steps]
        if len(set(names)) != len(names):
            raise CommandError(f"A measurement named twice: {' '.join(names)}")
        late = [name for name in names[1:] if name in PEAK_MEMORY]
        if late:
            raise CommandError(
                f"{', '.join(late)} reports this process's peak memory: run it first in its "
                "process (or in a process of its own)."
            )
        if len(steps) == 1:
            name, step_options = steps[0]
            self.stdout.write(json.dumps(getattr(self, name)(step_options)))
            return
        results: dict[str, Any] = {"step_seconds": {}}
        for name, step_options in steps:
            started = time.perf_counter()
            results[name] = getattr(self, name)(step_options)
            results["step_seconds"][name] = time.perf_counter() - started
        self.stdout.write(json.dumps(results))

    def onboarding(self, options) -> dict:
        """The onboarding workbook at scale (devdata/onboarding_bench.py)."""
        return onboarding_bench.measure(options["programmes"])

    def rollup(self, options) -> dict:
        plan = current_plan()
        plan_id = plan.pk if plan else None
        rollup_compute()  # warm the connection and the plans
        # The roll-up's own peak: before the floor's rows (as many again) are held beside it.
        rollup_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        _floor(plan_id)
        runs: dict[str, Callable[[], Any]] = {
            "rollup": rollup_compute,
            "floor": lambda: _floor(plan_id),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        held: dict[str, Any] = {}
        for i in range(options["repeat"]):
            # alternated, so both see the same machine, and each pair in the other order from
            # the last (roll-up first, then floor first, …): neither always runs first or
            # beside the other's rows, and a drift of the machine during the run falls on both
            # alike. Each pair starts with the last pair's rows released, and each run with no
            # garbage to collect, so neither pays for the other's objects (a collection of
            # either's 7,695 rows at 500 programmes landed in whichever ran next).
            held.clear()
            for name in sorted(runs, reverse=i % 2 == 0):  # "rollup" first on even pairs
                gc.collect()
                seconds, held[name] = _timed(runs[name], 1)
                times[name].append(seconds)
        rollup_s, floor_s = statistics.median(times["rollup"]), statistics.median(times["floor"])
        rollup, floor = held["rollup"], held["floor"]
        _rollup_check(rollup, floor)
        # what the floor's headline sums took of its time, alone (for the record)
        sums_s, _sums = _timed(lambda: _floor_sums(floor.rows), 5)
        return {
            "rollup_s": rollup_s,
            "floor_s": floor_s,
            # each pair's ratio, their median (the row's): a change of the machine's load
            # between pairs moves the ratio of the medians, not the pairs' own ratios
            "pair_ratio": statistics.median(
                r / f for r, f in zip(times["rollup"], times["floor"], strict=True)
            ),
            "pairs": len(times["rollup"]),
            "floor_sums_s": sums_s,
            "rows": len(floor.rows),
            "maxrss_mb": rollup_mb,
            "with_floor_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "programmes": Programme.objects.count(),
        }

    def rollup_incremental(self, options) -> dict:
        return _rollup_incremental(options)

    def reminders(self, options) -> dict:
        from datetime import timedelta

        from governance.models import Action, Risk

        today = timezone.localdate()
        horizon = today + timedelta(days=3)

        def floor() -> int:
            with connection.cursor() as cursor:
                cursor.execute(DUE_SQL, [horizon, horizon])
                return cursor.fetchone()[0]

        def run() -> int:
            with transaction.atomic():
                written = reminder_run(today)
                transaction.set_rollback(True)
            return written

        queries: list[str] = []

        def count(execute, sql, *args):
            queries.append(sql)
            return execute(sql, *args)

        with connection.execute_wrapper(count):
            written = run()  # also warms the connection and the plans
        # The floor counts the actions and risks due; the run also writes the reminders of the
        # reporting calendar (highlight reports, benefit actuals, follow-up reviews), which are
        # due only in some weeks of the month: counted from the same items, to check the total.
        calendar = sum(
            1
            for items in (highlight_report_items, benefit_actuals_items, follow_up_review_items)
            for _ in items(today)
        )
        due = floor() + calendar
        if written != due:
            raise CommandError(
                f"The reminder run wrote {written} rows; the SQL count and the calendar's "
                f"reminders are {due}."
            )
        run_s, _ = _timed(run, options["repeat"])
        floor_s, _ = _timed(floor, options["repeat"])
        return {
            "run_s": run_s,
            "floor_s": floor_s,
            "due": due,
            "queries": len(queries),
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "programmes": Programme.objects.count(),
            "actions": Action.objects.count(),
            "risks": Risk.objects.count(),
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
            "Benefits realisation": "/benefits/realisation/",
            REALISATION_UNCACHED: "/benefits/realisation/",
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

            if name in AFTER_A_SAVE:
                caching.invalidate()
            with connection.execute_wrapper(count):
                client.get(url)
            times: list[float] = []
            deadline = time.perf_counter() + options["budget"]
            while len(times) < options["requests"]:
                if name in AFTER_A_SAVE:
                    caching.invalidate()  # as after any save: computed afresh
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
                "times_s": times,  # bin/bench pools them with other rounds' (PAGE_ROUNDS)
            }
        return results

    def session(self, options) -> dict:
        client = Client()
        client.force_login(self._pmo())
        return {"sessionid": client.cookies["sessionid"].value}

    def staff_pages(self, options) -> dict:
        return _staff_pages(options)

    def exports(self, options) -> dict:
        return _exports(options)

    def small_requests(self, options) -> dict:
        return _small_requests(options)

    def raid_import(self, options) -> dict:
        return _raid_import(options)

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

    def report_build(self, options) -> dict:
        from reports.build import report_build
        from reports.models import QuarterlyReport, ReportVersion

        quarter = _latest_quarter()

        def build() -> Any:
            report, _ = QuarterlyReport.objects.get_or_create(
                financial_year=quarter.financial_year.start_year, quarter_number=quarter.number
            )
            version = ReportVersion.objects.create(
                report=report,
                number=report.versions.count() + 1,
                requested_by=get_user_model().objects.get(username="pmo"),
                as_of=reports.quarter_end(quarter),
            )
            return report_build(version_pk=version.pk)

        result = _built(build, "xlsx")
        return {**result, "quarter": quarter.long_label}

    def board_pack(self, options) -> dict:
        from governance.models import Board, GateReview
        from reports.boardpacks import board_pack_pdf_build
        from reports.models import BoardPackPdf

        board = Board.objects.get(slug="strategic-transformation-board")

        def build() -> Any:
            row = BoardPackPdf.objects.create(
                board=board,
                number=board.pack_pdfs.count() + 1,
                requested_by=get_user_model().objects.get(username="pmo"),
            )
            return board_pack_pdf_build(pdf_pk=row.pk)

        result = _built(build, "xlsx")
        result["reviews_awaiting"] = GateReview.objects.awaiting_board(board).count()
        return result

    def odata(self, options) -> dict:
        expected = BenefitProfile.objects.aggregate(**{name: Sum(name) for name in MONEY})
        count = BenefitProfile.objects.count()
        if not count:
            raise CommandError("No benefit profiles: run generate_portfolio first.")
        _token, secret = api_services.access_token_create(
            actor=self._pmo(), name="make bench", expires_in_days=30
        )
        headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        if options["page_size"]:
            headers["HTTP_PREFER"] = f"odata.maxpagesize={options['page_size']}"
        client = Client()
        client.get(ODATA_FEED, **headers)  # warm: the first page, the token, the plans
        copy = connection.vendor == "postgresql"  # bin/bench always is; the tests may not be
        if copy:
            _copy_floor()
        before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        feed = _feed_read(client, headers)
        feed_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if feed["rows"] != count:
            raise CommandError(f"The feed served {feed['rows']} rows of {count}.")
        for name in MONEY:
            if feed["totals"][name] != (expected[name] or Decimal(0)):
                raise CommandError(f"The feed's total {name} differs from the database's.")

        def read_again() -> float:
            again = _feed_read(client, headers)
            if again["rows"] != feed["rows"] or again["totals"] != feed["totals"]:
                raise CommandError("A second read of the feed differs from the first.")
            return again["seconds"]  # the requests' time only

        # The feed and its floors alternated, as the roll-up and its floor are: the medians
        # of ``repeat`` rounds or more (up to 31 while they take under 3 s). Beside them, what
        # each pays whatever its rows: a request of one row, and a COPY of one row.
        runs: dict[str, Callable[[], float]] = {
            "feed": read_again,
            "one row": lambda: _feed_request(client, headers),
        }
        if copy:
            runs["COPY"] = _seconds(_copy_floor)
            runs["COPY one row"] = _seconds(lambda: _copy_floor("LIMIT 1"))
        runs["SELECT"] = _seconds(_select_floor)
        times = _alternated(
            runs, options["repeat"], most=EXPORT_MOST_ROUNDS, within=EXPORT_ROUNDS_SECONDS
        )
        selected = _select_floor()
        if selected != count:
            raise CommandError(f"The SELECT floor read {selected} rows of {count}.")
        reads = times["feed"]
        feed["seconds"] = statistics.median(reads)
        request_s = statistics.median(times["one row"])
        # The rows beyond what every page pays (each page a request), round by round
        pages = feed["pages"]
        beyond = [f - pages * r for f, r in zip(reads, times["one row"], strict=True)]
        copy_s = statistics.median(times["COPY"]) if copy else None
        copy_bytes = _copy_floor() if copy else None
        select_s = statistics.median(times["SELECT"])
        return {
            "rows": count,
            "pages": feed["pages"],
            "feed_s": feed["seconds"],
            "feed_reads": len(reads),
            "request_s": request_s,
            "beyond_s": statistics.median(beyond),
            "copy_s": copy_s,
            "copy_one_s": statistics.median(times["COPY one row"]) if copy else None,
            "copy_beyond_s": _beyond(times, "COPY", "COPY one row") if copy else None,
            "select_s": select_s,
            "largest_page_kb": feed["largest"] / 1024,
            "copy_kb": copy_bytes / 1024 if copy_bytes is not None else None,
            "before_mb": before_mb,
            "maxrss_mb": feed_mb,
            "programmes": Programme.objects.count(),
        }


# --- Issue #22: the pages and downloads that grew with the portfolio --------------------------
STAFF_PAGES = {  # name: (username, url)
    "Home page (a programme manager)": ("manager", "/"),
    "My actions (a programme manager)": ("manager", "/actions/mine/"),
    "My benefits (a programme manager)": ("manager", "/benefits/mine/"),
    "Savings 2025/26 (PMO)": ("pmo", "/dashboard/savings/2025/"),
    "RAID log, whole portfolio (PMO)": ("pmo", "/raid/"),
    # its count and heat map are kept until a save (governance.queries): here counted afresh
    RAID_UNCACHED: ("pmo", "/raid/"),
}
EXPORTS = {"RAID export CSV": "/raid/export.csv", "RAID export XLSX": "/raid/export.xlsx"}
# Beyond ``repeat`` rounds, more while they have taken under 3 s: at 50 and 500 programmes a
# round is 30-200 ms, and seven of them gave the CSV at 500 anywhere from 1.3x to 2.1x COPY
EXPORT_MOST_ROUNDS = 31
EXPORT_ROUNDS_SECONDS = 3.0


def _staff_pages(options) -> dict:
    results = {}
    clients: dict[str, Client] = {}
    for name, (username, url) in STAFF_PAGES.items():
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(get_user_model().objects.get(username=username))
        client = clients[username]
        response = client.get(url)  # warm
        if response.status_code != 200:
            raise CommandError(f"{url} returned {response.status_code}")
        queries: list[str] = []

        def count(run, sql, *args, seen=queries):
            seen.append(sql)
            return run(sql, *args)

        if name in AFTER_A_SAVE:
            caching.invalidate()
        with connection.execute_wrapper(count):
            size = len(client.get(url).content)
        times: list[float] = []
        deadline = time.perf_counter() + options["budget"]
        while len(times) < options["requests"]:
            if name in AFTER_A_SAVE:
                caching.invalidate()  # as after any save: counted afresh
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
            "times_s": times,
            "html_kb": size / 1024,
        }
    return results


def _read(client: Client, url: str) -> tuple[int, int]:
    """The download read to its end, a chunk at a time: its bytes and its lines."""
    response = client.get(url)
    if response.status_code != 200:
        raise CommandError(f"{url} returned {response.status_code}")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    return size, lines


def _exports(options) -> dict:
    """Each download read to its end against the COPY floor, alternated (``_alternated``) as
    the roll-up and its floor are; the medians of ``repeat`` rounds or more. (Three floors,
    then three of each download, in a row: the same CSV came out 1.05-1.9x COPY in three
    probes on one database.) Peak memory is traced on a read of its own."""
    import tracemalloc

    client = Client()
    client.force_login(get_user_model().objects.get(username="pmo"))
    floor, copy_rows = _export_copy_floor()
    runs: dict[str, Callable[[], Any]] = {
        name: (lambda url=url: _read(client, url)) for name, url in EXPORTS.items()
    }
    # What a download costs whatever its rows (the request, signing in, building the query):
    # the same download of the one programme with the fewest risks, alternated with the rest.
    smallest = _smallest_raid()
    for name, url in EXPORTS.items():
        if smallest is not None:
            small_url = url.replace("/raid/", f"/programmes/{smallest[0]}/raid/risks/", 1)
            runs[name + SMALL] = lambda url=small_url: _read(client, url)
    if floor is not None:
        runs["COPY"] = floor
        if smallest is not None:  # the same programme's rows, as its download's query reads them
            runs["COPY" + SMALL] = _export_copy_floor(smallest[0])[0]  # type: ignore[assignment]
    read: dict[str, Any] = {name: run() for name, run in runs.items()}  # warm; the sizes
    times = _alternated(
        {name: _seconds(run) for name, run in runs.items()},
        options["repeat"],
        most=EXPORT_MOST_ROUNDS,
        within=EXPORT_ROUNDS_SECONDS,
    )
    copy_s = statistics.median(times["COPY"]) if floor is not None else None
    results = {}
    for name, url in EXPORTS.items():
        size, lines = read[name]
        tracemalloc.start()
        _read(client, url)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results[name] = {
            "url": url,
            "median_s": statistics.median(times[name]),
            "small_s": statistics.median(times[name + SMALL]) if smallest else None,
            "small_rows": smallest[1] if smallest else None,
            # The rows beyond one programme's: the download's and the COPY's own, round by round
            "beyond_s": _beyond(times, name, name + SMALL),
            "copy_small_s": statistics.median(times["COPY" + SMALL])
            if "COPY" + SMALL in times
            else None,
            "copy_beyond_s": _beyond(times, "COPY", "COPY" + SMALL),
            "rounds": len(times[name]),
            "kb": size // 1024,
            "csv_rows": lines - 1 if url.endswith(".csv") else None,
            "peak_mb": peak / 1024 / 1024,
            "rows": copy_rows,
            "copy_s": copy_s,
        }
    return results


SMALL = " (one programme)"  # a download of one programme's risks, beside the whole portfolio's


FEED_ONE_ROW = "OData feed: a one-row request"


def _small_requests(options) -> dict:
    """Each download of the one programme with the fewest risks (read to its end) and a
    one-row request of the feed, ``requests`` times in turn: what a download and a feed page
    cost whatever their rows, timed as the pages are."""
    smallest = _smallest_raid()
    if smallest is None:
        raise CommandError("No risks: run generate_portfolio first.")
    pmo = get_user_model().objects.get(username="pmo")
    client = Client()
    client.force_login(pmo)
    _token, secret = api_services.access_token_create(
        actor=pmo, name="make bench", expires_in_days=30
    )
    feed = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    runs: dict[str, Callable[[], Any]] = {
        name: lambda url=url: _read(
            client, url.replace("/raid/", f"/programmes/{smallest[0]}/raid/risks/", 1)
        )
        for name, url in EXPORTS.items()
    }
    runs[FEED_ONE_ROW] = lambda: _feed_request(feed, headers)
    for run in runs.values():
        run()  # warm
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(options["requests"]):
        for name, run in runs.items():
            times[name].append(_timed(run, 1)[0])
    return {
        name: {
            "median_s": statistics.median(measured),
            "p95_s": _p95(measured),
            "requests": len(measured),
            "times_s": measured,
            "rows": smallest[1] if name in EXPORTS else 1,
        }
        for name, measured in times.items()
    }


def _smallest_raid() -> tuple[str, int] | None:
    """The slug of the programme with the fewest risks (at least one), and their number."""
    counted = (
        Programme.objects.filter(risks__isnull=False)
        .annotate(n=Count("risks"))
        .order_by("n", "pk")
        .values_list("slug", "n")[:1]
    )
    return next(iter(counted), None)


def _export_copy_floor(slug: str | None = None) -> tuple[Callable[[], int] | None, int]:
    """The RAID export's own query (the same rows, columns and order, as ``values_list`` reads
    them) run as ``COPY (…) TO STDOUT (FORMAT csv)`` and read to the end: the floor a download
    is measured against (None off PostgreSQL), and the number of rows. The whole portfolio's,
    or with ``slug`` one programme's (its own columns: a programme's log has no programme
    column), as its download reads them."""
    log = LOGS["risks"]
    scope = Programme.objects.get(slug=slug) if slug is not None else None
    _form, qs, _sort = filtered_rows(log, scope, QueryDict())
    rows = qs.count()
    if connection.vendor != "postgresql":
        return None, rows
    paths = list(dict.fromkeys(path for c in log.columns_for(scope) for path in c.fields))
    sql, params = qs.values_list(*paths).query.sql_with_params()
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"

    def copy() -> int:
        connection.ensure_connection()
        size = 0
        with connection.connection.cursor() as cursor, cursor.copy(statement, params) as out:
            for block in out:
                size += len(block)
        return size

    return copy, rows


def _beyond(times: dict[str, list[float]], whole: str, part: str) -> float | None:
    """What ``whole`` took beyond ``part``: the median of their differences round by round
    (both ran in each round of ``_alternated``, so a drift of the machine falls on both)."""
    if whole not in times or part not in times:
        return None
    return statistics.median(a - b for a, b in zip(times[whole], times[part], strict=True))


# --- Issue #22: the RAID import at scale -------------------------------------------------------
class _RolledBack(Exception):
    """Raised to roll back a measured write, so every repeat writes the same rows."""


def _raid_workbook(rows: int, owner: str) -> bytes:
    """A RAID import spreadsheet (the template's sheet and columns) of ``rows`` valid risks."""
    book = Workbook()  # not write-only: like a file Excel saves, it states its dimension
    sheet = book.active
    sheet.title = raid_imports.SHEET
    sheet.append(raid_imports.HEADERS)
    for i in range(rows):
        sheet.append([
            f"Risk {i}", "A single supplier", "The supplier cannot staff phase 2", "Delay",
            1 + i % 5, 1 + i // 5 % 5, 1 + i % 3, 1 + i % 4, 1, 2, "Weekly meeting",
            "Second supplier", owner, "31/03/2030", "Next quarter", "Treat", "No",
        ])  # fmt: skip
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _raid_import(options) -> dict:
    """``raid_import`` of a ``--rows`` spreadsheet (read, checked, written in bulk with its
    history rows) against a plain ``bulk_create`` of the same risks, no history (the floor);
    each inside a transaction rolled back; the check (read and validate) timed on its own, its
    last run's risks the floor's."""
    manager = get_user_model().objects.get(username="manager")
    programme = Programme.objects.order_by("pk").first()
    if programme is None:
        raise CommandError("No programmes: run generate_portfolio first.")
    content = _raid_workbook(options["rows"], manager.username)
    limits = raid_imports.BACKGROUND_LIMITS  # as the Celery import reads it
    size = len(content)

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("raid.xlsx", content)

    check_s, last = _timed(
        lambda: raid_imports.raid_import_check(programme=programme, upload=upload(), limits=limits),
        options["repeat"],
    )
    checked = cast(raid_imports.ImportResult, last)
    if not checked.ok or len(checked.risks) != options["rows"]:
        raise CommandError(f"The spreadsheet did not check: {checked.errors[:3]}")
    before = Risk.objects.count()

    def rolled_back(write) -> Callable[[], int]:
        def run() -> int:
            queries: list[str] = []

            def count(execute, sql, *args):
                queries.append(sql)
                return execute(sql, *args)

            try:
                with transaction.atomic(), connection.execute_wrapper(count):
                    write()
                    if Risk.objects.count() != before + options["rows"]:
                        raise CommandError("The import did not write every row.")
                    raise _RolledBack
            except _RolledBack:
                pass
            return len(queries)

        return run

    def imported() -> None:
        result = raid_imports.raid_import(
            programme=programme, upload=upload(), actor=manager, limits=limits
        )
        if not result.ok:
            raise CommandError(f"The import failed: {result.errors[:3]}")

    def floor() -> None:
        Risk.objects.bulk_create([copy(risk) for risk in checked.risks], batch_size=1000)

    import_s, import_queries = _timed(rolled_back(imported), options["repeat"])
    floor_s, floor_queries = _timed(rolled_back(floor), options["repeat"])
    if Risk.objects.count() != before:
        raise CommandError("A measured write was not rolled back.")
    # The rolled-back rows are dead tuples until autovacuum comes: vacuumed now, so whatever is
    # measured on this database next (the exports of a BENCH_REUSE=1 run, or by hand) reads the
    # risks as they were (800 risks in 1,646 pages, planned as 77,000 rows, without it).
    analyze((Risk._meta.db_table, Risk.history.model._meta.db_table))
    return {
        "rows": options["rows"],
        "xlsx_kb": size // 1024,
        "import_s": import_s,
        "check_s": check_s,
        "floor_s": floor_s,
        "import_queries": import_queries,
        "floor_queries": floor_queries,
    }


# --- Issue #22: the incremental roll-up after one edit ----------------------------------------


def _one_edit(year_offset: int):
    """A benefit's profile saved through its service (which marks its programme): the same
    benefit each time, its forecast moved by ``year_offset`` pounds."""
    from benefits.models import Benefit
    from benefits.services import ProfileRow, benefit_profile_save

    benefit = Benefit.objects.financial().filter(profile__isnull=False).order_by("pk").first()
    if benefit is None:
        raise CommandError("No financial benefit with a profile: run generate_portfolio first.")
    profile = benefit.profile.order_by("financial_year").first()
    benefit_profile_save(
        benefit=benefit,
        rows=[
            ProfileRow(
                profile.financial_year,
                profile.planned,
                profile.forecast + year_offset,
                profile.actual,
            )
        ],
        actor=get_user_model().objects.get(username="pmo"),
    )
    return benefit.programme_id


def _rollup_incremental(options) -> dict:
    """One programme's edit taken in by ``rollup_refresh`` against a full ``rollup_run`` after
    the same edit, alternated. Each from the same state: today's snapshot current and no other
    marks, prepared once in a transaction that is rolled back at the end; each edit and run is
    in a savepoint of it, rolled back, so the state is prepared by one full run and not one per
    run timed (at 5,000 programmes the step took 67 s that way and 44 s this way, in the
    sixteenth round's runs)."""
    from benefits import rollup
    from benefits.models import RollupMark, RollupSnapshot

    def timed(run) -> float:
        with transaction.atomic():
            _one_edit(1)
            started = time.perf_counter()
            run()
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        return seconds

    with transaction.atomic():
        rollup.rollup_run()
        latest = rollup._latest()
        RollupSnapshot.objects.filter(pk=latest.pk).update(as_of=timezone.now())
        RollupMark.objects.all().delete()
        with transaction.atomic():  # once, checked and counted
            programme = _one_edit(1)
            queries: list[str] = []

            def count(execute, sql, *args):
                queries.append(sql)
                return execute(sql, *args)

            with connection.execute_wrapper(count):
                refreshed = rollup.rollup_refresh()
            if refreshed.pk != latest.pk:
                raise CommandError("The refresh made a new snapshot: it did not run incrementally.")
            drift = rollup._drift(refreshed, rollup.rollup_compute())
            if drift:
                raise CommandError(f"The incremental roll-up differs from a full run: {drift}")
            rows = refreshed.rows.filter(programme_id=programme).count()
            transaction.set_rollback(True)
        timed(rollup.rollup_refresh)  # warm
        refresh, full = [], []
        for _ in range(options["repeat"]):  # alternated, so both see the same machine
            refresh.append(timed(rollup.rollup_refresh))
            full.append(timed(rollup.rollup_run))
        transaction.set_rollback(True)
    return {
        "refresh_s": statistics.median(refresh),
        "full_s": statistics.median(full),
        "queries": len(queries),
        "programme_rows": rows,
        "programmes": Programme.objects.count(),
    }

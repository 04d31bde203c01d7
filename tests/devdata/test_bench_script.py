"""bin/bench's kept template: named by what its schema depends on (no database, no timing)."""

import importlib.machinery
import importlib.util
import shutil
import threading
import time
from pathlib import Path

from devdata.templates import migrations_key

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    loader = importlib.machinery.SourceFileLoader("bench_script", str(ROOT / "bin" / "bench"))
    spec = importlib.util.spec_from_loader("bench_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_the_template_key_changes_with_a_migration_or_the_lock_and_nothing_else(tmp_path):
    """The key of the migrated template that `make bench`'s portfolios and the test databases
    are copied from (devdata/templates.py)."""
    for name in ("requirements.lock", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    migrations = tmp_path / "portfolio" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0001_initial.py").write_text("operations = []\n")
    key = migrations_key(tmp_path)
    assert len(key) == 10
    assert migrations_key(tmp_path) == key

    (tmp_path / "README.md").write_text("changed\n")  # not a migration: the same template
    (tmp_path / "portfolio" / "views.py").write_text("changed = True\n")
    assert migrations_key(tmp_path) == key

    (migrations / "0001_initial.py").write_text("operations = [1]\n")
    edited = migrations_key(tmp_path)
    assert edited != key
    (migrations / "0002_more.py").write_text("operations = []\n")
    added = migrations_key(tmp_path)
    assert added not in (key, edited)
    (tmp_path / "requirements.lock").write_text("django==9.9\n")
    assert migrations_key(tmp_path) not in (key, edited, added)
    assert migrations_key() == _bench().migrations_key(ROOT)  # the bench's is this one


def test_the_static_files_key_changes_with_a_static_file_the_settings_or_the_lock(tmp_path):
    bench = _bench()
    shutil.copy(ROOT / "requirements.lock", tmp_path / "requirements.lock")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "settings.py").write_text("STATIC_URL = '/static/'\n")
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "static" / "css" / "app.css").write_text("body {}\n")
    bench.ROOT = tmp_path
    key = bench.static_key()
    assert bench.static_key() == key
    (tmp_path / "README.md").write_text("not a static file\n")
    assert bench.static_key() == key

    (tmp_path / "static" / "css" / "app.css").write_text("body { margin: 0 }\n")
    edited = bench.static_key()
    assert edited != key
    (tmp_path / "static" / "css" / "more.css").write_text("")
    added = bench.static_key()
    assert added not in (key, edited)
    (tmp_path / "config" / "settings.py").write_text("STATIC_URL = '/assets/'\n")
    assert bench.static_key() not in (key, edited, added)


def test_a_pages_rounds_are_pooled_into_one_median_and_p95():
    """Each page's requests from every round (PAGE_ROUNDS) are taken together: the median and
    p95 of them all, the request count their sum, the query count and size from the first."""
    bench = _bench()
    first = {"Home": {"url": "/", "queries": 9, "html_kb": 30.0, "times_s": [0.010, 0.030]}}
    second = {"Home": {"url": "/", "queries": 9, "html_kb": 31.0, "times_s": [0.020, 0.040]}}
    third = {"Home": {"url": "/", "queries": 9, "html_kb": 31.0, "times_s": [0.050]}}

    pooled = bench.pooled(bench.pooled(first, second), third)["Home"]

    assert pooled["times_s"] == [0.010, 0.030, 0.020, 0.040, 0.050]
    assert pooled["median_s"] == 0.030
    assert pooled["p95_s"] == 0.050
    assert pooled["requests"] == 5
    assert (pooled["queries"], pooled["html_kb"], pooled["url"]) == (9, 30.0, "/")


def test_every_n_comes_first_once_in_the_pages_rounds():
    """The rounds' order of N is rotated, so no N is always measured first or last."""
    bench = _bench()
    sizes = [50, 500, 5000]
    orders = [bench.round_order(sizes, round_) for round_ in range(bench.PAGE_ROUNDS)]
    assert orders[0] == sizes  # the first round is each N's own probe, smallest first
    assert sorted(order[0] for order in orders) == sizes
    assert all(sorted(order) == sizes for order in orders)
    steps = bench.page_steps()
    assert steps["pages"]["requests"] * bench.PAGE_ROUNDS >= bench.PAGE_REQUESTS
    assert steps["staff_pages"]["requests"] * bench.PAGE_ROUNDS >= bench.STAFF_REQUESTS
    # what a download and a feed page cost before their rows: timed in every round too
    assert steps["small_requests"]["requests"] * bench.PAGE_ROUNDS >= bench.SMALL_REQUESTS
    # ...the feed's one-row request read by the name the probe gives it (bin/bench holds its
    # own copy of the name: it imports no Django)
    from devdata.management.commands import bench_probe

    assert bench.FEED_ONE_ROW == bench_probe.FEED_ONE_ROW


def test_the_throughput_rounds_swap_the_endpoints_and_pool_their_requests():
    """Each endpoint goes first in turn, and its requests per second are every round's
    requests over every round's seconds (not a mean of the rounds' rates)."""
    bench = _bench()
    orders = [bench.round_order(list(bench.LOAD), round_) for round_ in range(bench.LOAD_ROUNDS)]
    assert orders[0] == ["healthz", "dashboard"]
    assert orders[1] == ["dashboard", "healthz"]
    assert {order[0] for order in orders} == set(bench.LOAD)

    rounds = [
        {"rps": 40.0, "requests": 40, "errors": 0, "seconds": 1.0},
        {"rps": 10.0, "requests": 40, "errors": 1, "seconds": 4.0},
    ]
    pooled = bench.pooled_load(rounds)
    assert (pooled["requests"], pooled["errors"], pooled["seconds"]) == (80, 1, 5.0)
    assert pooled["rps"] == 16.0
    assert "warm_up" not in pooled
    never = {"rps": 0.0, "requests": 0, "errors": 1, "warm_up": "HTTP 503"}
    assert bench.pooled_load([never])["warm_up"] == "HTTP 503"
    assert bench.pooled_load([never])["rps"] == 0.0


def _export(whole_s, small_s, copy_s, copy_small_s, beyond_s, copy_beyond_s):
    return {
        "RAID export CSV": {
            "median_s": whole_s, "small_s": small_s, "small_rows": 16, "rows": 800,
            "copy_s": copy_s, "copy_small_s": copy_small_s, "beyond_s": beyond_s,
            "copy_beyond_s": copy_beyond_s, "rounds": 31, "peak_mb": 0.5,
        }
    }  # fmt: skip


def _small(download_s, feed_s=0.01):
    """``bench_probe small_requests``, pooled over the page rounds."""
    return {
        "RAID export CSV": {"median_s": download_s, "requests": 30, "rows": 16},
        _bench().FEED_ONE_ROW: {"median_s": feed_s, "requests": 30, "rows": 1},
    }


def test_an_exports_rows_are_judged_against_the_copys_rows_and_its_fixed_cost_across_n():
    """The target is per row: the whole download beyond one programme's, against the whole COPY
    beyond that programme's COPY. The whole ratio is printed beside it; what one programme's
    download costs is held to the pages' target across N, as timed in the page rounds (not the
    one-programme downloads of the rows' own rounds)."""
    bench = _bench()
    exports = {
        # the rows: 3 ms beyond one programme's against COPY's 4 ms; the whole 16 ms vs 6.5 ms
        50: _export(0.016, 0.013, 0.0065, 0.0006, 0.003, 0.004),
        # the rows: 9 ms beyond against COPY's 4 ms (2.25x), however quick the whole is
        500: _export(0.011, 0.002, 0.006, 0.002, 0.009, 0.004),
        5000: _export(0.1, 0.013 * 1.6, 0.06, 0.001, 0.08, 0.05),
    }
    small = {50: _small(0.013), 500: _small(0.002), 5000: _small(0.013 * 1.6)}
    rows = {row[0]: row for row in bench.export_copy_rows([50, 500, 5000], exports, small)}
    at_50 = rows["RAID export CSV N=50: 800 risks"]
    assert at_50[3] == "yes"
    assert "= 0.8×" in at_50[1]  # the rows' ratio
    assert "vs COPY 81 ms = 2.5×" in at_50[1]  # the whole, beside it
    assert rows["RAID export CSV N=500: 800 risks"][3] == "**NO**"
    fixed = next(row for name, row in rows.items() if "one programme's download" in name)
    assert fixed[1].endswith("1.6× at 5,000")
    assert fixed[3] == "**NO**"
    small[5000] = _small(0.013 * 1.4)  # the rows' rounds' own one-programme figures are not read
    rows = {row[0]: row for row in bench.export_copy_rows([50, 500, 5000], exports, small)}
    fixed = next(row for name, row in rows.items() if "one programme's download" in name)
    assert fixed[1] == "median 13 ms / 2.0 ms / 18 ms of 30 requests each; 1.4× at 5,000"
    assert fixed[3] == "yes"


def test_an_export_without_one_programmes_figures_is_judged_whole():
    bench = _bench()
    whole = _export(0.016, None, 0.0065, None, None, None)
    rows = bench.export_copy_rows([50], {50: whole}, {50: {}})
    assert rows[0][3] == "**NO**"  # 2.5x the COPY, with nothing to take the fixed cost from
    assert "= 2.5×" in rows[0][1]


def _feed(feed_s, request_s, copy_s, copy_one_s, beyond_s, copy_beyond_s, pages=1):
    return {
        "rows": 2500, "pages": pages, "feed_s": feed_s, "feed_reads": 31,
        "request_s": request_s, "beyond_s": beyond_s, "copy_s": copy_s,
        "copy_one_s": copy_one_s, "copy_beyond_s": copy_beyond_s, "select_s": copy_s,
        "largest_page_kb": 250.0, "maxrss_mb": 130.0,
    }  # fmt: skip


def test_the_feeds_rows_are_judged_against_the_copys_rows_and_its_one_row_request_across_n():
    bench = _bench()
    results = {
        50: _feed(0.015, 0.010, 0.0055, 0.0008, 0.0045, 0.004),
        500: _feed(0.05, 0.009, 0.02, 0.0008, 0.041, 0.019),
    }
    small = {50: _small(0.004, feed_s=0.010), 500: _small(0.004, feed_s=0.009)}
    rows = bench.odata_rows(results, small)
    assert rows[0][3] == "yes"  # 4.5 ms beyond against 4 ms: 1.1x, the whole 2.7x
    assert "= 1.1×" in rows[0][1]
    assert "= 2.7×" in rows[0][1]
    assert rows[1][3] == "**NO**"  # 2.2x
    request = next(row for row in rows if "one-row request" in row[0])
    assert request[3] == "yes"  # 9 ms at 500 against 10 ms at 50, timed in the page rounds
    small[500] = _small(0.004, feed_s=0.016)
    request = next(row for row in bench.odata_rows(results, small) if "one-row" in row[0])
    assert request[1] == "median 10 ms / 16 ms of 30 requests each; 1.6× at 500"
    assert request[3] == "**NO**"


def _rollup(rollup_s, floor_s, pair_ratio, pairs=31):
    return {
        "rollup_s": rollup_s, "floor_s": floor_s, "pair_ratio": pair_ratio, "pairs": pairs,
        "rows": 7695, "maxrss_mb": 110.0,
    }  # fmt: skip


def test_the_rollup_is_judged_by_the_median_of_its_pairs_ratios():
    bench = _bench()
    rollups = {
        50: _rollup(0.015, 0.010, 1.9),
        500: _rollup(0.125, 0.100, 1.15),  # the medians' ratio over the target, the pairs' not
        5000: _rollup(1.0, 0.9, 1.21, pairs=11),  # the medians' ratio within it, the pairs' not
    }
    incremental = {"programmes": 5000, "refresh_s": 0.04, "full_s": 8.0, "queries": 32,
                   "programme_rows": 18}  # fmt: skip
    rows = {row[0]: row for row in bench.rollup_table(rollups, incremental)}
    at_50 = rows["Roll-up N=50 (7,695 rows)"]
    assert at_50[3] == "yes"  # ≤ 2x at 50
    at_500 = rows["Roll-up N=500 (7,695 rows)"]
    assert at_500[3] == "yes"
    assert "1.15× (median of 31 pairs' ratios; ratio of the medians 1.25×)" in at_500[1]
    at_5000 = rows["Roll-up N=5,000 (7,695 rows)"]
    assert at_5000[3] == "**NO**"
    assert "median of 11 pairs' ratios" in at_5000[1]


def test_jobs_beside_the_generation_run_once_their_portfolio_is_generated(monkeypatch):
    """prepare_all's ``beside``: each job gets its N's URL only after that N is generated (or
    the template's None), while the largest is still generating; the results in order."""
    bench = _bench()
    finished: dict[int, float] = {}
    largest_done = threading.Event()

    def prepare(_pg, n, _template):
        time.sleep({5000: 0.3, 500: 0.05, 50: 0.01}[n])
        finished[n] = time.monotonic()
        if n == 5000:
            largest_done.set()
        return f"postgres://bench_{n}", 1.0

    monkeypatch.setattr(bench, "prepare", prepare)
    monkeypatch.setattr(bench, "progress", lambda message: None)

    def job(url):
        assert url is None or url.rsplit("_", 1)[1].isdigit()
        return (url, time.monotonic(), largest_done.is_set())

    beside = [(50, job), (500, job), (None, job)]
    prepared, done = bench.prepare_all(None, [50, 500, 5000], "tpl", beside)
    assert prepared == {n: (f"postgres://bench_{n}", 1.0) for n in (50, 500, 5000)}
    assert [url for url, _at, _ in done] == ["postgres://bench_50", "postgres://bench_500", None]
    assert done[0][1] >= finished[50]
    assert done[1][1] >= finished[500]
    assert not any(after_largest for _url, _at, after_largest in done)  # in the idle lane

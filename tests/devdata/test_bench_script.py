"""bin/bench's kept template: named by what its schema depends on (no database, no timing)."""

import importlib.machinery
import importlib.util
import shutil
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

"""bench_probe: the measurements `make bench` runs, checked to run and agree (never timed here)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from api.models import AccessToken
from benefits.models import BenefitProfile
from devdata.management.commands.bench_probe import (
    EXPORTS,
    FEED_ONE_ROW,
    RAID_UNCACHED,
    STAFF_PAGES,
)
from governance.models import Risk
from portfolio.models import Programme

pytestmark = pytest.mark.django_db


def test_odata_reads_every_benefit_profile_year_through_the_feed():
    call_command("generate_portfolio", programmes=3, seed=1, stdout=StringIO())
    out = StringIO()
    # several pages from 150 rows
    call_command("bench_probe", "odata", "--repeat", "1", "--page-size", "40", stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    rows = BenefitProfile.objects.count()
    assert rows == 150
    # The probe itself asserts that the feed's rows and totals equal the database's.
    assert result["rows"] == rows
    assert result["pages"] == 4  # 40 + 40 + 40 + 30: @odata.nextLink followed to the end
    assert result["largest_page_kb"] > 0
    assert result["feed_s"] > 0
    assert result["request_s"] > 0
    assert result["feed_reads"] >= 1
    assert result["select_s"] > 0
    assert result["maxrss_mb"] > 0
    if connection.vendor == "postgresql":
        assert result["copy_s"] > 0
        assert result["copy_kb"] > 0
        # ...and a COPY of one row in the same rounds, what the COPY's rows cost beyond it
        assert result["copy_one_s"] > 0
        assert result["copy_beyond_s"] is not None
    else:
        assert result["copy_s"] is None
        assert result["copy_one_s"] is None
    assert AccessToken.objects.filter(name="make bench", owner__username="pmo").count() == 1


def _probe(*args: str) -> dict:
    out = StringIO()
    call_command("bench_probe", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_staff_pages_and_exports_are_measured_on_a_generated_portfolio():
    call_command("generate_portfolio", programmes=2, seed=1, stdout=StringIO())
    pages = _probe("staff_pages", "--requests", "5", "--budget", "0")
    assert set(pages) == set(STAFF_PAGES)
    for page in pages.values():
        assert page["requests"] == 5
        assert page["queries"] > 0
        assert 0 < page["html_kb"] < 300
    # the whole portfolio's count and heat map (and the navigation's counts): kept, or
    # counted afresh after a save
    assert pages[RAID_UNCACHED]["queries"] > pages["RAID log, whole portfolio (PMO)"]["queries"]
    exports = _probe("exports", "--repeat", "1")
    assert set(exports) == set(EXPORTS)
    assert exports["RAID export CSV"]["csv_rows"] > 0
    assert exports["RAID export XLSX"]["csv_rows"] is None
    assert all(e["peak_mb"] > 0 for e in exports.values())
    # ...beside the same download of the programme with the fewest risks (what any download
    # costs whatever its rows)
    fewest = min(p.risks.count() for p in Programme.objects.filter(risks__isnull=False))
    assert all(e["small_rows"] == fewest and e["small_s"] > 0 for e in exports.values())
    # ...and those one-programme downloads alone, with a one-row request of the feed, timed as
    # the pages are (in every page round)
    small = _probe("small_requests", "--requests", "3")
    assert set(small) == {*EXPORTS, FEED_ONE_ROW}
    for name, request in small.items():
        assert request["rows"] == (1 if name == FEED_ONE_ROW else fewest)
        assert request["requests"] == len(request["times_s"]) == 3
        assert request["median_s"] > 0
    # The COPY floor reads the same rows the CSV holds (on PostgreSQL; None on SQLite).
    assert all(e["rows"] == exports["RAID export CSV"]["csv_rows"] for e in exports.values())
    assert all(e["beyond_s"] is not None for e in exports.values())  # round by round
    if connection.vendor == "postgresql":
        assert all(e["copy_s"] > 0 for e in exports.values())
        # ...and the COPY of that programme's rows, in the same rounds
        assert all(e["copy_small_s"] > 0 for e in exports.values())
        assert all(e["copy_beyond_s"] is not None for e in exports.values())
    else:
        assert all(e["copy_s"] is None for e in exports.values())
        assert all(e["copy_beyond_s"] is None for e in exports.values())


def test_raid_import_is_measured_against_a_bulk_insert_and_rolled_back():
    call_command("generate_portfolio", programmes=2, seed=1, stdout=StringIO())
    before = Risk.objects.count()
    result = _probe("raid_import", "--rows", "30", "--repeat", "1")
    # The probe itself asserts that every row was written inside each measured transaction.
    assert result["rows"] == 30
    assert result["import_s"] > result["check_s"] > 0
    assert result["floor_s"] > 0
    assert result["import_queries"] > 0
    assert result["floor_queries"] > 0
    assert Risk.objects.count() == before  # both writes rolled back


def test_the_rollup_is_measured_against_its_honest_floor_and_incrementally():
    call_command("generate_portfolio", programmes=3, seed=1, stdout=StringIO())
    # The probe itself asserts every value equal to the floor's, row by row.
    result = _probe("rollup", "--repeat", "3")
    assert result["rows"] > 0
    assert result["rollup_s"] > 0
    assert result["floor_s"] > 0
    assert result["pairs"] == 3
    assert result["pair_ratio"] > 0
    # ...and the refresh equal to a full computation, made on today's snapshot.
    from benefits.models import RollupSnapshot

    snapshots = list(RollupSnapshot.objects.values_list("pk", "as_of"))
    incremental = _probe("rollup_incremental", "--repeat", "2")
    assert incremental["programme_rows"] > 0
    assert 0 < incremental["queries"] < 40
    assert incremental["refresh_s"] > 0
    assert incremental["full_s"] > 0
    from benefits.models import RollupMark

    assert not RollupMark.objects.exists()  # every measurement rolled back
    assert list(RollupSnapshot.objects.values_list("pk", "as_of")) == snapshots  # and prepared


def test_several_measurements_run_in_one_process_each_with_its_own_options():
    call_command("generate_portfolio", programmes=2, seed=1, stdout=StringIO())
    results = _probe(
        "rollup:repeat=1", "staff_pages:requests=5,budget=0", "exports:repeat=1", "session"
    )
    measured = {"rollup", "staff_pages", "exports", "session"}
    assert set(results) == {*measured, "step_seconds"}
    assert set(results["step_seconds"]) == measured
    assert results["rollup"]["rows"] > 0
    assert all(page["requests"] == 5 for page in results["staff_pages"].values())
    assert set(results["exports"]) == set(EXPORTS)
    assert results["session"]["sessionid"]


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        (("session", "reminders"), "peak memory"),  # its peak would include the session's
        (("rollup", "odata"), "peak memory"),
        (("pages", "pages"), "named twice"),
        (("pages:request=5",), "options are"),
        (("nothing",), "Unknown measurement"),
    ],
)
def test_an_order_or_option_that_would_mislead_is_refused(steps, refused):
    with pytest.raises(CommandError, match=refused):
        call_command("bench_probe", *steps, stdout=StringIO())


def test_the_onboarding_workbook_is_imported_at_the_size_asked_for():
    """QUICK=1 imports a tenth of the full run's workbook: its RAID rows in proportion."""
    result = _probe("onboarding", "--programmes", "5")
    assert result["programmes"] == 5
    assert Programme.objects.filter(reference__startswith="BP-").count() == 5
    assert result["raid_rows"] == 200  # 40 a programme, as the full run's 20,000 for 500
    assert Risk.objects.filter(programme__reference__startswith="BP-").count() == 80
    assert result["rows"] > result["raid_rows"]
    assert result["preview_s"] > 0
    assert result["confirm_s"] > 0

"""bench_probe's issue #22 measurements run against a generated portfolio and report what
`make bench` tabulates (shape only: no timing is asserted here, ever)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from devdata.management.commands.bench_probe import EXPORTS, STAFF_PAGES

pytestmark = pytest.mark.django_db


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
    exports = _probe("exports", "--repeat", "1")
    assert set(exports) == set(EXPORTS)
    assert exports["RAID export CSV"]["csv_rows"] > 0
    assert exports["RAID export XLSX"]["csv_rows"] is None
    assert all(e["peak_mb"] > 0 for e in exports.values())

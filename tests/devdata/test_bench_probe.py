"""bench_probe: the measurements `make bench` runs, checked to run and agree (never timed here)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from api.models import AccessToken
from benefits.models import BenefitProfile

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
    assert result["select_s"] > 0
    assert result["maxrss_mb"] > 0
    if connection.vendor == "postgresql":
        assert result["copy_s"] > 0
        assert result["copy_kb"] > 0
    else:
        assert result["copy_s"] is None
    assert AccessToken.objects.filter(name="make bench", owner__username="pmo").count() == 1

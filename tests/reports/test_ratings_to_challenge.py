"""The quarterly report says how many ratings are challenged, and which (issue 21)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from portfolio.models import HighlightReport, Programme, Stage
from portfolio.periods import Quarter
from reports import quarterly
from tests.portfolio.factories import MilestoneFactory
from tests.reports.test_reports import pdf_text

pytestmark = pytest.mark.django_db


def test_the_quarterly_report_names_the_ratings_to_challenge(demo):
    programme = Programme.objects.filter(stage=Stage.DELIVER).order_by("name").first()
    HighlightReport.objects.filter(programme=programme).update(delivery_confidence="green")
    MilestoneFactory(programme=programme, title="Late one",
                     due_date=timezone.localdate() - timedelta(days=7))  # fmt: skip
    data = quarterly.report_data(Quarter.from_date(date(2020, 1, 1)))
    challenge = data["ratings_to_challenge"]
    assert challenge["count"] >= 1
    row = next(r for r in challenge["rows"] if r["programme"] == programme.name)
    assert row["confidence_label"] == "Green"
    assert any("late" in reason for reason in row["reasons"])
    text = " ".join(pdf_text(quarterly.render_pdf(data)).split())
    assert "Ratings to challenge" in text
    count = challenge["count"]
    assert f"{count} programme{'s' if count != 1 else ''} report" in text
    assert programme.name in text
    sheets = {t.slug: t for t in quarterly.report_tables(data)}
    assert [programme.name, "Green"] in [r[:2] for r in sheets["ratings-to-challenge"].rows]

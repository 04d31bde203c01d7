"""Each programme's latest highlight report and its delivery confidence, kept on the programme
by what writes reports (the dashboard reads them instead of ranking every report)."""

from datetime import date

import pytest

from portfolio.models import HighlightReport, Programme, Stage
from portfolio.services import highlight_report_save

pytestmark = pytest.mark.django_db

RAGS = {"schedule_rag": "green", "budget_rag": "green", "benefits_rag": "green",
        "risk_rag": "green"}  # fmt: skip


def save(programme, actor, month, confidence, **extra):
    return highlight_report_save(
        programme=programme, month=month, actor=actor, delivery_confidence=confidence,
        progress="Work went to plan.", confidence_rationale="Because.", **RAGS, **extra,
    )  # fmt: skip


def latest(programme) -> tuple[int | None, str]:
    programme = Programme.objects.get(pk=programme.pk)
    return programme.latest_report_id, programme.latest_report_confidence


def test_a_programme_without_reports_has_no_latest_report(make_programme):
    assert latest(make_programme(stage=Stage.DELIVER, category="B")) == (None, "")


def test_saving_a_report_makes_it_the_latest_unless_an_later_month_exists(world, make_programme):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    march = save(programme, world.manager, date(2024, 3, 1), "amber")
    assert latest(programme) == (march.pk, "amber")
    save(programme, world.manager, date(2024, 2, 1), "green")  # an earlier month, written late
    assert latest(programme) == (march.pk, "amber")
    save(programme, world.manager, date(2024, 3, 1), "red")  # March rewritten
    assert latest(programme) == (march.pk, "red")
    april = save(programme, world.manager, date(2024, 4, 1), "amber_red")
    assert latest(programme) == (april.pk, "amber_red")


def test_the_latest_report_equals_the_newest_by_month(world, make_programme):
    """The stored latest report is what ranking every report by month finds."""
    programmes = [make_programme(stage=Stage.DELIVER, category="B") for _ in range(3)]
    for i, programme in enumerate(programmes):
        for month in (5, 1 + i, 3):
            save(programme, world.manager, date(2024, month, 1), ["green", "amber"][month % 2])
    newest = {r.programme_id: (r.pk, r.delivery_confidence)
              for r in HighlightReport.objects.latest_per_programme()}  # fmt: skip
    assert {p.pk: latest(p) for p in programmes} == newest

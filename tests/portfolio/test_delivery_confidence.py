"""Delivery confidence with a rationale (issue 21): a rationale below Green, a reason for a jump
of two or more steps, a follow-up review after Amber/Red or Red, and the PMO's independent
assurance rating kept beside the manager's self-assessment."""

from datetime import date

import pytest
from django.utils import timezone

from portfolio.models import AssuranceRating, HighlightReport, Stage
from portfolio.periods import add_months
from portfolio.queries import confidence_history
from portfolio.services import assurance_rating_record, highlight_report_save

pytestmark = pytest.mark.django_db

RAGS = {"schedule_rag": "green", "budget_rag": "green", "benefits_rag": "green",
        "risk_rag": "green"}  # fmt: skip


def report_data(month: str, confidence: str, **extra: str) -> dict[str, str]:
    return {"month": month, "delivery_confidence": confidence, "progress": "Work went to plan.",
            **RAGS, **extra}  # fmt: skip


def save(programme, actor, month, confidence, **extra):
    return highlight_report_save(
        programme=programme, month=month, actor=actor, delivery_confidence=confidence,
        progress="Work went to plan.", **RAGS, **extra,
    )  # fmt: skip


def test_a_rating_below_green_needs_its_rationale(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    url = f"/programmes/{programme.slug}/workbook/"
    response = client_as(world.manager).post(url, report_data("2024-05", "amber"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Give the rationale for a delivery confidence of Amber" in text
    assert 'href="#id_confidence_rationale"' in text  # the error summary links to the field
    assert not HighlightReport.objects.exists()
    # Green needs none.
    client_as(world.manager).post(url, report_data("2024-05", "green"))
    assert HighlightReport.objects.get().confidence_rationale == ""


def test_a_jump_of_two_steps_needs_a_reason(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    save(programme, world.manager, date(2024, 4, 1), "amber_red", confidence_rationale="Late.")
    url = f"/programmes/{programme.slug}/workbook/"
    data = report_data("2024-05", "amber_green", confidence_rationale="Recovered.")
    text = client_as(world.manager).post(url, data).content.decode()
    assert "Give the reason for the improvement from Amber/Red (April 2024) to Amber/Green" in text
    assert HighlightReport.objects.count() == 1
    # One step better needs no reason; two steps with the reason is saved.
    save(programme, world.manager, date(2024, 5, 1), "amber", confidence_rationale="Better.")
    data |= {"month": "2024-06", "delivery_confidence": "green",
             "improvement_reason": "The re-plan was approved by the Delivery Board."}  # fmt: skip
    data["confidence_rationale"] = ""
    # Amber (May) to Green (June) is two steps: the reason is given, so it saves.
    response = client_as(world.manager).post(url, data, follow=True)
    assert "Highlight report for June 2024 saved." in response.content.decode()
    june = HighlightReport.objects.get(month=date(2024, 6, 1))
    assert june.improvement_reason == "The re-plan was approved by the Delivery Board."


def test_amber_red_and_red_schedule_a_follow_up_review(world, make_programme, settings):
    settings.CONFIDENCE_FOLLOW_UP_MONTHS = 3
    programme = make_programme(stage=Stage.DELIVER, category="B")
    report = save(programme, world.manager, date(2024, 4, 1), "red", confidence_rationale="x")
    due = add_months(timezone.localdate(), 3)
    assert report.follow_up_review_on == due
    # Rewriting the month keeps the date; a better rating clears it.
    report = save(programme, world.manager, date(2024, 4, 1), "amber_red", confidence_rationale="y")
    assert report.follow_up_review_on == due
    report = save(programme, world.manager, date(2024, 4, 1), "amber", confidence_rationale="z")
    assert report.follow_up_review_on is None
    settings.CONFIDENCE_FOLLOW_UP_MONTHS = 1
    rating = assurance_rating_record(
        programme=programme, delivery_confidence="red", rationale="Capacity is not in place.",
        assessed_on=date(2024, 1, 31), actor=world.pmo,
    )  # fmt: skip
    assert rating.follow_up_review_on == date(2024, 2, 29)


def test_the_pmo_records_an_assurance_rating_beside_the_self_assessment(
    world, make_programme, client_as
):
    programme = make_programme(stage=Stage.DELIVER, category="B")
    save(programme, world.manager, date(2024, 5, 1), "green")
    url = f"/programmes/{programme.slug}/workbook/assurance/"
    pmo = client_as(world.pmo)
    assert "The manager's latest self-assessment" in pmo.get(url).content.decode()
    empty = pmo.post(url, {"assessed_on": "2024-05-20", "delivery_confidence": "amber"})
    assert "There is a problem" in empty.content.decode()
    assert 'href="#id_rationale"' in empty.content.decode()
    assert not AssuranceRating.objects.exists()
    future = pmo.post(url, {"assessed_on": "2999-01-01", "delivery_confidence": "amber",
                            "rationale": "x"})  # fmt: skip
    assert "The assessment date must be today or in the past" in future.content.decode()
    response = pmo.post(
        url, {"assessed_on": "2024-05-20", "delivery_confidence": "amber",
              "rationale": "Milestones slipping against the baseline."}, follow=True,
    )  # fmt: skip
    text = response.content.decode()
    assert "Independent assurance rating of Amber recorded." in text
    assert "Ratings differ" in text
    assert "Milestones slipping against the baseline." in text
    pmo.post(url, {"assessed_on": "2024-05-28", "delivery_confidence": "amber_green",
                   "rationale": "Recovery plan agreed."})  # fmt: skip
    history = confidence_history(programme)
    assert [m.month for m in history] == [date(2024, 5, 1)]
    assert [r.delivery_confidence for r in history[0].assurance] == ["amber_green", "amber"]
    assert history[0].report.delivery_confidence == "green"
    # Only the PMO records one; the manager and viewer are refused.
    for user in (world.manager, world.viewer, world.board):
        assert client_as(user).get(url).status_code == 403
        assert client_as(user).post(url, {}).status_code == 403
    assert AssuranceRating.objects.count() == 2


def test_a_closed_programme_is_not_assessed(world, make_programme):
    from core.errors import ServiceError

    programme = make_programme(stage=Stage.CLOSED, category="B")
    with pytest.raises(ServiceError, match="no longer assessed"):
        assurance_rating_record(
            programme=programme, delivery_confidence="green", rationale="x", actor=world.pmo
        )


def test_follow_up_reviews_are_shown_on_the_dashboard(world, make_programme, client_as):
    programme = make_programme(stage=Stage.DELIVER, category="B", name="Red Programme")
    save(programme, world.manager, date(2024, 5, 1), "red", confidence_rationale="Stalled.")
    assurance_rating_record(
        programme=programme, delivery_confidence="amber_red", rationale="Re-plan needed.",
        assessed_on=date(2024, 1, 10), actor=world.pmo,
    )  # fmt: skip
    text = client_as(world.pmo).get("/dashboard/").content.decode()
    section = text[text.index("Follow-up reviews") :]
    assert "Self-assessment" in section
    assert "Independent assurance" in section
    assert add_months(timezone.localdate(), 3).strftime("%-d %B %Y") in section
    assert "10 April 2024" in section
    assert "Overdue" in section

"""The roll-up: totals against the seeds, idempotent snapshots, failure, coalescing, broker down."""

from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import Sum
from kombu.exceptions import OperationalError

from benefits import rollup, services
from benefits.models import (
    Benefit,
    BenefitProfile,
    MTFPLine,
    OneOffCost,
    RollupRow,
    RollupSnapshot,
    RollupState,
)
from benefits.rollup import rollup_compute
from portfolio.models import Programme
from tests.benefits.factories import (
    BenefitFactory,
    BenefitProfileFactory,
    MTFPLineFactory,
    MTFPPlanFactory,
    MTFPTargetFactory,
)

D = Decimal
pytestmark = pytest.mark.django_db


def _programme_years(snapshot: RollupSnapshot, slug: str) -> dict[int, dict[str, Decimal]]:
    rows = (
        snapshot.rows.filter(programme__slug=slug)
        .values("financial_year")
        .annotate(target=Sum("target"), planned=Sum("planned"), forecast=Sum("forecast"))
        .order_by("financial_year")
    )
    return {row["financial_year"]: row for row in rows}


def test_demo_loads_one_snapshot_and_a_second_load_adds_none(demo):
    from django.core.management import call_command

    assert RollupSnapshot.objects.count() == 1
    call_command("load_demo", quiet=True)
    assert RollupSnapshot.objects.count() == 1


def test_finance_is_018m_in_2019_20_and_049m_across_the_next_three_years(demo):
    years = _programme_years(services.rollup_latest(), "finance")
    assert years[2019]["target"] == D("180000.00")
    assert years[2019]["planned"] == D("180000.00")
    assert sum(years[y]["target"] for y in (2020, 2021, 2022)) == D("490000.00")
    assert sum(years[y]["forecast"] for y in (2020, 2021, 2022)) == D("490000.00")


@pytest.mark.parametrize(
    ("slug", "in_2019", "later", "later_years"),
    [
        ("strategic-capability", D("160000"), D("2110000"), (2020, 2021, 2022)),
        ("provision-cycle", D("0"), D("1470000"), (2020, 2021, 2022, 2023)),
        ("support-services", D("30000"), D("2320000"), (2020, 2021, 2022, 2023)),
    ],
)
def test_workstream_savings_match_the_seeds(demo, slug, in_2019, later, later_years):
    years = _programme_years(services.rollup_latest(), slug)
    assert years.get(2019, {"target": D("0")})["target"] == in_2019
    assert sum(years[y]["target"] for y in later_years) == later


def test_payload_totals_by_year_and_programme_match_the_rows(demo):
    payload = services.rollup_latest().payload
    by_year = {row["financial_year"]: row for row in payload["by_year"]}
    # 2019/20: Finance £0.18m + Strategic Capability £0.16m + Support Services £0.03m
    assert by_year[2019]["target"] == "370000.00"
    assert by_year[2019]["variance"] == "0.00"
    assert isinstance(by_year[2019]["target"], str)  # money as strings of Decimals, never float


def test_one_off_costs_are_179m_budget_against_79m_spent_programme_wide(demo):
    snapshot = services.rollup_latest()
    wide = snapshot.rows.filter(programme=None, mtfp_line=None).aggregate(
        budget=Sum("budget"), spend=Sum("spend")
    )
    assert wide == {"budget": D("17900000.00"), "spend": D("7900000.00")}
    assert snapshot.payload["one_off_costs"]["programme_wide"] == {
        "budget": "17900000.00",
        "spend": "7900000.00",
    }
    # plus the ICT business case's £2.2m
    assert snapshot.payload["one_off_costs"]["total"]["budget"] == "20100000.00"


def test_stage_counts_cover_every_programme(demo):
    payload = services.rollup_latest().payload
    assert sum(payload["stages"].values()) == Programme.objects.count()
    assert payload["stages"]["deliver"] == Programme.objects.filter(stage="deliver").count()


def test_delivery_confidence_counts_each_open_programmes_latest_report(demo):
    from portfolio.models import HighlightReport

    rollup.rollup_run()
    confidence = services.rollup_latest().payload["delivery_confidence"]
    latest = HighlightReport.objects.latest_per_programme().filter(
        programme__stage__in=["identify", "define", "design", "deliver"]
    )
    expected: dict[str, int] = {}
    for report in latest:
        expected[report.delivery_confidence] = expected.get(report.delivery_confidence, 0) + 1
    assert {k: v for k, v in confidence["all"].items() if v} == expected
    assert sum(confidence["all"].values()) == latest.count() > 0
    for portfolio, counts in confidence["by_portfolio"].items():
        assert 1 <= float(confidence["mean_score"][portfolio]) <= 5
        assert sum(counts.values()) == latest.filter(programme__portfolio_id=portfolio).count()


def test_non_financial_benefits_carry_no_money(db):
    BenefitProfileFactory(benefit=BenefitFactory(type="non_financial"), planned=D("999"))
    assert rollup_compute().payload["totals"]["planned"] == "0.00"


def test_a_dis_benefit_counts_against_savings(db):
    BenefitProfileFactory(planned=D("1000"))
    BenefitProfileFactory(benefit=BenefitFactory(type="dis_benefit"), planned=D("300"))
    assert rollup_compute().payload["totals"]["planned"] == "700.00"


def test_running_twice_on_the_same_data_keeps_one_snapshot_with_the_same_hash(demo):
    first = services.rollup_latest()
    again = rollup.rollup_run()
    assert again.pk == first.pk
    assert again.content_hash == first.content_hash
    assert again.checked_at > first.checked_at
    assert RollupSnapshot.objects.count() == 1
    assert rollup_compute().content_hash == first.content_hash


def test_changed_data_makes_a_new_dated_snapshot_with_the_new_total(demo):
    first = services.rollup_latest()
    profile = BenefitProfile.objects.get(benefit__programme__slug="finance", financial_year=2019)
    profile.actual = D("150000")
    profile.save()
    second = rollup.rollup_run()
    assert second.pk != first.pk
    assert second.content_hash != first.content_hash
    assert second.as_of >= first.as_of
    assert second.payload["totals"]["actual"] == "150000.00"
    assert first.rows.count() > 0
    assert second.rows.count() > 0


def test_a_failed_run_keeps_the_last_good_snapshot(demo):
    good = services.rollup_latest()
    OneOffCost.objects.filter(programme=None).update(actual=D("0"))
    with (
        mock.patch.object(RollupRow.objects, "bulk_create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        rollup.rollup_run()
    assert RollupSnapshot.objects.count() == 1
    assert services.rollup_latest() == good
    assert good.rows.count() > 0
    with (
        mock.patch("benefits.rollup.rollup_compute", side_effect=RuntimeError("bad data")),
        pytest.raises(RuntimeError),
    ):
        rollup.rollup_run()
    assert services.rollup_latest() == good


def test_a_failed_run_leaves_the_pending_flag_set(db):
    services.rollup_mark_pending(error="broker down")
    with (
        mock.patch("benefits.rollup.rollup_compute", side_effect=RuntimeError("bad data")),
        pytest.raises(RuntimeError),
    ):
        rollup.rollup_run()
    assert RollupState.get().pending


# --- Triggering -------------------------------------------------------------------------------


def test_a_burst_of_saves_enqueues_the_rollup_once(
    db, make_user, django_capture_on_commit_callbacks
):
    benefit = BenefitFactory()
    actor = make_user()
    with mock.patch("benefits.tasks.rollup_refresh_task.apply_async") as enqueue:
        for amount in range(1, 11):
            with django_capture_on_commit_callbacks(execute=True):
                services.benefit_profile_save(
                    benefit=benefit,
                    rows=[services.ProfileRow(2020, D(amount), D(amount), D("0"))],
                    actor=actor,
                )
    assert enqueue.call_count == 1
    assert enqueue.call_args.kwargs["countdown"] > 0
    assert BenefitProfile.objects.get(benefit=benefit).planned == D("10")


def test_the_next_request_after_a_run_enqueues_again(db):
    with mock.patch("benefits.tasks.rollup_refresh_task.apply_async") as enqueue:
        services.rollup_request()
        services.rollup_request()
        rollup.rollup_run()  # the task clears the coalescing key when it starts
        services.rollup_request()
    assert enqueue.call_count == 2


def test_the_rollup_is_enqueued_only_after_commit(
    db, make_user, django_capture_on_commit_callbacks
):
    benefit = BenefitFactory()
    with (
        mock.patch("benefits.tasks.rollup_refresh_task.apply_async") as enqueue,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        services.benefit_update(benefit=benefit, actor=make_user(), title="Renamed")
        assert enqueue.call_count == 0
    # (the dashboard's cache also marks itself out of date on commit: dashboard.caching)
    assert [c.__name__ for c in callbacks if c.__module__ == "benefits.services"] == [
        "rollup_request"
    ]


def test_broker_down_the_save_still_works_and_the_rollup_is_marked_pending(
    db, make_user, django_capture_on_commit_callbacks
):
    benefit = BenefitFactory()
    with (
        mock.patch(
            "benefits.tasks.rollup_refresh_task.apply_async",
            side_effect=OperationalError("Error 111 connecting to redis. Connection refused."),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.benefit_profile_save(
            benefit=benefit,
            rows=[services.ProfileRow(2020, D("5000"), D("4000"), D("0"))],
            actor=make_user(),
        )
    assert BenefitProfile.objects.get(benefit=benefit).forecast == D("4000")
    state = RollupState.get()
    assert state.pending
    assert "Connection refused" in state.last_error
    snapshot = rollup.rollup_run()
    assert not RollupState.get().pending
    assert snapshot.payload["totals"]["forecast"] == "4000.00"


def test_cache_down_the_save_still_works_and_the_rollup_is_marked_pending(db, make_user):
    benefit = BenefitFactory()
    with mock.patch("benefits.services.cache.add", side_effect=ConnectionError("redis down")):
        services.rollup_request()
    assert RollupState.get().pending
    assert Benefit.objects.filter(pk=benefit.pk).exists()


def test_nightly_beat_entry_runs_the_checked_full_rollup_at_0230_london_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["benefits-rollup-nightly"]
    assert entry["task"] == "benefits.rollup_nightly"
    assert entry["schedule"].hour == {2}
    assert entry["schedule"].minute == {30}
    assert settings.CELERY_TIMEZONE == "Europe/London"
    from config.celery import app

    assert {"benefits.rollup_nightly", "benefits.rollup_run", "benefits.rollup_refresh"} <= set(
        app.tasks
    )


def test_snapshot_carries_each_lines_deliverability_with_the_pmo_override(demo, make_user):
    from benefits.models import MTFPLine

    rated = {r["mtfp_line"]: r for r in services.rollup_latest().payload["deliverability"]}
    finance = MTFPLine.objects.get(name="Transformation: Finance")
    assert rated[finance.pk] == {
        "mtfp_line": finance.pk,
        "rating": "green",
        "derived": "green",
        "overridden": False,
        "target": rated[finance.pk]["target"],
        "forecast": rated[finance.pk]["forecast"],
        "actual": rated[finance.pk]["actual"],
    }
    assert rated[finance.pk]["target"] == "670000.00"  # the seeds: £0.18m in 2019/20, £0.49m after
    services.mtfp_line_deliverability_override(
        line=finance, rating="amber", reason="Consultation delayed", actor=make_user()
    )
    rated = {r["mtfp_line"]: r for r in rollup.rollup_run().payload["deliverability"]}
    assert rated[finance.pk]["rating"] == "amber"
    assert rated[finance.pk]["derived"] == "green"
    assert rated[finance.pk]["overridden"] is True


def test_deliverability_lists_every_line_of_the_current_plan_in_order_with_its_override(db):
    plan = MTFPPlanFactory(first_year=2024)
    older = MTFPLineFactory(plan=MTFPPlanFactory(first_year=2020))
    first, overridden, unfunded = (MTFPLineFactory(plan=plan) for _ in range(3))
    MTFPTargetFactory(line=first, amount=D("1000"))
    MTFPTargetFactory(line=overridden, amount=D("1000"))
    MTFPTargetFactory(line=older, amount=D("5"))  # a line of another plan: not listed
    BenefitProfileFactory(benefit=BenefitFactory(mtfp_line=first), forecast=D("950"))
    MTFPLine.objects.filter(pk=overridden.pk).update(rating_override="blue")
    rated = rollup_compute().payload["deliverability"]
    assert [r["mtfp_line"] for r in rated] == [first.pk, overridden.pk, unfunded.pk]
    assert [(r["rating"], r["derived"], r["overridden"]) for r in rated] == [
        ("amber", "amber", False),
        ("blue", "red", True),
        (None, None, False),  # no target: no rating, and no money
    ]
    assert (rated[0]["target"], rated[0]["forecast"], rated[0]["actual"]) == (
        "1000.00",
        "950.00",
        "0.00",
    )
    assert (rated[2]["target"], rated[2]["forecast"]) == ("0.00", "0.00")


def test_manager_records_a_profile_and_the_pmo_sees_the_rollup_change(
    client_as, demo, monkeypatch, django_capture_on_commit_callbacks
):
    """The issue's "done when", with the task run eagerly as in the embedded default."""
    from accounts.models import User
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    benefit = Benefit.objects.get(programme__slug="finance", type="cashable_saving")
    before = services.rollup_latest()
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-financial_year": "2019/20",
        "form-0-planned": "180000",
        "form-0-forecast": "180000",
        "form-0-actual": "170000",
    }
    manager = client_as(User.objects.get(username="manager"))
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"/programmes/finance/benefits/{benefit.pk}/profile/", data, HTTP_HX_REQUEST="true"
        )
    assert "Profile saved" in response.content.decode()
    after = services.rollup_latest()
    # today's snapshot, taken in incrementally: its figures and hash moved
    assert after.content_hash != before.content_hash
    assert after.payload["totals"]["actual"] == "170000.00"
    pmo = client_as(User.objects.get(username="pmo"))
    text = pmo.get("/mtfp/mtfp-2020-21-to-2023-24/").content.decode()
    assert "Recalculate now" in text
    assert "£0.17m" in text  # actual savings in 2019/20 on the targets grid


def test_confidence_counts_each_open_programmes_latest_report_and_skips_one_without(db, make_user):
    """The latest report by month decides; an open programme with no report yet, and a closed
    programme, are in no count (make bench's data has neither)."""
    from datetime import date

    from portfolio.models import HighlightReport
    from tests.portfolio.factories import ProgrammeFactory

    author = make_user()
    reporting = ProgrammeFactory(stage="deliver")
    ProgrammeFactory(stage="define", portfolio=reporting.portfolio)  # no report yet
    closed = ProgrammeFactory(stage="closed", portfolio=reporting.portfolio)
    for programme, month, confidence in (
        (reporting, date(2026, 9, 1), "green"),
        (reporting, date(2026, 10, 1), "amber_red"),  # the latest
        (reporting, date(2026, 8, 1), "red"),
        (closed, date(2026, 10, 1), "green"),
    ):
        HighlightReport.objects.create(
            programme=programme, month=month, delivery_confidence=confidence,
            schedule_rag="green", budget_rag="green", benefits_rag="green", risk_rag="green",
            progress="On track.", created_by=author,
        )  # fmt: skip
    # as whatever writes reports does (highlight_report_save, the loaders): each programme keeps
    # its latest report's confidence, which the roll-up counts
    Programme.objects.all().latest_reports_refresh()
    confidence = rollup_compute().payload["delivery_confidence"]
    assert confidence["all"] == {
        "green": 0, "amber_green": 0, "amber": 0, "amber_red": 1, "red": 0
    }  # fmt: skip
    assert confidence["by_portfolio"] == {str(reporting.portfolio_id): {"amber_red": 1}}
    assert confidence["mean_score"] == {str(reporting.portfolio_id): "2.00"}

"""The roll-up's one statement against its honest floor, and the incremental roll-up against
full runs, on a generated portfolio (PostgreSQL with DATABASE_URL set, as CI runs it; SQLite
otherwise: the statement is the same text on both)."""

import logging
import random
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from benefits import rollup, services
from benefits.models import (
    Benefit,
    BenefitProfile,
    BenefitType,
    MTFPLine,
    MTFPTarget,
    OneOffCost,
    RollupMark,
    RollupRow,
    RollupSnapshot,
)
from devdata.management.commands.bench_probe import _floor, _rollup_check
from governance.administration import programme_settings_update
from portfolio.models import Directorate, Programme
from tests.accounts.factories import UserFactory
from tests.support.threads import together

D = Decimal
ROW_FIELDS = ("programme_id", "portfolio_id", "directorate_id", "category", "mtfp_line_id",
              "financial_year", *RollupRow.MONEY)  # fmt: skip


def _generate() -> RollupSnapshot:
    call_command("generate_portfolio", programmes=6, seed=3, stdout=StringIO())
    # What the generator has not: a programme's own MTFP line, and programme-wide costs.
    plan = rollup.current_plan()
    line = MTFPLine.objects.create(
        plan=plan, name="A programme's own line", programme=Programme.objects.order_by("pk")[0]
    )
    for year in range(plan.first_year, plan.last_year + 1):
        MTFPTarget.objects.create(line=line, financial_year=year, amount=D(1000 * (year % 5 + 1)))
    OneOffCost.objects.create(
        programme=None, financial_year=plan.first_year, budget=D("5000"), actual=D("1200.50")
    )
    snapshot = rollup.rollup_run()
    RollupSnapshot.objects.exclude(pk=snapshot.pk).delete()  # the generator's, before these
    return snapshot


@pytest.fixture
def generated(db) -> RollupSnapshot:
    return _generate()


def _no_drift() -> None:
    latest = rollup._latest()
    assert rollup._drift(latest, rollup.rollup_compute()) == []
    assert latest.content_hash == rollup.rollup_compute().content_hash


def test_the_statement_equals_its_honest_floor_value_by_value_in_order(generated):
    computed = rollup.rollup_compute()
    produced = _floor(rollup.current_plan().pk)
    floor = produced.rows
    assert len(floor) > 100
    assert [tuple(g) for g in computed.groups] == [tuple(f) for f in floor]
    # and the headline sums (the floor's rows added up), stages and delivery confidence
    _rollup_check(computed, produced)
    assert produced.stages
    assert any(confidence for _, confidence, _ in produced.confidence)
    moved = [(stage, count + 1) for stage, count in produced.stages]
    with pytest.raises(CommandError, match="stage counts"):
        _rollup_check(computed, produced._replace(stages=moved))
    counted = [(portfolio, confidence, n + 1) for portfolio, confidence, n in produced.confidence]
    with pytest.raises(CommandError, match="delivery confidence"):
        _rollup_check(computed, produced._replace(confidence=counted))
    # the sources the floor reads, each present in the generated data
    assert any(row[1] is None and row[-2] for row in floor)  # programme-wide one-off costs
    assert any(row[1] is None and row[4] for row in floor)  # directorate lines' targets
    assert any(row[1] and row[4] and row[6] for row in floor)  # a programme's own line
    assert any(row[8] < 0 for row in floor)  # a dis-benefit counts against savings


def _financial_benefit(rng: random.Random) -> Benefit:
    return rng.choice(list(Benefit.objects.financial().select_related("programme")))


def _profile_edit(rng: random.Random, actor) -> None:
    benefit = _financial_benefit(rng)
    stored = {p.financial_year: p for p in benefit.profile.all()}
    year = rng.choice([*stored, max(stored, default=2020) + 1])  # sometimes a year it had not
    planned = stored[year].planned if year in stored else D("0")  # a baseline may be locked
    services.benefit_profile_save(
        benefit=benefit,
        rows=[services.ProfileRow(year, planned, D(rng.randint(0, 90000)), D(rng.randint(0, 9)))],
        actor=actor,
    )


def _cost_edit(rng: random.Random, actor) -> None:
    programme = rng.choice(list(Programme.objects.all()))
    stored = {c.financial_year: c.budget for c in programme.one_off_costs.all()}
    year = rng.choice([*stored, 2030])
    services.one_off_costs_save(
        programme=programme,
        rows=[services.CostRow(year, stored.get(year, D("0")), D(rng.randint(0, 50000)))],
        actor=actor,
    )


def _target_edit(rng: random.Random, actor) -> None:
    plan = rollup.current_plan()
    line = rng.choice(list(plan.lines.all()))
    year = rng.randint(plan.first_year, plan.last_year)
    services.mtfp_targets_save(
        plan=plan, amounts={(line.pk, year): D(rng.randint(0, 70000))}, actor=actor
    )


def _benefit_edit(rng: random.Random, actor) -> None:
    benefit = rng.choice(list(Benefit.objects.all()))
    change = rng.choice(["type", "line", "directorate"])
    if change == "type":
        fields = {"type": rng.choice([BenefitType.CASHABLE_SAVING, BenefitType.DIS_BENEFIT,
                                      BenefitType.NON_FINANCIAL, BenefitType.INCOME])}  # fmt: skip
    elif change == "line":
        fields = {"mtfp_line": rng.choice([None, *MTFPLine.objects.all()])}
    else:
        fields = {"directorate": rng.choice([None, *Directorate.objects.all()])}
    services.benefit_update(benefit=benefit, actor=actor, **fields)


def _category_edit(rng: random.Random, actor) -> None:
    programme = rng.choice(list(Programme.objects.all()))
    programme_settings_update(
        programme=programme, actor=actor, changes={"category": rng.choice("ABC")}
    )


EDITS = [_profile_edit, _cost_edit, _target_edit, _benefit_edit, _category_edit]


def test_incremental_runs_equal_a_full_run_after_random_edits(generated):
    rng = random.Random(22)
    actor = UserFactory()
    snapshots = RollupSnapshot.objects.count()
    for _ in range(8):
        for _ in range(rng.randint(1, 4)):
            rng.choice(EDITS)(rng, actor)
        assert RollupMark.objects.exists()
        snapshot = rollup.rollup_refresh()
        assert snapshot.pk == generated.pk  # today's snapshot, taken in incrementally
        assert not RollupMark.objects.exists()
        _no_drift()
    assert rollup.rollup_nightly().pk == generated.pk  # raises on drift
    assert RollupSnapshot.objects.count() == snapshots


def test_an_edit_to_one_programme_recomputes_only_that_programmes_rows(generated):
    benefit = Benefit.objects.financial().filter(profile__isnull=False).order_by("pk")[0]
    programme = benefit.programme
    others = RollupRow.objects.filter(snapshot=generated).exclude(programme=programme)
    before = list(others.order_by("pk").values_list("pk", *ROW_FIELDS))
    year = benefit.profile.order_by("financial_year")[0]
    services.benefit_profile_save(
        benefit=benefit,
        rows=[services.ProfileRow(year.financial_year, year.planned, year.forecast + 1, D(0))],
        actor=UserFactory(),
    )
    assert list(RollupMark.objects.values_list("programme_key", flat=True)) == [programme.pk]
    plan = rollup.current_plan()
    with mock.patch.object(rollup, "rollup_rows", wraps=rollup.rollup_rows) as statement:
        rollup.rollup_refresh()
    assert statement.call_args_list == [mock.call(plan, programme.pk)]  # one programme's scope
    assert list(others.order_by("pk").values_list("pk", *ROW_FIELDS)) == before  # untouched
    forecast = D(rollup._latest().payload["totals"]["forecast"])
    assert forecast == D(generated.payload["totals"]["forecast"]) + 1
    _no_drift()


def test_the_rows_of_no_programme_are_a_scope_of_their_own(generated):
    plan = rollup.current_plan()
    line = plan.lines.filter(programme__isnull=True).order_by("pk")[0]
    services.mtfp_targets_save(
        plan=plan, amounts={(line.pk, plan.first_year): D("1")}, actor=UserFactory()
    )
    assert list(RollupMark.objects.values_list("programme_key", flat=True)) == [
        RollupMark.NO_PROGRAMME
    ]
    with mock.patch.object(rollup, "rollup_rows", wraps=rollup.rollup_rows) as statement:
        rollup.rollup_refresh()
    assert statement.call_args_list == [mock.call(plan, RollupMark.NO_PROGRAMME)]
    _no_drift()


def test_a_stage_move_recounts_the_stages_incrementally(generated):
    programme = Programme.objects.order_by("pk")[0]
    Programme.objects.filter(pk=programme.pk).update(stage="paused")  # as the gate service would
    services.rollup_mark(programmes=[programme.pk])
    stages = rollup.rollup_refresh().payload["stages"]
    assert stages == rollup.stage_counts()
    assert stages["paused"] >= 1


def test_the_nightly_run_logs_and_raises_on_drift_and_stores_the_full_figures(generated, caplog):
    profile = BenefitProfile.objects.filter(benefit__type=BenefitType.CASHABLE_SAVING)[0]
    # a change no service marked (a script, a restore): the incremental state misses it
    BenefitProfile.objects.filter(pk=profile.pk).update(forecast=F("forecast") + 7)
    with (
        caplog.at_level(logging.ERROR, logger="benefits.rollup"),
        pytest.raises(rollup.RollupDrift, match="rows missing from the snapshot"),
    ):
        rollup.rollup_nightly()
    assert "drifted from the full run" in caplog.text
    assert "payload totals" in caplog.text
    _no_drift()  # the full run's figures were stored
    assert D(rollup._latest().payload["totals"]["forecast"]) == (
        D(generated.payload["totals"]["forecast"]) + 7
    )
    rollup.rollup_nightly()  # equal now: no error


def test_the_nightly_run_takes_in_pending_marks_before_comparing(generated):
    _profile_edit(random.Random(3), UserFactory())  # marked, its refresh not yet run
    snapshot = rollup.rollup_nightly()
    assert snapshot.pk == generated.pk
    assert not RollupMark.objects.exists()
    _no_drift()


def test_the_first_change_of_a_day_starts_a_new_snapshot_and_keeps_yesterdays(generated):
    yesterday = generated.as_of - timedelta(days=1)
    RollupSnapshot.objects.filter(pk=generated.pk).update(as_of=yesterday)
    kept = list(generated.rows.order_by("pk").values_list(*ROW_FIELDS))
    _profile_edit(random.Random(4), UserFactory())
    snapshot = rollup.rollup_refresh()
    assert snapshot.pk != generated.pk
    assert list(generated.rows.order_by("pk").values_list(*ROW_FIELDS)) == kept
    _no_drift()


def test_a_mark_written_during_a_run_is_left_for_the_next(generated):
    programme = Programme.objects.order_by("pk")[0]
    services.rollup_mark(programmes=[programme.pk])
    real = rollup._marks

    def read_then_mark():
        marks = real()
        RollupMark.objects.create(programme_key=programme.pk)  # as an edit committing meanwhile
        return marks

    with mock.patch.object(rollup, "_marks", side_effect=read_then_mark):
        rollup.rollup_refresh()
    assert RollupMark.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_refreshes_and_a_full_run_at_once_do_not_interleave():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (DATABASE_URL); SQLite serialises writes")
    _generate()
    rng = random.Random(9)
    actor = UserFactory()
    for _ in range(3):
        rng.choice(EDITS)(rng, actor)
    results = together(rollup.rollup_refresh, rollup.rollup_run, rollup.rollup_refresh)
    assert not [r for r in results if isinstance(r, Exception)], results
    for _ in range(3):
        rng.choice(EDITS)(rng, actor)
    results = together(rollup.rollup_refresh, rollup.rollup_refresh, rollup.rollup_nightly)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert not RollupMark.objects.exists()
    _no_drift()


def test_a_snapshot_from_before_the_incremental_rollup_is_replaced_by_a_full_run(generated):
    RollupSnapshot.objects.filter(pk=generated.pk).update(rows_digest="")
    _profile_edit(random.Random(6), UserFactory())
    assert rollup.rollup_refresh().pk != generated.pk
    _no_drift()
    rollup.rollup_nightly()


def test_the_statements_status_counts_equal_the_orm_reads(generated):
    from portfolio.models import HighlightReport, Stage

    payload = rollup.rollup_compute().payload
    assert payload["stages"] == rollup.stage_counts()
    latest = HighlightReport.objects.latest_per_programme().filter(
        programme__stage__in=Stage.open_stages()
    )
    assert sum(payload["delivery_confidence"]["all"].values()) == latest.count() > 0
    for report in latest.select_related("programme")[:20]:
        by_portfolio = payload["delivery_confidence"]["by_portfolio"]
        assert by_portfolio[str(report.programme.portfolio_id)][report.delivery_confidence] >= 1
    for portfolio, counts in payload["delivery_confidence"]["by_portfolio"].items():
        expected = latest.filter(programme__portfolio_id=portfolio)
        for confidence, count in counts.items():
            assert expected.filter(delivery_confidence=confidence).count() == count

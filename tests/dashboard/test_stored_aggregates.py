"""The dashboard's money panel reads, unfiltered, what the roll-up kept with its rows (business
cases, MTFP lines' targets); these equal what grouping the rows gives, after a full run, after
incremental runs and after the nightly run repairs them. The roadmap's narrow ranking equals the
unbounded one. PostgreSQL with DATABASE_URL set, SQLite otherwise."""

import logging
import random

import pytest
from django.db.models import Sum

from benefits import rollup
from benefits.models import RollupBusinessCase, RollupLineTarget, RollupSnapshot
from dashboard.queries import (
    DashboardFilters,
    _business_cases_page,
    _stored_business_cases,
    money_panel,
    roadmap,
    snapshot_rows,
)
from tests.accounts.factories import UserFactory
from tests.benefits.test_rollup_incremental import EDITS, _generate

UNFILTERED = DashboardFilters()


@pytest.fixture
def generated(db) -> RollupSnapshot:
    return _generate()


def _line_targets_grouped(snapshot: RollupSnapshot) -> dict[int, object]:
    rows = snapshot_rows(UNFILTERED, snapshot).exclude(mtfp_line=None).order_by()
    return dict(rows.values_list("mtfp_line").annotate(target=Sum("target")))


def _shown(cases: list[dict]) -> list[tuple]:
    """What the page shows of each business case (the grouped one also carries the count)."""
    return [(c["name"], c["slug"], c["budget"], c["spend"]) for c in cases]


def _assert_stored_equals_grouped(snapshot: RollupSnapshot) -> None:
    rows = snapshot_rows(UNFILTERED, snapshot)
    stored, stored_count = _stored_business_cases(snapshot)
    grouped, grouped_count = _business_cases_page(rows)
    assert stored_count == grouped_count
    assert _shown(stored) == _shown(grouped)
    stored = dict(
        RollupLineTarget.objects.filter(snapshot=snapshot).values_list("mtfp_line", "target")
    )
    assert stored == _line_targets_grouped(snapshot)
    assert rollup.aggregates_drift(snapshot, rollup.rollup_compute().groups) == []


def test_a_full_run_keeps_the_business_cases_and_line_targets_the_rows_group_to(generated):
    _assert_stored_equals_grouped(generated)
    cases, count = _stored_business_cases(generated)
    assert cases[0]["slug"] is None  # the programme-wide one first (the generator adds one)
    assert len(cases) == min(count, 10) + 1
    assert RollupLineTarget.objects.filter(snapshot=generated).count() >= 2


def test_incremental_runs_keep_them_equal_to_the_rows(generated):
    rng = random.Random(7)
    actor = UserFactory()
    for _ in range(8):
        for _ in range(rng.randint(1, 4)):
            rng.choice(EDITS)(rng, actor)
        snapshot = rollup.rollup_refresh()
        assert snapshot.pk == generated.pk
        _assert_stored_equals_grouped(snapshot)


def test_the_money_panel_reads_the_same_figures_stored_or_grouped(generated, monkeypatch):
    stored = money_panel(UNFILTERED, generated)
    monkeypatch.setattr("dashboard.queries._filtered", lambda filters: True)
    grouped = money_panel(UNFILTERED, generated)
    assert _shown(stored["business_cases"]) == _shown(grouped["business_cases"])
    for key in ("programme_cases", "deliverability", "years", "total"):
        assert stored[key] == grouped[key], key


def test_the_nightly_run_finds_and_repairs_drifted_aggregates(generated, caplog):
    RollupBusinessCase.objects.filter(snapshot=generated).order_by("pk").first().delete()
    RollupLineTarget.objects.filter(snapshot=generated).update(rows=99)
    with (
        caplog.at_level(logging.ERROR, logger="benefits.rollup"),
        pytest.raises(rollup.RollupDrift, match="business cases"),
    ):
        rollup.rollup_nightly()
    assert "MTFP line targets" in caplog.text
    latest = rollup._latest()
    assert latest.pk == generated.pk  # the rows and payload were right: only these rewritten
    _assert_stored_equals_grouped(latest)
    rollup.rollup_nightly()  # equal now: no error


def test_the_roadmap_shows_the_first_of_the_unbounded_ranking_with_its_count(generated):
    shown = roadmap(UNFILTERED, limit=3)
    every = roadmap(UNFILTERED, limit=None)
    assert shown["total"] == every["total"] == every["shown"] > 3
    listed = [row["programme"] for rows in every["groups"].values() for row in rows]
    assert [row["programme"] for rows in shown["groups"].values() for row in rows] == listed[:3]
    assert shown["shown"] == 3

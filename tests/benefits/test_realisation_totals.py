"""The benefits realisation page's totals, kept by the roll-up (benefits/realisation.py): equal
to their direct computation after full and incremental runs and after each kind of write, exact
on the page while the roll-up has marks still to take in (issue #22)."""

import logging
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from benefits import realisation, rollup, services
from benefits.baselines import benefit_baselines_lock, benefit_planned_set
from benefits.models import (
    Benefit,
    BenefitProfile,
    BenefitStatus,
    BenefitType,
    RealisationTotal,
    RollupMark,
)
from governance.administration import programme_settings_update
from portfolio.models import Portfolio, Programme, Stage
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def generated(db):
    call_command("generate_portfolio", programmes=6, seed=3, stdout=StringIO())
    rollup.rollup_run()
    assert not RollupMark.objects.exists()
    return UserFactory()


def _scopes() -> list[Portfolio | None]:
    return [None, *Portfolio.objects.order_by("pk")]


def _exact() -> None:
    """The page's figures equal the direct computation, for everything and each portfolio."""
    for portfolio in _scopes():
        assert realisation.realisation_totals(portfolio) == realisation.realisation_computed(
            portfolio
        ), portfolio


def _stored_equal_a_full_computation() -> None:
    assert realisation.realisation_drift() == []
    for portfolio in _scopes():
        scope = RealisationTotal.EVERYTHING if portfolio is None else portfolio.pk
        row = RealisationTotal.objects.filter(programme_key=0, portfolio_key=scope).first()
        stored = realisation.figures_of(row) if row else realisation.zeros()
        assert stored == realisation.realisation_computed(portfolio), portfolio


def _benefit(**filters) -> Benefit:
    return Benefit.objects.filter(**filters).select_related("programme").order_by("pk")[0]


def _profile_save(actor) -> None:
    benefit = _benefit(type=BenefitType.CASHABLE_SAVING, profile__isnull=False)
    profile = benefit.profile.order_by("financial_year")[0]
    services.benefit_profile_save(
        benefit=benefit,
        rows=[services.ProfileRow(profile.financial_year, profile.planned,
                                  profile.forecast + 11, profile.actual + 3)],
        actor=actor,
    )  # fmt: skip


def _benefit_create(actor) -> None:
    programme = Programme.objects.order_by("-pk")[0]
    services.benefit_create(programme=programme, actor=actor, title="New", type="income")


def _closed_first(actor) -> None:
    """A programme closed before the write under test, taken in by a full run."""
    Programme.objects.filter(pk=_benefit(status=BenefitStatus.PLANNED).programme_id).update(
        stage=Stage.CLOSED
    )
    rollup.rollup_run()


def _withdraw(actor) -> None:
    benefit = _benefit(status=BenefitStatus.PLANNED, programme__stage=Stage.CLOSED)
    services.benefit_update(benefit=benefit, actor=actor, status="withdrawn")


def _made_non_financial(actor) -> None:
    benefit = _benefit(type=BenefitType.CASHABLE_SAVING, profile__isnull=False)
    services.benefit_update(benefit=benefit, actor=actor, type=BenefitType.NON_FINANCIAL)


def _claim(actor) -> None:
    benefit = _benefit(realisation_claim="", status=BenefitStatus.PLANNED)
    services.benefit_realisation_claim(
        benefit=benefit, claim="realised", note="Outturn", actor=actor
    )


def _claimed_first(actor) -> None:
    benefit = _benefit(realisation_claim="", status=BenefitStatus.PLANNED)
    services.benefit_realisation_claim(benefit=benefit, claim="realised", note="x", actor=actor)
    rollup.rollup_refresh()


def _claim_returned(actor) -> None:
    benefit = _benefit(realisation_claim="realised")
    services.benefit_realisation_confirm(
        benefit=benefit, confirm=False, reason="Which contract?", actor=actor
    )


def _claim_confirmed(actor) -> None:
    benefit = _benefit(realisation_claim="realised")
    services.benefit_realisation_confirm(benefit=benefit, confirm=True, actor=actor)


def _unlocked_first(actor) -> None:
    programme = _benefit(type=BenefitType.CASHABLE_SAVING, profile__isnull=False).programme
    BenefitProfile.objects.filter(benefit__programme=programme).update(
        planned=F("planned") + 5, baseline=None
    )  # planned moved before Gate 3
    rollup.rollup_run()


def _baselines_locked(actor) -> None:
    programme = _benefit(type=BenefitType.CASHABLE_SAVING, profile__isnull=False).programme
    benefit_baselines_lock(programme=programme, actor=actor)


def _baseline_moved(actor) -> None:
    benefit = _benefit(type=BenefitType.CASHABLE_SAVING, profile__isnull=False)
    profile = benefit.profile.order_by("financial_year")[0]
    benefit_planned_set(benefit=benefit, financial_year=profile.financial_year,
                        planned=profile.planned + 100, actor=actor)  # fmt: skip


def _programme_moved(actor) -> None:
    programme = _benefit().programme
    other = Portfolio.objects.exclude(pk=programme.portfolio_id).order_by("pk")[0]
    programme_settings_update(programme=programme, actor=actor, changes={"portfolio": other})


def _programme_closed(actor) -> None:
    programme = _benefit(status=BenefitStatus.PLANNED).programme
    Programme.objects.filter(pk=programme.pk).update(stage=Stage.CLOSED)  # as the gate service
    services.rollup_mark(programmes=[programme.pk])  # (_move_stage) does, in its transaction


WRITES = [
    (None, _profile_save), (None, _benefit_create), (_closed_first, _withdraw),
    (None, _made_non_financial), (None, _claim), (_claimed_first, _claim_returned),
    (_claimed_first, _claim_confirmed), (_unlocked_first, _baselines_locked),
    (None, _baseline_moved), (None, _programme_moved), (None, _programme_closed),
]  # fmt: skip


@pytest.mark.parametrize(("prepare", "write"), WRITES, ids=[w.__name__[1:] for _, w in WRITES])
def test_each_kind_of_write_marks_its_programme_and_the_totals_stay_exact(
    generated, prepare, write
):
    if prepare:
        prepare(generated)
        _stored_equal_a_full_computation()
    before = [realisation.realisation_computed(portfolio) for portfolio in _scopes()]
    write(generated)
    after = [realisation.realisation_computed(portfolio) for portfolio in _scopes()]
    assert after != before, "the write moved no figure"
    assert RollupMark.objects.exists()  # marked in the write's transaction
    _exact()  # before the roll-up has taken it in: the marked programme computed afresh
    rollup.rollup_refresh()
    assert not RollupMark.objects.exists()
    _stored_equal_a_full_computation()
    _exact()
    rollup.rollup_nightly()  # raises on drift


def test_a_full_run_stores_every_programmes_portfolios_and_everythings_totals(generated):
    RealisationTotal.objects.all().delete()
    rollup.rollup_run()
    _stored_equal_a_full_computation()
    with_benefits = set(Benefit.objects.values_list("programme_id", flat=True))
    assert (
        set(
            RealisationTotal.objects.exclude(programme_key=0).values_list(
                "programme_key", flat=True
            )
        )
        == with_benefits
    )
    assert RealisationTotal.objects.get(programme_key=0, portfolio_key=-1).total == (
        Benefit.objects.count()
    )


def test_the_page_reads_a_few_stored_rows_not_every_benefit(generated):
    with CaptureQueriesContext(connection) as captured:
        figures = realisation.realisation_totals()
    assert figures == realisation.realisation_computed()
    assert len(captured.captured_queries) == 2  # the marks, the stored rows
    assert not any("benefits_benefitprofile" in q["sql"] for q in captured.captured_queries)
    _claim(generated)  # marked, not yet taken in: that programme alone is computed afresh
    expected = realisation.realisation_computed()
    with CaptureQueriesContext(connection) as captured:
        assert realisation.realisation_totals() == expected
    programme = str(RollupMark.objects.get().programme_key)
    profiles = [q["sql"] for q in captured.captured_queries if "benefitprofile" in q["sql"]]
    assert len(profiles) == 1 and programme in profiles[0]  # noqa: PT018


def test_everything_is_computed_directly_while_a_full_run_is_owed(generated):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(realisation, "realisation_computed", lambda *a, **k: "direct")
        services.rollup_mark(everything=True)
        assert realisation.realisation_totals() == "direct"
        RollupMark.objects.all().delete()
        programmes = list(Programme.objects.values_list("pk", flat=True))
        patch.setattr(realisation, "MARKED_AT_MOST", len(programmes) - 1)
        services.rollup_mark(programmes=programmes)  # as after the broker was down
        assert realisation.realisation_totals() == "direct"
        RollupMark.objects.all().delete()
        RealisationTotal.objects.all().delete()  # nothing stored yet (before the first run)
        assert realisation.realisation_totals() == "direct"


def test_the_first_refresh_with_nothing_stored_stores_everything(generated):
    RealisationTotal.objects.all().delete()
    _profile_save(generated)
    rollup.rollup_refresh()
    _stored_equal_a_full_computation()


def test_the_nightly_run_raises_on_totals_no_write_marked_and_stores_them(generated, caplog):
    benefit = _benefit(realisation_claim="")
    Benefit.objects.filter(pk=benefit.pk).update(realisation_claim="realised")  # a script
    with (
        caplog.at_level(logging.ERROR, logger="benefits.rollup"),
        pytest.raises(rollup.RollupDrift, match="benefits realisation totals differ"),
    ):
        rollup.rollup_nightly()
    _stored_equal_a_full_computation()
    rollup.rollup_nightly()


def test_the_page_shows_a_claim_at_once(generated, client):
    client.force_login(get_user_model().objects.get(username="pmo"))
    benefit = _benefit(realisation_claim="", status=BenefitStatus.PLANNED)

    def awaiting() -> str:
        text = client.get("/benefits/realisation/").content.decode()
        return text.split("Awaiting the PMO's confirmation</dt>")[1].split("</dd>")[0]

    assert awaiting().endswith(">0")
    services.benefit_realisation_claim(benefit=benefit, claim="realised", note="x", actor=generated)
    assert awaiting().endswith(">1")  # not yet taken in by the roll-up: exact all the same

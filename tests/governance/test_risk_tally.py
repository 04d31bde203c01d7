"""The risk counts the database keeps (``RiskTally``, migration 0024's triggers): every way a
risk is written moves them as a recount would, the whole portfolio's RAID log reads its count and
heat map from them, and the nightly check puts a recount in place of counts that drifted."""

import logging

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.audit import bulk_create_audited
from governance import queries, tallies, tasks
from governance.models import Risk, RiskStatus, RiskTally
from portfolio.models import Programme
from tests.governance.factories import RiskFactory, build_logs_world
from tests.portfolio.factories import PortfolioFactory
from tests.support.threads import together

TRIGGERS = {
    "governance_risktally_inserted",
    "governance_risktally_deleted",
    "governance_risktally_updated",
    "governance_risktally_programme_moved",
    "governance_risktally_programme_deleted",
}


def _portfolio_risk(portfolio, **fields):
    scores = {"inherent_likelihood": 4, "inherent_impact": 4, "residual_likelihood": 2,
              "residual_impact": 5, "target_likelihood": 1, "target_impact": 1}  # fmt: skip
    return Risk.objects.create(title="Portfolio risk", portfolio=portfolio, **(scores | fields))


def _kept(portfolio):
    return {key[1:]: n for key, n in tallies.kept().items() if key[0] == portfolio.pk}


@pytest.mark.django_db
def test_the_migrated_database_has_the_triggers_that_keep_the_counts():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert names >= TRIGGERS


def test_each_write_to_a_risk_moves_the_counts_as_a_recount_would(logs_world):
    portfolio, programme = logs_world["portfolio"], logs_world["programme"]
    risk = RiskFactory(programme=programme, residual_likelihood=4, residual_impact=5)
    RiskFactory(programme=programme, residual_likelihood=4, residual_impact=5)
    assert _kept(portfolio) == {("open", 4, 5): 2}

    risk.residual_impact = 3
    risk.save()
    assert _kept(portfolio) == {("open", 4, 5): 1, ("open", 4, 3): 1}
    risk.title = "Renamed"  # a save that moves no count
    risk.save()
    Risk.objects.filter(pk=risk.pk).update(status=RiskStatus.CLOSED)  # no signal, no save()
    assert _kept(portfolio) == {("open", 4, 5): 1, ("closed", 4, 3): 1}

    own = _portfolio_risk(portfolio)  # the portfolio's own risk, no programme
    assert _kept(portfolio)[("open", 2, 5)] == 1
    own.delete()
    risk.delete()
    assert _kept(portfolio) == {("open", 4, 5): 1}
    owner = logs_world["people"]["manager"]
    bulk_create_audited(
        Risk, [RiskFactory.build(programme=programme, owner=owner) for _ in range(3)]
    )
    assert _kept(portfolio) == {("open", 4, 5): 1, ("open", 3, 3): 3}
    assert tallies.tally_drift() == []


def test_a_programme_moved_or_deleted_moves_its_risks_counts(logs_world):
    portfolio, programme = logs_world["portfolio"], logs_world["programme"]
    RiskFactory.create_batch(2, programme=programme)
    RiskFactory(programme=logs_world["other"])
    elsewhere = PortfolioFactory(slug="elsewhere", name="Elsewhere")

    programme.portfolio = elsewhere
    programme.save()
    assert _kept(portfolio) == {("open", 3, 3): 1}
    assert _kept(elsewhere) == {("open", 3, 3): 2}
    Programme.objects.filter(pk=programme.pk).update(portfolio=None)  # before Gate 1
    assert tallies.kept()[(0, "open", 3, 3)] == 2
    assert tallies.tally_drift() == []

    Programme.objects.get(pk=logs_world["other"].pk).delete()  # its risks go with it
    assert _kept(portfolio) == {}
    assert tallies.tally_drift() == []


def test_the_whole_portfolio_log_reads_its_count_and_heat_map_from_the_kept_counts(
    logs_world, client_as
):
    RiskFactory.create_batch(2, programme=logs_world["programme"], residual_likelihood=4,
                             residual_impact=5)  # fmt: skip
    RiskFactory(programme=logs_world["other"], status=RiskStatus.CLOSED)
    client = client_as(logs_world["people"]["board"])
    with CaptureQueriesContext(connection) as queried:
        page = client.get("/raid/")
    assert page.context["page"].paginator.count == 3
    assert page.context["heat_map"]["total"] == 2
    risk_reads = [q["sql"] for q in queried if '"governance_risk"' in q["sql"]]
    counts = [sql for sql in risk_reads if "COUNT(" in sql.upper()]
    # The page's rows, and the navigation's count of the person's own overdue reviews (by
    # owner): nothing counts the portfolio's risks.
    assert len(risk_reads) == 2
    assert len(counts) == 1
    assert '"governance_risk"."owner_id" =' in counts[0]

    # What the page shows is what the counts say: made wrong on purpose, the page follows them.
    RiskTally.objects.filter(status="open", likelihood=4, impact=5).update(n=7)
    page = client.get("/raid/")
    assert page.context["page"].paginator.count == 8
    cells = {(c["likelihood"], c["impact"]): c["count"]
             for row in page.context["heat_map"]["rows"] for c in row["cells"]}  # fmt: skip
    assert cells[(4, 5)] == 7


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 4),
        ("?status=open", 3),
        ("?status=closed", 1),
        ("?status=open&likelihood=4&impact=5", 2),
        ("?likelihood=4", 3),
        ("?likelihood=9", 4),  # not a rating: the filter is ignored, as the rows ignore it
        ("?escalated=yes", 1),  # not one of the counts' keys: counted from the risks
    ],
)
def test_a_portfolio_log_filtered_by_status_and_rating_counts_what_it_lists(
    logs_world, client_as, query, expected
):
    programme = logs_world["programme"]
    RiskFactory.create_batch(2, programme=programme, residual_likelihood=4, residual_impact=5)
    RiskFactory(programme=programme, residual_likelihood=4, residual_impact=1,
                status=RiskStatus.CLOSED, escalated=True)  # fmt: skip
    _portfolio_risk(logs_world["portfolio"], residual_likelihood=1)
    client = client_as(logs_world["people"]["board"])
    for url in ["/raid/", "/portfolios/partner/raid/"]:
        page = client.get(url + query)
        assert page.context["page"].paginator.count == expected
        assert page.context["page"].paginator.count == len(page.context["rows"])


def test_the_nightly_check_puts_a_recount_in_place_of_counts_that_drifted(logs_world, caplog):
    RiskFactory.create_batch(3, programme=logs_world["programme"])
    entry = settings.CELERY_BEAT_SCHEDULE["governance-tally-check-nightly"]
    assert entry["task"] == "governance.tally_check" == tasks.tally_check.name
    assert tasks.tally_check.apply().get() == 1  # one count, as a recount gives it

    RiskTally.objects.filter(status="open").update(n=5)
    with (
        caplog.at_level(logging.ERROR, logger="governance.tallies"),
        pytest.raises(tallies.TallyDrift, match="kept 5, counted 3"),
    ):
        tallies.tally_check()
    assert "drifted" in caplog.text
    assert tallies.tally_drift() == []
    assert _kept(logs_world["portfolio"]) == {("open", 3, 3): 3}


def test_the_portfolio_heat_map_from_the_counts_equals_one_from_the_risks(logs_world):
    portfolio = logs_world["portfolio"]
    for likelihood, impact in [(5, 5), (5, 5), (1, 3), (2, 4)]:
        RiskFactory(programme=logs_world["programme"], residual_likelihood=likelihood,
                    residual_impact=impact)  # fmt: skip
    RiskFactory(programme=logs_world["other"], status=RiskStatus.OCCURRED)
    _portfolio_risk(portfolio)
    assert queries.tallied_heat_map(portfolio) == queries.heat_map(
        Risk.objects.in_portfolio(portfolio)
    )
    assert queries.tallied_heat_map(None) == queries.heat_map(Risk.objects.all())


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="one writer at a time on SQLite")
def test_writers_at_once_each_move_the_counts_and_none_is_lost(make_user):
    """Four transactions at once: two move risks between the same two ratings in opposite
    directions (each statement takes its counts' locks in one order, so neither waits on the
    other in a cycle), one adds risks, one moves a programme to another portfolio."""
    world = build_logs_world(make_user)
    programme, other = world["programme"], world["other"]
    up = [RiskFactory(programme=programme, residual_impact=3).pk for _ in range(5)]
    down = [RiskFactory(programme=programme, residual_impact=5).pk for _ in range(5)]
    RiskFactory.create_batch(3, programme=other)
    elsewhere = PortfolioFactory(slug="elsewhere", name="Elsewhere")
    owner = world["people"]["manager"]

    def move(ids, impact):
        with transaction.atomic():
            return Risk.objects.filter(pk__in=ids).update(residual_impact=impact)

    def add():
        with transaction.atomic():
            return len(bulk_create_audited(Risk, [
                RiskFactory.build(programme=programme, owner=owner) for _ in range(4)
            ]))  # fmt: skip

    def reassign():
        with transaction.atomic():
            return Programme.objects.filter(pk=other.pk).update(portfolio=elsewhere)

    results = together(lambda: move(up, 5), lambda: move(down, 3), add, reassign)
    assert results == [5, 5, 4, 1]
    assert tallies.tally_drift() == []
    assert _kept(elsewhere) == {("open", 3, 3): 3}
    assert _kept(world["portfolio"]) == {("open", 3, 3): 9, ("open", 3, 5): 5}

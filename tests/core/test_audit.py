"""bulk_create_audited: the database copies each new row into its history (one INSERT … SELECT
per batch), and the history rows hold what simple_history's own bulk create would write."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from simple_history.utils import bulk_create_with_history

from core.audit import acting_as, bulk_create_audited
from governance.models import Risk
from tests.governance.factories import RiskFactory
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

HISTORY_ONLY = {"history_id", "history_date"}  # numbered and dated as each is written


def unsaved_risks(programme, owner, count: int) -> list[Risk]:
    return [
        RiskFactory.build(programme=programme, owner=owner, title=f"Risk {n}", escalated=n % 2)
        for n in range(count)
    ]


def history_values(risks: list[Risk]) -> list[dict]:
    rows = Risk.history.filter(id__in=[r.pk for r in risks]).order_by("id")
    return [
        {k: v for k, v in model_to_dict(row).items() if k not in HISTORY_ONLY}
        | {"history_type": row.history_type, "history_user": row.history_user_id}
        for row in rows
    ]


def test_each_created_row_gets_one_history_row_naming_the_actor(make_user):
    actor = make_user()
    programme = ProgrammeFactory()
    with acting_as(actor):
        created = bulk_create_audited(Risk, unsaved_risks(programme, actor, 3))
    assert [risk.pk for risk in created] == sorted(risk.pk for risk in created)
    for risk in created:
        (row,) = Risk.history.filter(id=risk.pk)
        assert row.history_type == "+"
        assert row.history_user == actor
        assert row.history_change_reason is None
        stored = Risk.objects.get(pk=risk.pk)
        for field in Risk.history.model.tracked_fields:
            assert getattr(row, field.attname) == getattr(stored, field.attname), field.name


def test_the_history_equals_what_simple_history_writes(make_user):
    actor = make_user()
    programme = ProgrammeFactory()
    with acting_as(actor):
        copied = bulk_create_audited(Risk, unsaved_risks(programme, actor, 5))
        built = bulk_create_with_history(
            unsaved_risks(programme, actor, 5), Risk, default_user=actor
        )
    ours, theirs = history_values(copied), history_values(built)
    assert len(ours) == len(theirs) == 5
    for mine, old in zip(ours, theirs, strict=True):
        mine.pop("id"), old.pop("id")
        assert mine == old


def test_a_large_batch_writes_its_history_in_a_few_statements(make_user):
    actor = make_user()
    programme = ProgrammeFactory()
    risks = unsaved_risks(programme, actor, 2_500)
    with acting_as(actor), CaptureQueriesContext(connection) as queries:
        bulk_create_audited(Risk, risks)
    history = Risk.history.model._meta.db_table
    writes = [q["sql"] for q in queries.captured_queries if history in q["sql"]]
    assert len(writes) <= 3  # a thousand rows a statement (at most; SQLite: fewer parameters)
    assert all(sql.startswith(f'INSERT INTO "{history}"') for sql in writes)
    assert Risk.history.filter(programme=programme, history_type="+").count() == 2_500

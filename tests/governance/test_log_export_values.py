"""A log's download is read as plain values (``values_list``), not model instances; each
column's cell is made by the same function the page uses, so the two always agree."""

import pytest
from django.http import QueryDict

from accounts.models import User
from governance import queries
from governance.logs import LOGS
from governance.models import Board, ChangeRequest, Decision, Escalation, EscalationSource
from governance.queries import export_rows, filtered_rows
from portfolio.models import Portfolio, Programme


def _scopes():
    return [None, Portfolio.objects.order_by("pk").first(), *Programme.objects.order_by("pk")[:3]]


@pytest.mark.django_db
@pytest.mark.parametrize("memory", [4096, 2])
def test_every_logs_download_cells_equal_its_model_instances_values(demo, memory, monkeypatch):
    """For every log and scope, the cells written from ``values_list`` equal the cells the
    model instances give (``Column.export_value``, what the page's columns are made from),
    also when a column remembers only two values' cells and forgets them as it goes."""
    monkeypatch.setattr(queries, "CELL_MEMORY", memory)
    monkeypatch.setattr(queries, "CHUNK_SIZE", 10)  # several chunks, each made a column at a time
    decision = Decision.objects.filter(change_request=None, gate_review=None).first()
    assert decision is not None
    Escalation.objects.create(  # a decision that answered an escalation names it as its Source
        programme=decision.programme or Programme.objects.first(), source=EscalationSource.ISSUE,
        title="Supplier failed", board=decision.board or Board.objects.first(), ask="Decide",
        raised_by=User.objects.first(), decision=decision,
    )  # fmt: skip
    by_hand = Decision.objects.filter(change_request=None, gate_review=None).exclude(pk=decision.pk)
    Decision.objects.filter(pk=by_hand.first().pk).update(  # and one made on a change request
        change_request=ChangeRequest.objects.order_by("pk").first()
    )
    compared = dict.fromkeys(LOGS, 0)
    for log in LOGS.values():
        for scope in _scopes():
            _form, qs, _sort = filtered_rows(log, scope, QueryDict())
            columns = log.columns_for(scope)
            from_objects = [[c.export_value(obj) for c in columns] for obj in qs]
            from_values = [list(row) for row in export_rows(qs, columns)]
            assert from_values == from_objects, (log.key, scope)
            compared[log.key] += len(from_values)
    sources = {row[-1] for row in export_rows(Decision.objects.all(), LOGS["decisions"].columns)}
    assert any(s.startswith("CR-") for s in sources)
    assert any(s.startswith("Gate") for s in sources)
    assert any(s.startswith("Escalated ") for s in sources)
    assert all(compared.values()), compared  # every log had rows to compare


@pytest.mark.django_db
def test_a_logs_download_is_read_in_one_query_without_model_instances(
    demo, django_assert_num_queries, monkeypatch
):
    """The rows come from one ``values_list`` query; no model instance is built for them."""
    log = LOGS["risks"]
    _form, qs, _sort = filtered_rows(log, None, QueryDict())
    built = []
    original = log.model.from_db
    monkeypatch.setattr(
        log.model, "from_db", classmethod(lambda cls, *a: built.append(1) or original(*a))
    )
    with django_assert_num_queries(1):
        rows = list(export_rows(qs, log.columns))
    assert len(rows) == qs.count() > 0
    assert built == []


@pytest.mark.django_db(transaction=True)
def test_a_logs_download_reads_in_a_transaction_of_its_own():
    """Outside a transaction (as a download is streamed), the rows are read inside one of
    their own: PostgreSQL then streams the cursor instead of first copying the whole result
    aside for a cursor WITH HOLD. A download left unread rolls back only that transaction."""
    from django.db import connection

    from tests.governance.factories import RiskFactory

    RiskFactory.create_batch(2)
    assert connection.get_autocommit()
    log = LOGS["risks"]
    _form, qs, _sort = filtered_rows(log, None, QueryDict())
    rows = export_rows(qs, log.columns)
    next(rows)
    assert connection.in_atomic_block
    rows.close()  # as a response does when the client goes away
    assert not connection.in_atomic_block
    assert connection.get_autocommit()
    assert len(list(export_rows(qs, log.columns))) == 2


def test_a_column_of_values_that_cannot_be_remembered_is_made_cell_by_cell():
    make = queries._column_of(len, [0], remember=True)
    assert list(make([([1], [1], [1, 2])])) == [1, 1, 2]  # lists: no set, no lookup
    make = queries._column_of(str.upper, [0], remember=True)
    assert list(make([("a", "a", "a", "b")])) == ["A", "A", "A", "B"]  # remembered

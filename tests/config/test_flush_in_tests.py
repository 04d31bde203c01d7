"""The suite's flush after a transactional test (tests/support/flush.py): the filled tables'
rows deleted, every table left empty, as Django's TRUNCATE leaves them."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from accounts.models import User
from portfolio.models import Portfolio
from tests.support import flush

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's flush only"),
]


def _rows() -> dict[str, int]:
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def test_the_flush_deletes_the_rows_of_the_filled_tables_only():
    Portfolio.objects.create(name="Place Shaper of Choice", slug="place-shaper")
    statements = flush.sql_flush(no_style(), connection, reset_sequences=False)
    assert statements[0] == "SET CONSTRAINTS ALL DEFERRED"
    assert 'DELETE FROM "portfolio_portfolio"' in statements
    assert 'DELETE FROM "notifications_webhook"' not in statements  # empty: left alone
    assert not any(s.startswith("TRUNCATE") for s in statements)


def test_flush_leaves_every_table_empty_but_what_post_migrate_makes(make_user):
    make_user(username="someone")
    Portfolio.objects.create(name="Place Shaper of Choice", slug="place-shaper")
    # as Django flushes after a transactional test
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    filled = {table for table, n in _rows().items() if n}
    assert filled <= {"django_content_type", "auth_permission"}  # made again by post_migrate
    assert "django_content_type" in filled
    assert not User.objects.exists()
    assert not Group.objects.exists()


def test_a_table_past_the_limit_is_truncated_as_django_does(monkeypatch):
    monkeypatch.setattr(flush, "MOST_ROWS", 0)
    Portfolio.objects.create(name="Place Shaper of Choice", slug="place-shaper")
    statements = flush.sql_flush(no_style(), connection, reset_sequences=False)
    assert len(statements) == 1
    assert statements[0].startswith("TRUNCATE")


def test_resetting_sequences_is_left_to_django():
    statements = flush.sql_flush(no_style(), connection, reset_sequences=True)
    assert statements[0].startswith("TRUNCATE")
    assert "RESTART IDENTITY" in statements[0]

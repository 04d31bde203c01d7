"""Each worker's test database is copied from a migrated template on PostgreSQL
(tests/support/migrated_template.py): the template is there once the session has set up, and
the copy is fully migrated."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.support import migrated_template


@pytest.mark.django_db
def test_the_test_database_is_fully_migrated_and_the_template_is_kept():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [migrated_template.name()])
        assert cursor.fetchone() == (1,)

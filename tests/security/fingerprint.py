"""A fingerprint of everything the service keeps: per model, the row count and a hash of every
row (ordered by primary key). Two databases with equal fingerprints hold the same portfolio.

Run as a script against DATABASE_URL: ``python -m tests.security.fingerprint`` prints JSON.
"""

import hashlib
import json

APPS = ("accounts", "portfolio", "governance", "benefits", "dashboard")


def portfolio_fingerprint() -> dict[str, dict[str, object]]:
    from django.apps import apps
    from django.db import connection

    models = [m for m in apps.get_models() if m._meta.app_label in APPS]
    if connection.vendor == "postgresql":
        return _in_one_query(models)
    result: dict[str, dict[str, object]] = {}
    for model in models:
        fields = [f.attname for f in model._meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        for row in model._default_manager.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
            count += 1
        result[model._meta.label] = {"count": count, "sha256": digest.hexdigest()}
    return result


def _in_one_query(models: list) -> dict[str, dict[str, object]]:
    """The same, on PostgreSQL, in one round trip: each table's rows (every concrete column, in
    the model's order) as PostgreSQL writes a row's text, ordered by primary key and hashed by
    the database. The matrix takes two fingerprints for each of its URLs: one query instead of
    one for each of some sixty models."""
    from django.db import connection

    def quoted(name: str) -> str:
        return connection.ops.quote_name(name)

    parts = []
    for i, model in enumerate(models):
        columns = ", ".join(quoted(f.column) for f in model._meta.concrete_fields)
        pk = quoted(model._meta.pk.column)
        parts.append(
            f"SELECT {i}, count(*), encode(sha256(convert_to(coalesce(string_agg("  # noqa: S608
            f"ROW({columns})::text, E'\\n' ORDER BY {pk}), ''), 'UTF8')), 'hex') "
            f"FROM {quoted(model._meta.db_table)}"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        found = {i: (count, digest) for i, count, digest in cursor.fetchall()}
    return {
        model._meta.label: {"count": found[i][0], "sha256": found[i][1]}
        for i, model in enumerate(models)
    }


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    django.setup()
    print(json.dumps(portfolio_fingerprint(), sort_keys=True))

"""The risk counts the database keeps (``governance.models.RiskTally``): the table, the triggers
that move its counts with every write to a risk or to a programme's portfolio, and its first fill.

On PostgreSQL the triggers run once per statement over its transition tables (an import of
10,000 risks moves each count once per statement, not once per risk), and each statement's
changes are applied in one upsert in the order of the counts' keys, so two statements that move
the same counts take their locks in the same order. A statement that changes no count (most
saves: a title, an owner, a date) writes nothing. SQLite has row triggers only: one per risk.

SQLite drops a table's triggers with the table, and Django's SQLite schema editor remakes a
table to alter most of its columns: a later migration that alters ``governance_risk`` or
``portfolio_programme`` must create these triggers again. ``tests/governance/test_risk_tally.py``
fails on a migrated database without them.
"""

from django.db import migrations, models

TALLY = "governance_risktally"
KEYS = "portfolio_key, status, likelihood, impact"
UPSERT = f"ON CONFLICT ({KEYS}) DO UPDATE SET n = {TALLY}.n + excluded.n"

# The portfolio a risk counts in (RiskQuerySet.in_portfolio): its programme's, else its own.
# A risk whose programme is gone counts nowhere: Django deletes a programme before its risks
# (the foreign keys are checked at commit), and the programme's deletion took their counts.
KEY = (
    "CASE WHEN r.programme_id IS NULL THEN COALESCE(r.portfolio_id, 0)"
    " ELSE COALESCE(p.portfolio_id, 0) END"
)
FILL = (
    f"INSERT INTO {TALLY} ({KEYS}, n) SELECT {KEY}, r.status, r.residual_likelihood,"
    " r.residual_impact, COUNT(*) FROM governance_risk r"
    " LEFT JOIN portfolio_programme p ON p.id = r.programme_id GROUP BY 1, 2, 3, 4"
)


# --- PostgreSQL: statement triggers --------------------------------------------------------------
def _risks(rows: str, sign: int) -> str:
    return (
        f"SELECT {KEY} AS portfolio_key, r.status, r.residual_likelihood AS likelihood,"
        f" r.residual_impact AS impact, {sign} AS n FROM {rows} r"
        " LEFT JOIN portfolio_programme p ON p.id = r.programme_id"
        " WHERE r.programme_id IS NULL OR p.id IS NOT NULL"
    )


def _moved_programmes_risks(portfolio: str, sign: int) -> str:
    return (
        f"SELECT COALESCE({portfolio}, 0) AS portfolio_key, r.status,"
        " r.residual_likelihood AS likelihood, r.residual_impact AS impact,"
        f" {sign} AS n FROM old_programmes o JOIN new_programmes w ON w.id = o.id"
        " JOIN governance_risk r ON r.programme_id = o.id"
        " WHERE o.portfolio_id IS DISTINCT FROM w.portfolio_id"
    )


def _moved(changes: str) -> str:
    return (
        f"INSERT INTO {TALLY} AS t ({KEYS}, n) SELECT {KEYS}, SUM(n) FROM ({changes}) AS c"
        f" GROUP BY {KEYS} HAVING SUM(n) <> 0 ORDER BY {KEYS}"
        f" ON CONFLICT ({KEYS}) DO UPDATE SET n = t.n + excluded.n"
    )


POSTGRESQL = {  # trigger: (table, event, transition tables, what it moves)
    "governance_risktally_inserted": (
        "governance_risk", "INSERT", "NEW TABLE AS new_risks", _risks("new_risks", 1),
    ),
    "governance_risktally_deleted": (
        "governance_risk", "DELETE", "OLD TABLE AS old_risks", _risks("old_risks", -1),
    ),
    "governance_risktally_updated": (
        "governance_risk", "UPDATE", "OLD TABLE AS old_risks NEW TABLE AS new_risks",
        f"{_risks('old_risks', -1)} UNION ALL {_risks('new_risks', 1)}",
    ),
    "governance_risktally_programme_moved": (
        "portfolio_programme", "UPDATE", "OLD TABLE AS old_programmes NEW TABLE AS new_programmes",
        f"{_moved_programmes_risks('o.portfolio_id', -1)} UNION ALL"
        f" {_moved_programmes_risks('w.portfolio_id', 1)}",
    ),
    "governance_risktally_programme_deleted": (
        "portfolio_programme", "DELETE", "OLD TABLE AS old_programmes",
        "SELECT COALESCE(o.portfolio_id, 0) AS portfolio_key, r.status,"
        " r.residual_likelihood AS likelihood, r.residual_impact AS impact, -1 AS n"
        " FROM old_programmes o JOIN governance_risk r ON r.programme_id = o.id",
    ),
}  # fmt: skip


# --- SQLite: row triggers -------------------------------------------------------------------
def _row_key(row: str) -> str:
    """``KEY`` of one row: NULL when its programme is gone."""
    return (
        f"CASE WHEN {row}.programme_id IS NULL THEN COALESCE({row}.portfolio_id, 0) ELSE"
        " (SELECT COALESCE(portfolio_id, 0) FROM portfolio_programme"
        f" WHERE id = {row}.programme_id) END"
    )


def _add(row: str) -> str:
    return (
        f"INSERT INTO {TALLY} ({KEYS}, n) SELECT {_row_key(row)}, {row}.status,"
        f" {row}.residual_likelihood, {row}.residual_impact, 1"
        f" WHERE {_row_key(row)} IS NOT NULL {UPSERT};"
    )


def _take(row: str) -> str:
    # An update alone: after a flush that emptied the counts first, a risk deleted takes nothing.
    return (
        f"UPDATE {TALLY} SET n = n - 1 WHERE portfolio_key = {_row_key(row)}"
        f" AND status = {row}.status AND likelihood = {row}.residual_likelihood"
        f" AND impact = {row}.residual_impact;"
    )


_COUNTED = ("programme_id", "portfolio_id", "status", "residual_likelihood", "residual_impact")


def _programme_risks(row: str) -> str:
    return (
        "SELECT status, residual_likelihood AS likelihood, residual_impact AS impact,"
        f" COUNT(*) AS n FROM governance_risk WHERE programme_id = {row}.id"
        " GROUP BY status, residual_likelihood, residual_impact"
    )


def _take_programme_risks(row: str) -> str:
    return (
        f"UPDATE {TALLY} SET n = {TALLY}.n - c.n FROM ({_programme_risks(row)}) AS c"
        f" WHERE {TALLY}.portfolio_key = COALESCE({row}.portfolio_id, 0)"
        f" AND {TALLY}.status = c.status AND {TALLY}.likelihood = c.likelihood"
        f" AND {TALLY}.impact = c.impact;"
    )


SQLITE = {
    "governance_risktally_inserted": f"AFTER INSERT ON governance_risk BEGIN {_add('NEW')} END",
    "governance_risktally_deleted": f"AFTER DELETE ON governance_risk BEGIN {_take('OLD')} END",
    "governance_risktally_updated": (
        f"AFTER UPDATE OF {', '.join(_COUNTED)} ON governance_risk WHEN "
        + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _COUNTED)
        + f" BEGIN {_take('OLD')} {_add('NEW')} END"
    ),
    "governance_risktally_programme_moved": (
        "AFTER UPDATE OF portfolio_id ON portfolio_programme"
        f" WHEN OLD.portfolio_id IS NOT NEW.portfolio_id BEGIN {_take_programme_risks('OLD')}"
        f" INSERT INTO {TALLY} ({KEYS}, n) SELECT COALESCE(NEW.portfolio_id, 0), status,"
        f" likelihood, impact, n FROM ({_programme_risks('NEW')}) WHERE true {UPSERT}; END"
    ),
    "governance_risktally_programme_deleted": (
        f"AFTER DELETE ON portfolio_programme BEGIN {_take_programme_risks('OLD')} END"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, (table, event, transitions, changes) in POSTGRESQL.items():
            schema_editor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                f" {_moved(changes)}; RETURN NULL; END $$"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    else:
        for name, body in SQLITE.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}")
    schema_editor.execute(FILL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, (table, *_rest) in POSTGRESQL.items():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
    else:
        for name in SQLITE:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0023_open_risks_by_owner"),
        ("portfolio", "0011_programme_stage_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="RiskTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("portfolio_key", models.PositiveIntegerField()),
                ("status", models.CharField(choices=[("open", "Open"), ("closed", "Closed"), ("occurred", "Occurred (now an issue)")], max_length=20)),
                ("likelihood", models.PositiveSmallIntegerField()),
                ("impact", models.PositiveSmallIntegerField()),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("portfolio_key", "status", "likelihood", "impact"), name="risk_tally_unique")],
            },
        ),
        migrations.RunPython(create, drop),
    ]

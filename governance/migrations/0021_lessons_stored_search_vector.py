"""On PostgreSQL, each lesson's search words are stored: a generated column ``search_vector``
(the expression of 0014, computed by PostgreSQL on every insert and update, whoever writes the
row) with its GIN index, instead of the expression index of 0014. A search used to rebuild the
words of every matching lesson to rank them (``to_tsvector`` of its texts, per match, per
request): at 5,000 programmes "procurement lead" matches 1,655 lessons and that was 55 ms of
the page. Ranking now reads the stored words. SQLite (development, tests) has no such column:
its search matches words in the texts (governance.queries)."""

from django.db import migrations

# The expression of 0014 (governance.queries.lesson_search_vector), unchanged: the same words,
# the same weights, so the same matches and the same ranks.
VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(what_happened, '') || ' '"
    " || COALESCE(next_time, '')), 'B'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(why, '') || ' '"
    " || COALESCE(adopted_change, '')), 'C')"
)


def store_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE governance_lesson ADD COLUMN IF NOT EXISTS search_vector tsvector"
            f" GENERATED ALWAYS AS ({VECTOR}) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS lessons_search_vector_gin"
            " ON governance_lesson USING gin (search_vector)"
        )
        schema_editor.execute("DROP INDEX IF EXISTS lessons_search_gin")


def unstore_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS lessons_search_gin ON governance_lesson USING gin (({VECTOR}))"
        )
        schema_editor.execute("ALTER TABLE governance_lesson DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("governance", "0020_register_references")]

    operations = [migrations.RunPython(store_vector, unstore_vector)]

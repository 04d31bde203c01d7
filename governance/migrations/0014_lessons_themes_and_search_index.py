"""The default lesson themes, and (on PostgreSQL) the GIN index that full-text search of the
lessons library uses: built on exactly the expression of governance.queries.lesson_search_vector."""

from django.db import migrations


VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(what_happened, '') || ' '"
    " || COALESCE(next_time, '')), 'B'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(why, '') || ' '"
    " || COALESCE(adopted_change, '')), 'C')"
)


def install_themes(apps, schema_editor):
    from governance.lessons import lesson_themes_install

    lesson_themes_install(apps.get_model("governance", "LessonTheme"))


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS lessons_search_gin ON governance_lesson USING gin (({VECTOR}))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS lessons_search_gin")


class Migration(migrations.Migration):
    dependencies = [("governance", "0013_lessons_library")]

    operations = [
        migrations.RunPython(install_themes, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]

"""The default lesson themes, and (on PostgreSQL) the GIN index that full-text search of the
lessons library uses: built on exactly the expression of governance.queries.lesson_search_vector."""

from django.db import migrations

THEMES = [
    ("governance", "Governance and decision-making"),
    ("stakeholders", "Stakeholders and communication"),
    ("commercial", "Procurement and commercial"),
    ("finance", "Finance and budgets"),
    ("benefits", "Benefits and savings"),
    ("resourcing", "Resourcing and skills"),
    ("technology", "Technology and data"),
    ("planning", "Planning and scheduling"),
    ("risk", "Risk management"),
    ("scope", "Scope and requirements"),
    ("people", "People and culture change"),
    ("partners", "Partners and suppliers"),
]

VECTOR = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(what_happened, '') || ' '"
    " || COALESCE(next_time, '')), 'B'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(why, '') || ' '"
    " || COALESCE(adopted_change, '')), 'C')"
)


def install_themes(apps, schema_editor):
    LessonTheme = apps.get_model("governance", "LessonTheme")
    for position, (slug, name) in enumerate(THEMES):
        LessonTheme.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})


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

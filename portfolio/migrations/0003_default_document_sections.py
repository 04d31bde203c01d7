from django.db import migrations


def install(apps, schema_editor):
    from portfolio.services import section_templates_install

    section_templates_install()


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0002_stage_documents_and_highlight_reports")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]

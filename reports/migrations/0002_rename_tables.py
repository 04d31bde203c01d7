"""The tables take the reports app's names; content types and permissions follow the models."""

from django.db import migrations


def move_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    names = ['historicalquarterlyreport', 'quarterlyreport', 'historicalreportsection', 'historicalprogrammeprogress', 'reportsection', 'programmeprogress', 'reportversion']
    for name in names:
        if not content_type.objects.filter(app_label="reports", model=name).exists():
            content_type.objects.filter(app_label="dashboard", model=name).update(app_label="reports")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name='historicalquarterlyreport', table=None),
        migrations.AlterModelTable(name='quarterlyreport', table=None),
        migrations.AlterModelTable(name='historicalreportsection', table=None),
        migrations.AlterModelTable(name='historicalprogrammeprogress', table=None),
        migrations.AlterModelTable(name='reportsection', table=None),
        migrations.AlterModelTable(name='programmeprogress', table=None),
        migrations.AlterModelTable(name='reportversion', table=None),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]

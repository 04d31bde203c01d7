"""The quarterly report's models now belong to the reports app (its 0001 takes them over)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("dashboard", "0001_initial"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='ReportVersion'),
                migrations.DeleteModel(name='ProgrammeProgress'),
                migrations.DeleteModel(name='ReportSection'),
                migrations.DeleteModel(name='HistoricalProgrammeProgress'),
                migrations.DeleteModel(name='HistoricalReportSection'),
                migrations.DeleteModel(name='QuarterlyReport'),
                migrations.DeleteModel(name='HistoricalQuarterlyReport'),
            ],
        ),
    ]

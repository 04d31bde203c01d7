"""The quarterly report's models moved here from the dashboard app (state only: the tables keep
their dashboard_ names until 0002 renames them)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("dashboard", "0001_initial"),
        ("portfolio", "0003_default_document_sections"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalQuarterlyReport',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('financial_year', models.PositiveSmallIntegerField(help_text='Start year: 2019 is 2019/20.')),
                        ('quarter_number', models.PositiveSmallIntegerField()),
                        ('committee', models.CharField(default='Performance and Corporate Services Overview & Scrutiny Committee', max_length=200)),
                        ('meeting_date', models.DateField(blank=True, null=True)),
                        ('author', models.CharField(blank=True, help_text='The officer the report is by, e.g. Corporate Director for Customer and Organisational Development.', max_length=200, verbose_name='report by')),
                        ('recommendations', models.TextField(blank=True, help_text='One recommendation per line.')),
                        ('executive_summary', models.TextField(blank=True)),
                        ('headline_progress', models.TextField(blank=True, help_text='One bullet per line.', verbose_name='headline progress')),
                        ('new_phase', models.TextField(blank=True, verbose_name='new phase of work')),
                        ('correction_open', models.BooleanField(default=False, help_text='A correction to the published report is being prepared.')),
                        ('version', models.PositiveIntegerField(default=0)),
                        ('created_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'dashboard_historicalquarterlyreport',
                        'verbose_name': 'historical quarterly report',
                        'verbose_name_plural': 'historical quarterly reports',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='QuarterlyReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('financial_year', models.PositiveSmallIntegerField(help_text='Start year: 2019 is 2019/20.')),
                        ('quarter_number', models.PositiveSmallIntegerField()),
                        ('committee', models.CharField(default='Performance and Corporate Services Overview & Scrutiny Committee', max_length=200)),
                        ('meeting_date', models.DateField(blank=True, null=True)),
                        ('author', models.CharField(blank=True, help_text='The officer the report is by, e.g. Corporate Director for Customer and Organisational Development.', max_length=200, verbose_name='report by')),
                        ('recommendations', models.TextField(blank=True, help_text='One recommendation per line.')),
                        ('executive_summary', models.TextField(blank=True)),
                        ('headline_progress', models.TextField(blank=True, help_text='One bullet per line.', verbose_name='headline progress')),
                        ('new_phase', models.TextField(blank=True, verbose_name='new phase of work')),
                        ('correction_open', models.BooleanField(default=False, help_text='A correction to the published report is being prepared.')),
                        ('version', models.PositiveIntegerField(default=0)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        'db_table': 'dashboard_quarterlyreport',
                        'ordering': ['-financial_year', '-quarter_number'],
                        'constraints': [models.UniqueConstraint(fields=('financial_year', 'quarter_number'), name='unique_report_quarter'), models.CheckConstraint(condition=models.Q(('quarter_number__gte', 1), ('quarter_number__lte', 4)), name='report_quarter_1_to_4')],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalReportSection',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('body', models.TextField()),
                        ('annex', models.BooleanField(default=True, verbose_name='print as an annex')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.quarterlyreport')),
                    ],
                    options={
                        'db_table': 'dashboard_historicalreportsection',
                        'verbose_name': 'historical report section',
                        'verbose_name_plural': 'historical report sections',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalProgrammeProgress',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('paragraph', models.TextField(blank=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('programme', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='portfolio.programme')),
                        ('report', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reports.quarterlyreport')),
                    ],
                    options={
                        'db_table': 'dashboard_historicalprogrammeprogress',
                        'verbose_name': 'historical programme progress',
                        'verbose_name_plural': 'historical programme progresss',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='ReportSection',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200)),
                        ('body', models.TextField()),
                        ('annex', models.BooleanField(default=True, verbose_name='print as an annex')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sections', to='reports.quarterlyreport')),
                    ],
                    options={
                        'db_table': 'dashboard_reportsection',
                        'ordering': ['report', 'position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ProgrammeProgress',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('paragraph', models.TextField(blank=True)),
                        ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='portfolio.programme')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='progress', to='reports.quarterlyreport')),
                    ],
                    options={
                        'db_table': 'dashboard_programmeprogress',
                        'ordering': ['report', 'programme__name'],
                        'constraints': [models.UniqueConstraint(fields=('report', 'programme'), name='unique_report_programme')],
                    },
                ),
                migrations.CreateModel(
                    name='ReportVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveIntegerField()),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('generating', 'Generating'), ('generated', 'Generated'), ('failed', 'Failed'), ('published', 'Published'), ('superseded', 'Superseded')], default='queued', max_length=20)),
                        ('progress', models.PositiveSmallIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('as_of', models.DateTimeField(help_text="The moment the data is frozen at: the quarter's end.")),
                        ('data', models.JSONField(blank=True, null=True)),
                        ('pdf', models.FileField(blank=True, upload_to='reports/')),
                        ('xlsx', models.FileField(blank=True, upload_to='reports/')),
                        ('pdf_sha256', models.CharField(blank=True, max_length=64)),
                        ('xlsx_sha256', models.CharField(blank=True, max_length=64)),
                        ('requested_at', models.DateTimeField(auto_now_add=True)),
                        ('generated_at', models.DateTimeField(blank=True, null=True)),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                        ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='reports.quarterlyreport')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('supersedes', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_by', to='reports.reportversion')),
                    ],
                    options={
                        'db_table': 'dashboard_reportversion',
                        'ordering': ['report', '-number'],
                        'constraints': [models.UniqueConstraint(fields=('report', 'number'), name='unique_report_version'), models.UniqueConstraint(condition=models.Q(('status__in', ['queued', 'generating'])), fields=('report',), name='one_running_version_per_report'), models.UniqueConstraint(condition=models.Q(('status', 'published')), fields=('report',), name='one_published_version_per_report')],
                    },
                ),
            ],
        ),
    ]

"""On PostgreSQL a log's download is written by the database (``export_sql``: each column's
cell by its ``cell``'s SQL twin, the CSV by COPY, the sheet's rows as XML): the same bytes, or
for XLSX the same cells, as the Python path gives, on hostile values."""

import gc
import io
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection, models
from django.http import QueryDict
from openpyxl import load_workbook

from accounts.models import User
from core import exports
from governance import queries
from governance.logs import LOGS
from governance.models import ChangeRequest, Risk
from portfolio.models import Programme

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the SQL twins are PostgreSQL's"
)

HOSTILE = [
    "=1+2",
    "+cmd|' /C calc'!A0",
    "-5",
    "@SUM(A1:A2)",
    "\tleading tab",
    "\rleading carriage return",
    'say "hi", then go',
    "two\nlines",
    "crlf\r\ninside",
    "controls \x01\x08\x0b\x0c\x1f here",
    "\x01\x08",  # nothing XML can carry: an empty cell (\x08 written by COPY as "\\b")
    "\x1f",  # the same, written by COPY as it is
    "£1,000 × 3 — é 😀",
    "  spaced at the edges  ",
    "back\\slash \\n not a newline \\\\",
    "a\ttab, inside",
    "&amp; <b>bold</b> >",
    "\\.",
    "x" * 40_000,
]


def _text_fields(log) -> list[models.Field]:
    """The free-text fields of the log's own rows that its columns show."""
    shown = {path for c in log.columns for path in c.fields}
    return [
        f
        for f in log.model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices and f.name in shown
    ]


def _make_hostile() -> None:
    """Every free-text field of every log's rows (and people's and programmes' names) given
    hostile values in turn, cut to the field's length."""
    for log in LOGS.values():
        fields = _text_fields(log)
        for i, pk in enumerate(log.model.objects.order_by("pk").values_list("pk", flat=True)):
            values = {}
            for j, f in enumerate(fields):
                value = HOSTILE[(i + j) % len(HOSTILE)]
                values[f.name] = (value[: f.max_length] if f.max_length else value) or "-"
            log.model.objects.filter(pk=pk).update(**values)
    log = LOGS["risks"]  # some empty text (a dependency must name what it depends on)
    Risk.objects.filter(pk__in=log.model.objects.values("pk")[:3]).update(cause="", proximity="")
    for i, user in enumerate(User.objects.order_by("pk")):
        User.objects.filter(pk=user.pk).update(
            first_name=HOSTILE[i % len(HOSTILE)][:150], last_name=HOSTILE[(i + 3) % 17][:150]
        )
    for i, pk in enumerate(Programme.objects.order_by("pk").values_list("pk", flat=True)[:4]):
        Programme.objects.filter(pk=pk).update(name=HOSTILE[i][:200])
    risk = Risk.objects.order_by("pk").first()
    Risk.objects.filter(pk=risk.pk).update(status="unheard-of", review_date=None)  # no label
    amounts = [Decimal("-1500.50"), Decimal("0.00"), Decimal("1234567.89"), Decimal("0.10")]
    for amount, pk in zip(
        amounts, ChangeRequest.objects.values_list("pk", flat=True), strict=False
    ):
        ChangeRequest.objects.filter(pk=pk).update(cost_impact=amount, time_impact_days=-3)


def _csv(table: exports.Table) -> bytes:
    return b"".join(c if isinstance(c, bytes) else c.encode() for c in exports.csv_chunks(table))


def _cells(content: bytes) -> tuple[list, dict]:
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [
        [(c.value, c.data_type, c.number_format, bool(c.font.b)) for c in row]
        for row in sheet.iter_rows()
    ]
    return cells, {key: d.width for key, d in sheet.column_dimensions.items()}


def _scopes():
    return [None, *Programme.objects.order_by("pk")[:2]]


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [500, 3])
def test_every_logs_download_written_by_postgresql_equals_pythons(demo, lines, monkeypatch):
    """CSV byte for byte, XLSX cell for cell (value, type, format, bold) with the same column
    widths, for every log and scope, in chunks of 500 lines or of 3 (the widths' first rows
    then span several chunks)."""
    monkeypatch.setattr(exports, "LINES_PER_CHUNK", lines)
    monkeypatch.setattr(exports, "WIDTH_SAMPLE", min(exports.WIDTH_SAMPLE, lines))
    _make_hostile()
    compared = dict.fromkeys(LOGS, 0)
    for log in LOGS.values():
        for scope in _scopes():
            table = queries.log_table(log, scope, QueryDict())
            assert table.sql is not None, log.key
            python = replace(queries.log_table(log, scope, QueryDict()), sql=None)
            assert _csv(table) == _csv(python), (log.key, scope)
            table = queries.log_table(log, scope, QueryDict())
            python = replace(queries.log_table(log, scope, QueryDict()), sql=None)
            sql_cells, sql_widths = _cells(exports.xlsx_bytes([table]))
            python_cells, python_widths = _cells(exports.xlsx_bytes([python]))
            assert sql_cells == python_cells, (log.key, scope)
            assert sql_widths == python_widths, (log.key, scope)
            compared[log.key] += len(python_cells) - 1
    assert all(compared.values()), compared


@pytest.mark.django_db
def test_the_hostile_values_reach_the_download(demo):
    """The comparison above is not of empty files: a CSV written by PostgreSQL holds guarded,
    quoted, multi-line and non-ASCII cells, and an XLSX the money as numbers."""
    _make_hostile()
    csv = _csv(queries.log_table(LOGS["risks"], None, QueryDict())).decode()
    assert "'=1+2" in csv
    assert '"say ""hi"", then go"' in csv
    assert '"two\nlines"' in csv
    assert "£1,000 × 3" in csv
    assert "back\\slash \\n not a newline \\\\" in csv
    content = exports.xlsx_bytes([queries.log_table(LOGS["change-requests"], None, QueryDict())])
    cells, _widths = _cells(content)
    assert (-1500.5, "n", exports.GBP_FORMAT, False) in [row[4] for row in cells]


@pytest.mark.django_db
def test_a_log_without_an_sql_twin_for_a_column_is_written_in_python(demo, monkeypatch):
    log = LOGS["risks"]
    columns = [replace(c, sql=None) if i == 2 else c for i, c in enumerate(log.columns)]
    _form, qs, _sort = queries.filtered_rows(log, None, QueryDict())
    assert queries.export_sql(qs, log.columns) is not None
    assert queries.export_sql(qs, columns) is None


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_download_stopped_by_an_error_leaves_no_copy_running(demo, fmt, monkeypatch):
    """An error while a download is written ends its COPY before it is raised, even while its
    traceback keeps every frame's locals (as a test's failure report does): the connection
    is free for the next query, where a COPY left running would hold psycopg's lock and the
    next query would wait on it for ever."""

    def broken(*args):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(exports, "_marked_up" if fmt == "xlsx" else "_crlf", broken)
    table = queries.log_table(LOGS["risks"], None, QueryDict())
    write = exports.xlsx_bytes if fmt == "xlsx" else lambda t: list(exports.csv_chunks(t[0]))
    try:
        write([table])
    except RuntimeError as error:
        frames = [step.tb_frame.f_locals for step in _steps(error.__traceback__)]
    assert frames
    lock = connection.connection.lock
    free = lock.acquire(timeout=1)
    if free:
        lock.release()
    del frames  # (and, were a COPY left running, it with them: the test fails, not hangs)
    gc.collect()
    assert free
    assert Risk.objects.exists()


def _steps(traceback):
    while traceback is not None:
        yield traceback
        traceback = traceback.tb_next

"""Spreadsheet formula injection (issue 16, row 2): hostile text in every user-editable field that
reaches a download, then every CSV and XLSX download the URLconf offers, fetched and read back.

No CSV cell may begin with ``= + - @``, a tab or a carriage return (a negative number is a
number, not a formula), and no XLSX cell may be a formula (openpyxl's reading, and the raw sheet
XML has no ``<f>``). The test finds the downloads by walking the URLconf: a download URL it does
not know how to fetch fails it, so a new export cannot ship unguarded.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.http import StreamingHttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from accounts.models import User
from benefits.models import MTFPLine, MTFPPlan, RollupRow
from core import exports
from core.exports import FORMATS, FORMULA_TRIGGERS
from dashboard.queries import TABLES, latest_snapshot
from governance.lessons import lesson_adopt, lesson_record
from governance.logs import LOGS
from governance.models import Board, ChangeRequest, Decision, Lesson, LessonTheme, Risk
from portfolio.models import Directorate, Milestone, Portfolio, Programme
from reports.boardpacks import board_pack_pdf_build
from reports.models import BoardPackPdf, QuarterlyReport, ReportVersion, VersionStatus
from tests.security.hostile import GRIDS, REGISTRY

pytestmark = pytest.mark.django_db

HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-1+2",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]
NUMBER = re.compile(r"-?\d+(\.\d+)?")
# A download URL: its name or its route says export, download, template, csv, xlsx or fmt.
DOWNLOAD = re.compile(r"export|download|template|csv|xlsx|fmt")

# Text that users edit outside the registered model forms: by decision and change-request
# forms that are not model forms, by document sections (milestones), by the MTFP import (line
# names) and in the admin (names of people, boards, portfolios, directorates).
EXTRA_FIELDS: dict[type[models.Model], list[str]] = {
    Programme: ["name"],
    Portfolio: ["name"],
    Directorate: ["name"],
    Board: ["name"],
    MTFPLine: ["name"],
    Milestone: ["title"],
    Decision: ["summary", "decision", "rationale"],
    ChangeRequest: ["title", "baseline_before", "baseline_after", "reasons"],
    User: ["first_name", "last_name"],
    Lesson: ["adopted_change"],
    LessonTheme: ["name"],
}
# Downloads whose rows hold no text a user typed (financial years and sums of money).
# The RAID import template is fixed text.
NO_USER_TEXT = {
    "/dashboard/export/savings.",
    "/dashboard/export/one-off-costs.",
    "/raid/import/template.xlsx",
    "/onboarding/template.xlsx",
}


def _free_text(field: models.Field) -> bool:
    return (
        isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and not isinstance(field, models.SlugField | models.EmailField | models.URLField)
    )


def edited_text_fields() -> dict[type[models.Model], set[str]]:
    """Every free-text model field a registered form edits, and the ones edited elsewhere."""
    fields: dict[type[models.Model], set[str]] = {m: set(f) for m, f in EXTRA_FIELDS.items()}
    for entry in [*REGISTRY, *GRIDS]:
        model = getattr(getattr(entry.form, "_meta", None), "model", None)
        if model is None:
            continue
        for name in getattr(entry.form, "base_fields", {}):
            try:
                field = model._meta.get_field(name)
            except Exception:  # noqa: S112 (a form field with no model field of that name)
                continue
            if _free_text(field):
                fields.setdefault(model, set()).add(name)
    return fields


def plant_hostile_text() -> int:
    """Every row's edited text fields set to hostile values (each unique, for unique names)."""
    planted = 0
    for model, names in edited_text_fields().items():
        ordered = sorted(names)
        for i, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True)):
            values = {}
            for j, name in enumerate(ordered):
                limit = model._meta.get_field(name).max_length or 10_000
                values[name] = f"{HOSTILE[(i + j) % len(HOSTILE)]} {i}"[:limit]
            model.objects.filter(pk=pk).update(**values)
            planted += 1
    return planted


def download_patterns() -> dict[str, str]:
    """name → route of every URL in the URLconf that looks like a download (admin aside)."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                route = prefix + str(pattern.pattern)
                if name.startswith("api:csvw_") or name in (
                    "governance:summary_slide",
                    "reports:deep_dive_download",
                    "reports:board_pack_pdf_download",
                ):
                    continue  # JSON metadata, the slide and the PDFs: not spreadsheets
                if DOWNLOAD.search(pattern.name) or DOWNLOAD.search(route):
                    found[name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


# --- How each download is fetched: name → (actor, URL) pairs ----------------------------------
def _programme_with(model: type[models.Model]) -> str:
    return model.objects.filter(programme__isnull=False).values_list("programme__slug", flat=True)[
        0
    ]


def _log_urls(key: str) -> Callable[[dict[str, Any]], Iterator[tuple[str, str]]]:
    def urls(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
        slug = _programme_with(LOGS[key].model)
        name = f"governance:{key.replace('-', '_')}_export"
        for fmt in FORMATS:
            yield "pmo", reverse(name, kwargs={"slug": slug, "fmt": fmt})

    return urls


def _dashboard(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for table in TABLES:
        for fmt in FORMATS:
            yield "pmo", reverse("dashboard:export", kwargs={"table": table, "fmt": fmt})


def _savings_years(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    years = (
        RollupRow.objects.filter(snapshot=latest_snapshot())
        .exclude(target=0, planned=0, forecast=0, actual=0)
        .values_list("financial_year", flat=True)
        .distinct()
        .order_by("financial_year")
    )
    for year in years:
        for fmt in FORMATS:
            yield "pmo", reverse("dashboard:savings_year_export", kwargs={"year": year, "fmt": fmt})


def _portfolio_raid(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    with_risks = Risk.objects.filter(programme__portfolio__isnull=False)
    for slug in with_risks.values_list("programme__portfolio__slug", flat=True).distinct():
        for fmt in FORMATS:
            yield (
                "pmo",
                reverse("governance:portfolio_raid_export", kwargs={"portfolio": slug, "fmt": fmt}),
            )


def _raid(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for fmt in FORMATS:
        yield "pmo", reverse("governance:raid_export", kwargs={"fmt": fmt})


def _mtfp_templates(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for slug in MTFPPlan.objects.values_list("slug", flat=True):
        yield "pmo", reverse("benefits:mtfp_import_template", kwargs={"slug": slug})


def _report(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    version = world["published"]
    url = reverse(
        "reports:report_download",
        kwargs={"quarter": version.report.quarter.slug, "number": version.number, "fmt": "xlsx"},
    )
    yield "scrutiny", url
    yield "pmo", url


def _board_pack_workbook(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The Delivery Board's pack built as its task builds it, then its workbook appendix."""
    board = Board.objects.get(slug="delivery-board")
    row = BoardPackPdf.objects.create(
        board=board, number=99, requested_by=User.objects.get(username="pmo")
    )
    built = board_pack_pdf_build(pdf_pk=row.pk)
    assert built.status == VersionStatus.GENERATED, built.error
    url = reverse("reports:board_pack_workbook_download", kwargs={"slug": board.slug, "number": 99})
    yield "pmo", url


def _plans(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for slug in Milestone.objects.values_list("programme__slug", flat=True).distinct():
        for fmt in FORMATS:
            yield "pmo", reverse("portfolio:plan_export", kwargs={"slug": slug, "fmt": fmt})


def _onboarding_programmes(world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for slug in Programme.objects.values_list("slug", flat=True):
        yield "pmo", reverse("onboarding:programme_export", kwargs={"slug": slug})


FETCHERS: dict[str, Callable[[dict[str, Any]], Iterator[tuple[str, str]]]] = {
    "portfolio:plan_export": _plans,
    "dashboard:export": _dashboard,
    "dashboard:savings_year_export": _savings_years,
    **{f"governance:{key.replace('-', '_')}_export": _log_urls(key) for key in LOGS},
    "governance:portfolio_raid_export": _portfolio_raid,
    "governance:raid_export": _raid,
    "governance:raid_import_template": lambda world: iter([("pmo", "/raid/import/template.xlsx")]),
    "benefits:mtfp_import_template": _mtfp_templates,
    "reports:report_download": _report,
    "reports:board_pack_workbook_download": _board_pack_workbook,
    "onboarding:template": lambda world: iter([("pmo", reverse("onboarding:template"))]),
    "onboarding:portfolio_export": lambda world: iter(
        [("pmo", reverse("onboarding:portfolio_export"))]
    ),
    "onboarding:programme_export": _onboarding_programmes,
}


# --- Reading a download back ------------------------------------------------------------------
def _formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS) and not NUMBER.fullmatch(text)


def _guarded(text: str) -> bool:
    # a carriage return comes back from XLSX's XML as a newline
    return text.startswith("'") and text[1:].startswith((*FORMULA_TRIGGERS, "\n"))


def check_csv(chunks: list[bytes]) -> tuple[list[str], int]:
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
    problems = [f"CSV cell {cell!r}" for row in rows for cell in row if _formula_like(cell)]
    if len(chunks) != len(rows):
        problems.append(f"{len(rows)} rows came in {len(chunks)} pieces, not one per row")
    return problems, sum(_guarded(cell) for row in rows for cell in row)


def check_xlsx(body: bytes) -> tuple[list[str], int]:
    problems = []
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name).decode()
                if re.search(r"<(\w+:)?f[ >/]", xml):
                    problems.append(f"{name} holds a formula element")
    guarded = 0
    workbook = load_workbook(io.BytesIO(body))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{sheet.title}!{cell.coordinate} is a formula")
                if isinstance(cell.value, str):
                    if _formula_like(cell.value):
                        problems.append(f"{sheet.title}!{cell.coordinate} = {cell.value!r}")
                    guarded += _guarded(cell.value)
    return problems, guarded


# --- The test -----------------------------------------------------------------------------------
@pytest.fixture
def media(settings, tmp_path):
    """A media directory of the test's own, holding what the demo stored (its published Q3)."""
    if Path(settings.MEDIA_ROOT).is_dir():
        shutil.copytree(settings.MEDIA_ROOT, tmp_path / "media")
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(demo, media, client, django_capture_on_commit_callbacks):
    """The demo with hostile text everywhere, and the Q3 2019/20 report generated from it and
    published."""
    report = QuarterlyReport.objects.get(financial_year=2019, quarter_number=3)
    # A lesson, adopted and chosen for the report's lessons annex (a sheet of the workbook).
    pmo = User.objects.get(username="pmo")
    lesson = lesson_record(
        programme=Programme.objects.get(slug="commercial"), title="Lesson", what_happened="x",
        why="y", next_time="z", polarity="negative", themes=LessonTheme.objects.all()[:2],
        actor=pmo,
    )  # fmt: skip
    lesson_adopt(lesson=lesson, what_changed="A new check.", actor=pmo)
    report.lessons.add(lesson)
    assert plant_hostile_text() > 100
    client.force_login(User.objects.get(username="pmo"))
    # The demo's Q3 is published: a correction opens it for a new version (the one read here).
    assert (
        client.post(reverse("reports:report_correct", args=[report.quarter.slug])).status_code
        == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_generate", args=[report.quarter.slug]))
    assert response.status_code == 302
    version = ReportVersion.objects.filter(report=report).latest("number")
    assert version.status == VersionStatus.GENERATED, version.error
    assert version.data["lessons"], "the lessons annex is in the workbook read here"
    publish = reverse("reports:report_publish", args=[report.quarter.slug, version.number])
    assert client.post(publish).status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    client.logout()
    return {"published": version}


def test_every_download_in_the_urlconf_has_a_way_to_be_fetched_here():
    found = download_patterns()
    assert set(found) - set(FETCHERS) == set(), "download URLs this test does not exercise"
    assert set(FETCHERS) - set(found) == set(), "fetchers for URLs that no longer exist"


def test_no_download_carries_a_formula(world, client, monkeypatch):
    monkeypatch.setattr(exports, "LINES_PER_CHUNK", 1)  # a CSV then comes a row per chunk
    users = {u.username: u for u in User.objects.filter(username__in=["pmo", "scrutiny"])}
    problems: list[str] = []
    fetched: dict[str, list[str]] = {}
    for name in sorted(download_patterns()):
        for actor, url in FETCHERS[name](world):
            client.force_login(users[actor])
            response = client.get(url)
            fetched.setdefault(name, []).append(url)
            if response.status_code != 200:
                problems.append(f"{url} as {actor}: {response.status_code}")
                continue
            if not isinstance(response, StreamingHttpResponse):
                problems.append(f"{url}: built whole in memory ({type(response).__name__})")
                continue
            chunks = list(response.streaming_content)
            if response["Content-Type"].startswith("text/csv"):
                found, guarded = check_csv(chunks)
            else:
                found, guarded = check_xlsx(b"".join(chunks))
            problems += [f"{url} as {actor}: {p}" for p in found]
            if not guarded and not any(url.startswith(p) for p in NO_USER_TEXT):
                problems.append(f"{url} as {actor}: no hostile text reached it (the test is blind)")
    assert not problems, "\n".join(problems)
    assert set(fetched) == set(FETCHERS)

"""The quarterly scrutiny report's data, frozen as of the quarter's end, and its two renderings.

``report_data(quarter, report)`` builds a JSON-ready dict (money as strings of Decimals) that a
version stores; ``render_pdf(data)`` and ``render_xlsx(data)`` turn it into bytes. All three are
plain functions so ``make bench`` can time them.

Data recorded after the quarter (e.g. a portfolio loaded later with back-dated stages) is read
as of its first recorded state: a programme belongs in a quarter if its history has a state at
the quarter's end, if it entered its recorded stage by then, or if it reported on a month by then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.db.models import BooleanField, Case, Q, Sum, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from benefits.models import RollupRow, RollupSnapshot
from core.charts import Series, grouped_bar_chart
from core.exports import Table, xlsx_bytes
from governance.challenges import ratings_to_challenge
from governance.models import LessonStatus, Risk
from portfolio.models import DeliveryConfidence, HighlightReport, Milestone, Programme, Stage
from portfolio.periods import FinancialYear, Quarter
from portfolio.templatetags.money import gbp_m

from .models import QuarterlyReport, VersionStatus

ZERO = Decimal("0")
CHUNK = 2000  # rows read from the database at a time
SAVINGS_SERIES = [
    Series("target", "MTFP target"),
    Series("forecast", "Forecast"),
    Series("actual", "Actual"),
]


def quarter_end(quarter: Quarter) -> datetime:
    """The last moment of the quarter, in the council's time zone."""
    return timezone.make_aware(datetime.combine(quarter.end, time.max))


def _money(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def _states(
    history_manager: Any, ids: Any, as_of: datetime, fields: tuple[str, ...]
) -> dict[int, tuple]:
    """Each object's ``fields`` at ``as_of`` (a tuple per object id); an object first recorded
    later, its first state; a deleted one, none. Read as tuples a chunk at a time, oldest first
    per object, so only one tuple per object is ever kept (never the history's model objects)."""
    states: dict[int, tuple] = {}
    deleted: set[int] = set()
    records = (
        history_manager.filter(id__in=ids)
        .order_by("id", "history_date")
        .values_list("id", "history_date", "history_type", *fields)
    )
    for pk, when, kind, *values in records.iterator(chunk_size=CHUNK):
        if pk not in states or when <= as_of:
            states[pk] = tuple(values)
            if kind == "-":
                deleted.add(pk)
            else:
                deleted.discard(pk)
    for pk in deleted:
        del states[pk]
    return states


class ProgrammeState(NamedTuple):
    """A programme as it stood at a quarter's end (from its history)."""

    id: int
    name: str
    slug: str
    stage: str
    portfolio_id: int | None


def quarter_programmes(quarter: Quarter) -> list[ProgrammeState]:
    """The programmes as they stood at the quarter's end (historical records), by name."""
    as_of = quarter_end(quarter)
    earliest = Programme.history.filter(history_date__lte=as_of).values("id")
    reported = HighlightReport.objects.filter(month__lte=quarter.end).values("programme_id")
    ids = Programme.objects.filter(
        Q(pk__in=earliest) | Q(stage_entered_at__lte=as_of) | Q(pk__in=reported)
    ).values("pk")
    fields = ProgrammeState._fields[1:]
    states = _states(Programme.history, ids, as_of, fields)
    return sorted(
        (ProgrammeState(pk, *values) for pk, values in states.items()), key=lambda p: p.name
    )


def quarter_has_data(quarter: Quarter) -> bool:
    as_of = quarter_end(quarter)
    return (
        Programme.history.filter(history_date__lte=as_of).exists()
        or Programme.objects.filter(stage_entered_at__lte=as_of).exists()
        or HighlightReport.objects.filter(month__lte=quarter.end).exists()
    )


def _snapshot(as_of: datetime) -> RollupSnapshot | None:
    snapshots = RollupSnapshot.objects.order_by("-as_of", "-pk")
    return snapshots.filter(as_of__lte=as_of).first() or snapshots.first()


def _confidence(quarter: Quarter) -> dict[int, str]:
    """Each programme's latest delivery confidence reported by the quarter's end (one row per
    programme read: PostgreSQL picks it with DISTINCT ON; elsewhere the rows are read in order)."""
    reports = HighlightReport.objects.filter(month__lte=quarter.end)
    if connection.vendor == "postgresql":
        latest = reports.order_by("programme_id", "-month").distinct("programme_id")
        return dict(latest.values_list("programme_id", "delivery_confidence"))
    found: dict[int, str] = {}
    rows = reports.order_by("programme_id", "month").values_list(
        "programme_id", "delivery_confidence"
    )
    for programme_id, confidence in rows.iterator(chunk_size=CHUNK):
        found[programme_id] = confidence
    return found


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


RISK_FIELDS = (
    "title",
    "programme_id",
    "cause",
    "effect",
    "residual_likelihood",
    "residual_impact",
    "existing_controls",
    "further_action",
    "status",
)


def _risks(
    programmes: list[ProgrammeState], names: dict[int, str], as_of: datetime
) -> list[dict[str, Any]]:
    """The risks open at ``as_of`` on the programmes, their portfolios or the whole portfolio,
    highest residual score first."""
    portfolios = {p.portfolio_id for p in programmes}
    on_programmes = quarter_programme_ids(programmes)
    ids = Risk.objects.filter(
        Q(programme_id__in=on_programmes)
        | Q(programme__isnull=True, portfolio__isnull=True)
        | Q(programme__isnull=True, portfolio_id__in=portfolios)
    ).values("pk")
    risks = []
    for pk, state in _states(Risk.history, ids, as_of, RISK_FIELDS).items():
        risk = dict(zip(RISK_FIELDS, state, strict=True))
        if risk["status"] != "open":
            continue
        likelihood, impact = risk["residual_likelihood"], risk["residual_impact"]
        risks.append(
            {
                "id": pk,
                "title": risk["title"],
                "programme": names.get(risk["programme_id"], "Programme-wide"),
                "cause": risk["cause"],
                "effect": risk["effect"],
                "residual_score": likelihood * impact,
                "residual": f"{likelihood} × {impact} = {likelihood * impact}",
                "controls": risk["existing_controls"],
                "further_action": risk["further_action"],
            }
        )
    risks.sort(key=lambda r: (-r["residual_score"], r["title"]))
    return risks


def quarter_programme_ids(programmes: list[ProgrammeState]) -> list[int]:
    return [p.id for p in programmes]


def _frozen(quarter: Quarter, *, roadmap: bool = True) -> dict[str, Any]:
    """The facts of the quarter (no narrative): programmes, money, milestones and risks, read
    as rows and sums, never as model objects. Without ``roadmap``, what the next quarter's
    comparison needs (its programmes, savings and risks)."""
    as_of = quarter_end(quarter)
    programmes = quarter_programmes(quarter)
    names = {p.id: p.name for p in programmes}
    confidence = _confidence(quarter)
    state = {
        str(p.id): {
            "name": p.name,
            "slug": p.slug,
            "stage": p.stage,
            "stage_label": _label(Stage, p.stage),
            "confidence": confidence.get(p.id, ""),
            "confidence_label": _label(DeliveryConfidence, confidence.get(p.id, "")),
        }
        for p in programmes
    }
    del confidence

    snapshot = _snapshot(as_of)
    by_year: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    by_programme: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    forecast_by_programme: dict[int, Decimal] = defaultdict(lambda: ZERO)
    costs: dict[int | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    # The snapshot's rows summed in SQL by programme, year and whether they carry savings.
    sums = (
        RollupRow.objects.filter(snapshot=snapshot)
        .annotate(
            savings=Case(
                When(
                    Q(mtfp_line__isnull=False) | ~Q(target=0) | ~Q(forecast=0) | ~Q(actual=0),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .values("programme_id", "financial_year", "savings")
        .annotate(
            target_sum=Sum("target"),
            forecast_sum=Sum("forecast"),
            actual_sum=Sum("actual"),
            variance_sum=Sum("variance"),
            budget_sum=Sum("budget"),
            spend_sum=Sum("spend"),
        )
        .order_by()
    )
    rows = sums.values_list(
        "programme_id", "financial_year", "savings", "target_sum", "forecast_sum",
        "actual_sum", "variance_sum", "budget_sum", "spend_sum",
    ) if snapshot else []  # fmt: skip
    for pid, year, savings, target, forecast, actual, variance, budget, spend in rows:
        if savings:
            cells = by_year[year]
            cells["target"] += target
            cells["forecast"] += forecast
            cells["actual"] += actual
            cells["variance"] += variance
            if pid in names:
                by_programme[pid][year] += target
                forecast_by_programme[pid] += forecast
        if budget or spend:
            key = pid if pid in names else None
            costs[key]["budget"] += budget
            costs[key]["spend"] += spend
    years = sorted(by_year)
    savings = {
        "years": [
            {
                "year": FinancialYear(year).label,
                **{field: _money(value) for field, value in by_year[year].items()},
            }
            for year in years
        ],
        "programmes": [
            {
                "programme": names[pid],
                "cells": [_money(by_programme[pid].get(year, ZERO)) for year in years],
                "total": _money(sum(by_programme[pid].values(), ZERO)),
                "forecast": _money(forecast_by_programme[pid]),
            }
            for pid in sorted(by_programme, key=lambda pid: names[pid])
        ],
        "year_labels": [FinancialYear(year).label for year in years],
        "variance": _money(sum((by_year[y]["variance"] for y in years), ZERO)),
    }
    wide = costs.get(None, {})
    resourcing = {
        "business_case": _money(wide.get("budget", ZERO)),
        "spend": _money(wide.get("spend", ZERO)),
        "rows": [
            {
                "programme": names[pid] if pid else "Transformation Programme (programme-wide)",
                "budget": _money(values["budget"]),
                "spend": _money(values["spend"]),
            }
            for pid, values in sorted(costs.items(), key=lambda i: (i[0] is not None, i[0] or 0))
        ],
    }
    frozen = {
        "quarter": {
            "label": quarter.label,
            "slug": quarter.slug,
            "months": quarter.months_label,
            "long_label": quarter.long_label,
        },
        "as_of": as_of.isoformat(),
        "snapshot_as_of": snapshot.as_of.isoformat() if snapshot else "",
        "programmes": state,
        "savings": savings,
        "resourcing": resourcing,
        "risks": _risks(programmes, names, as_of),
    }
    if roadmap:
        frozen["roadmap"] = _roadmap(quarter, programmes, state)
    return frozen


def _roadmap(
    quarter: Quarter, programmes: list[ProgrammeState], state: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Each programme's milestones due in the four quarters after ``quarter``."""
    following = []
    step = quarter
    for _ in range(4):
        step = step.next()
        following.append(step)
    ids = quarter_programme_ids(programmes)
    milestones: dict[int, list[list[str]]] = {pid: [[] for _ in following] for pid in ids}
    due = (
        Milestone.objects.filter(
            programme_id__in=ids,
            due_date__gte=following[0].start,
            due_date__lte=following[-1].end,
        )
        .order_by("due_date", "title")
        .values_list("programme_id", "due_date", "title")
    )
    for programme_id, due_date, title in due.iterator(chunk_size=CHUNK):
        for index, later in enumerate(following):
            if due_date in later:
                milestones[programme_id][index].append(title)
    return {
        "quarters": [q.label for q in following],
        "rows": [
            {
                "programme": p.name,
                "stage": state[str(p.id)]["stage_label"],
                "confidence": state[str(p.id)]["confidence"],
                "confidence_label": state[str(p.id)]["confidence_label"],
                "cells": milestones[p.id],
            }
            for p in programmes
        ],
    }


def _previous_facts(quarter: Quarter) -> dict[str, Any]:
    """The previous quarter's frozen data if a version holds it, else computed now."""
    previous = quarter.previous()
    report = QuarterlyReport.objects.filter(
        financial_year=previous.financial_year.start_year, quarter_number=previous.number
    ).first()
    if report:
        version = (
            report.versions.filter(
                status__in=[VersionStatus.PUBLISHED, VersionStatus.GENERATED], data__isnull=False
            )
            .order_by("-number")
            .first()
        )
        if version:
            return version.data
    return _frozen(previous, roadmap=False)  # what _comparison reads, no more


def _comparison(now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    then = before.get("programmes", {})
    moved, confidence = [], []
    for pid, state in now["programmes"].items():
        old = then.get(pid)
        if old is None:
            moved.append({"programme": state["name"], "from": "Not in the programme",
                          "to": state["stage_label"]})  # fmt: skip
            continue
        if old["stage"] != state["stage"]:
            moved.append({"programme": state["name"], "from": old["stage_label"],
                          "to": state["stage_label"]})  # fmt: skip
        if old.get("confidence") != state["confidence"]:
            confidence.append({"programme": state["name"], "from": old.get("confidence_label")
                               or "None reported", "to": state["confidence_label"]
                               or "None reported"})  # fmt: skip
    old_risks = {r["id"]: r for r in before.get("risks", [])}
    new_risks = {r["id"]: r for r in now["risks"]}
    variance_then = Decimal(before.get("savings", {}).get("variance", "0"))
    variance_now = Decimal(now["savings"]["variance"])
    return {
        "previous": before.get("quarter", {}).get("label", ""),
        "stage_changes": moved,
        "confidence_changes": confidence,
        "variance_then": _money(variance_then),
        "variance_now": _money(variance_now),
        "variance_change": _money(variance_now - variance_then),
        "new_risks": [r["title"] for rid, r in new_risks.items() if rid not in old_risks],
        "closed_risks": [r["title"] for rid, r in old_risks.items() if rid not in new_risks],
    }


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip(" •●-\t") for line in text.splitlines() if line.strip(" •●-\t")]


def report_data(quarter: Quarter, report: Any = None) -> dict[str, Any]:
    """Everything the PDF and workbook print, frozen as of the quarter's end (JSON-ready)."""
    data = _frozen(quarter)
    data["comparison"] = _comparison(data, _previous_facts(quarter))
    paragraphs = {}
    if report is not None:
        paragraphs = dict(report.progress.values_list("programme_id", "paragraph"))
    data["progress"] = [
        {
            "programme": state["name"],
            "stage": state["stage_label"],
            "confidence_label": state["confidence_label"],
            "paragraphs": _paragraphs(paragraphs.get(int(pid), "")),
        }
        for pid, state in data["programmes"].items()
    ]
    rows, total = ratings_to_challenge(Programme.objects.all())
    data["ratings_to_challenge"] = {
        "count": total,
        "rows": [
            {"programme": r.programme.name, "confidence_label": r.confidence.label,
             "reasons": r.reasons}
            for r in rows
        ],
    }  # fmt: skip
    data["title"] = f"Quarterly Review of the Transformation Programme ({quarter.months_label})"
    data["narrative"] = {
        "committee": getattr(report, "committee", ""),
        "meeting_date": report.meeting_date.isoformat() if report and report.meeting_date else "",
        "author": getattr(report, "author", ""),
        "recommendations": _lines(getattr(report, "recommendations", "")),
        "executive_summary": _paragraphs(getattr(report, "executive_summary", "")),
        "headline_progress": _lines(getattr(report, "headline_progress", "")),
        "new_phase": _paragraphs(getattr(report, "new_phase", "")),
        "sections": [
            {"title": s.title, "paragraphs": _paragraphs(s.body), "annex": s.annex}
            for s in (report.sections.all() if report is not None else [])
        ],
    }
    data["lessons"] = _lessons(report)
    return data


def _lessons(report: Any) -> list[dict[str, Any]]:
    """The lessons the PMO chose for the annex, as they read when the version is generated."""
    if report is None or not getattr(report, "pk", None):
        return []
    chosen = (
        report.lessons.select_related("programme", "directorate")
        .prefetch_related("themes")
        .order_by("programme__name", "pk")
    )
    return [
        {
            "reference": lesson.reference,
            "title": lesson.title,
            "programme": lesson.programme.name,
            "directorate": str(lesson.directorate or ""),
            "category": lesson.category,
            "stage": lesson.stage_label,
            "polarity": lesson.polarity_short,
            "what_happened": lesson.what_happened,
            "why": lesson.why,
            "next_time": lesson.next_time,
            "themes": [theme.name for theme in lesson.themes.all()],
            "adopted": lesson.adopted_change if lesson.status == LessonStatus.ADOPTED else "",
        }
        for lesson in chosen
    ]


# --- Rendering ---------------------------------------------------------------------------------


def _chart(data: dict[str, Any]) -> Any:
    groups = [
        (row["year"], {s.key: Decimal(row.get(s.key, "0")) for s in SAVINGS_SERIES})
        for row in data["savings"]["years"]
    ]
    return grouped_bar_chart(groups, SAVINGS_SERIES, width=640, height=260)


@dataclass(frozen=True)
class Cut:
    """The rows of one of the report's tables that the PDF prints: the first ``limit``; the
    workbook (one sheet per table, ``sheet``) has them all."""

    rows: list[Any]
    total: int
    sheet: str
    noun: str = "rows"

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def pdf_row_limit() -> int:
    """How many rows of a per-programme table the PDF prints (the PMO sees it on the report's
    page): beyond it the table is in the workbook appendix, so the PDF's size and the memory
    that prints it do not grow with the portfolio."""
    return settings.BIG_DOCUMENT_PDF_ROWS


def pdf_cuts(data: dict[str, Any], limit: int) -> dict[str, Cut]:
    """Each per-programme table of ``data`` cut to ``limit`` rows, with its workbook sheet."""
    comparison = data["comparison"]
    tables = {
        "progress": (data["progress"], "Progress", "programmes' progress"),
        "resourcing": (data["resourcing"]["rows"], "Resourcing", "rows"),
        "savings": (data["savings"]["programmes"], "Savings by programme", "workstreams"),
        "stage_changes": (comparison["stage_changes"], "Compare with previous quarter", "changes"),
        "confidence_changes": (
            comparison["confidence_changes"], "Compare with previous quarter", "changes",
        ),
        "new_risks": (comparison["new_risks"], "Compare with previous quarter", "new risks"),
        "closed_risks": (
            comparison["closed_risks"], "Compare with previous quarter", "closed risks",
        ),
        "challenge": (
            data.get("ratings_to_challenge", {}).get("rows", []), "Ratings to challenge",
            "programmes",
        ),
        "roadmap": (data["roadmap"]["rows"], "Roadmap", "programmes"),
        "risks": (data["risks"], "Risks and issues", "risks (highest residual rating first)"),
    }  # fmt: skip
    return {
        key: Cut(rows=rows[:limit], total=len(rows), sheet=sheet, noun=noun)
        for key, (rows, sheet, noun) in tables.items()
    }


def render_pdf(data: dict[str, Any], *, limit: int | None = None) -> bytes:
    """The committee paper as an A4 PDF (WeasyPrint); nothing is fetched over the network.
    Each per-programme table prints at most ``limit`` rows (``pdf_row_limit()``); the workbook
    holds them all."""
    from weasyprint import CSS, HTML

    limit = pdf_row_limit() if limit is None else limit
    cut = pdf_cuts(data, limit)
    meeting = data["narrative"]["meeting_date"]
    context = {
        "cut": cut,
        "cut_any": any(c.more for c in cut.values()),
        "row_limit": limit,
        "data": data,
        "chart": _chart(data),
        "meeting_date": datetime.fromisoformat(meeting).date() if meeting else None,
        "resourcing_business_case": gbp_m(data["resourcing"]["business_case"]),
        "resourcing_spend": gbp_m(data["resourcing"]["spend"]),
        "annexes": [s for s in data["narrative"]["sections"] if s["annex"]],
        "lessons": data.get("lessons", []),
        # The lessons annex (when lessons are chosen) is Annex 3; the PMO's annexes follow it.
        "first_annex": 4 if data.get("lessons") else 3,
        "sections": [s for s in data["narrative"]["sections"] if not s["annex"]],
    }
    html = render_to_string("reports/report_pdf.html", context)
    with open(finders.find("css/report_print.css"), encoding="utf-8") as handle:
        stylesheet = CSS(string=handle.read())
    return HTML(string=html).write_pdf(stylesheets=[stylesheet])


def report_tables(data: dict[str, Any]) -> list[Table]:
    """The report's tables, one sheet each in the workbook."""
    years = data["savings"]["year_labels"]
    comparison = data["comparison"]
    tables = [
        Table(
            "progress",
            "Progress",
            ["Programme", "Stage", "Delivery confidence", "Progress"],
            [
                [p["programme"], p["stage"], p["confidence_label"], "\n\n".join(p["paragraphs"])]
                for p in data["progress"]
            ],
        ),
        Table(
            "resourcing",
            "Resourcing",
            ["Programme", "Business case (£)", "Actual spend (£)"],
            [
                [r["programme"], Decimal(r["budget"]), Decimal(r["spend"])]
                for r in data["resourcing"]["rows"]
            ],
            money_columns=frozenset({1, 2}),
        ),
        Table(
            "savings",
            "Savings vs MTFP",
            ["Financial year", "MTFP target (£)", "Forecast (£)", "Actual (£)", "Variance (£)"],
            [
                [
                    r["year"],
                    *(Decimal(r.get(k, "0")) for k in ("target", "forecast", "actual", "variance")),
                ]
                for r in data["savings"]["years"]
            ],
            money_columns=frozenset({1, 2, 3, 4}),
        ),
        Table(
            "savings-by-programme",
            "Savings by programme",
            ["Programme", *(f"{y} (£)" for y in years), "Total (£)", "Forecast, all years (£)"],
            [
                [
                    p["programme"],
                    *(Decimal(c) for c in p["cells"]),
                    Decimal(p["total"]),
                    Decimal(p["forecast"]),
                ]
                for p in data["savings"]["programmes"]
            ],
            money_columns=frozenset(range(1, len(years) + 3)),
        ),
        Table(
            "roadmap",
            "Roadmap",
            ["Programme", "Stage", "Delivery confidence", *data["roadmap"]["quarters"]],
            [
                [
                    r["programme"],
                    r["stage"],
                    r["confidence_label"],
                    *("; ".join(cell) for cell in r["cells"]),
                ]
                for r in data["roadmap"]["rows"]
            ],
        ),
        Table(
            "risks",
            "Risks and issues",
            [
                "Risk",
                "Programme",
                "Cause",
                "Effect",
                "Residual rating",
                "Existing controls",
                "Further action",
            ],
            [
                [
                    r["title"],
                    r["programme"],
                    r["cause"],
                    r["effect"],
                    r["residual_score"],
                    r["controls"],
                    r["further_action"],
                ]
                for r in data["risks"]
            ],
        ),
        Table(
            "comparison",
            "Compare with previous quarter",
            ["Change", "Item", "From", "To"],
            [
                *(
                    ["Stage", c["programme"], c["from"], c["to"]]
                    for c in comparison["stage_changes"]
                ),
                *(
                    ["Delivery confidence", c["programme"], c["from"], c["to"]]
                    for c in comparison["confidence_changes"]
                ),
                [
                    "Savings variance (£)",
                    "All programmes",
                    Decimal(comparison["variance_then"]),
                    Decimal(comparison["variance_now"]),
                ],
                *(["New risk", t, "", "Open"] for t in comparison["new_risks"]),
                *(["Closed risk", t, "Open", "Closed"] for t in comparison["closed_risks"]),
            ],
            money_columns=frozenset({2, 3}),
        ),
        Table(
            "ratings-to-challenge",
            "Ratings to challenge",
            ["Programme", "Delivery confidence", "Why it is challenged"],
            [
                [r["programme"], r["confidence_label"], "; ".join(r["reasons"])]
                for r in data.get("ratings_to_challenge", {}).get("rows", [])
            ],
        ),
    ]
    if data.get("lessons"):
        tables.append(lessons_table(data["lessons"]))
    return tables


def lessons_table(lessons: list[dict[str, Any]]) -> Table:
    """The lessons annex as a sheet (only when the PMO chose lessons)."""
    return Table(
        "lessons",
        "Lessons learned",
        [
            "Lesson", "Title", "Programme", "Directorate", "Category", "Stage",
            "Positive or negative", "Themes", "What happened", "Why", "What to do next time",
            "Adopted into practice",
        ],
        [
            [
                row["reference"], row["title"], row["programme"], row["directorate"],
                row["category"], row["stage"], row["polarity"], ", ".join(row["themes"]),
                row["what_happened"], row["why"], row["next_time"], row["adopted"],
            ]
            for row in lessons
        ],
    )  # fmt: skip


def render_xlsx(data: dict[str, Any]) -> bytes:
    """The report's tables as a workbook: one sheet each, £ formats, frozen header rows, and
    the formula guard on every text cell (scrutiny members download it)."""
    return xlsx_bytes(report_tables(data))

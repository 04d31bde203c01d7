"""The deep-dive pack: one programme on a few pages, for a scrutiny committee to read in ten
minutes (issue 21). Summary, stage history and decisions, delivery confidence history with its
rationales, plan against baseline, benefits baseline / forecast / actual, the top risks and the
programme's lessons learned.

``deep_dive_data(programme)`` gathers a JSON-ready dict (money as strings of Decimals) that the
pack stores; ``render_deep_dive_pdf(data)`` prints it; ``deep_dive_build(pack_pk=…)`` runs both in
the background (the Celery task in tasks.py wraps it), through the one build of background.py
that the board pack PDF uses too.

"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.staticfiles import finders
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from benefits.models import Benefit, OneOffCost
from governance.challenges import challenged, reasons
from governance.models import Decision, GateReview, Lesson, LessonStatus, Risk, score_band
from portfolio.models import Programme, Stage
from portfolio.queries import confidence_history
from portfolio.templatetags.money import gbp

from .background import Progress, background_pdf_build
from .models import DeepDivePack

TOP_RISKS = 5
LESSONS = 8
DECISIONS = 12
CONFIDENCE_MONTHS = 12
ZERO = Decimal("0")


def _date(value: Any) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def _stage_history(programme: Programme) -> list[dict[str, str]]:
    """Each stage the programme entered, and when (from its history)."""
    rows: list[dict[str, str]] = []
    last = None
    for record in programme.history.order_by("history_date", "history_id").only(
        "stage", "history_date", "stage_entered_at"
    ):
        if record.stage != last:
            entered = _date(timezone.localtime(record.stage_entered_at))
            rows.append({"stage": Stage(record.stage).label, "entered": entered})
            last = record.stage
    return rows


def _sign_off(s: Any) -> dict[str, str]:
    return {
        "forum": s.board.name if s.board else s.get_sign_off_display(),
        "outcome": s.get_outcome_display(),
        "reasons": s.reasons,
        "by": str(s.decided_by),
        "on": _date(timezone.localtime(s.decided_at)),
    }


def _gates(programme: Programme) -> list[dict[str, Any]]:
    reviews = (
        GateReview.objects.filter(programme=programme)
        .select_related("version__document")
        .prefetch_related("sign_offs__board", "sign_offs__decided_by")
        .order_by("submitted_at")
    )
    return [
        {
            "gate": review.gate_label,
            "document": str(review.version),
            "submitted": _date(timezone.localtime(review.submitted_at)),
            "status": review.status_label,
            "sign_offs": [_sign_off(s) for s in review.sign_offs.all()],
        }
        for review in reviews
    ]


def _decisions(programme: Programme) -> list[dict[str, str]]:
    decisions = (
        Decision.objects.filter(programme=programme, gate_review__isnull=True)
        .select_related("board")
        .order_by("-decided_on", "-pk")[:DECISIONS]
    )
    return [
        {"on": _date(d.decided_on), "forum": str(d.board or ""), "summary": d.summary,
         "decision": d.decision}
        for d in decisions
    ]  # fmt: skip


def _confidence(programme: Programme) -> list[dict[str, Any]]:
    rows = []
    for month in confidence_history(programme, limit=CONFIDENCE_MONTHS):
        report = month.report
        rows.append({
            "month": month.month.strftime("%B %Y"),
            "self": report.get_delivery_confidence_display() if report else "",
            "self_value": report.delivery_confidence if report else "",
            "rationale": report.confidence_rationale if report else "",
            "improvement": report.improvement_reason if report else "",
            "follow_up": _date(report.follow_up_review_on) if report else "",
            "assurance": [
                {"rating": a.get_delivery_confidence_display(), "value": a.delivery_confidence,
                 "on": _date(a.assessed_on), "rationale": a.rationale}
                for a in month.assurance
            ],
        })  # fmt: skip
    return rows


def _milestones(programme: Programme) -> list[dict[str, str]]:
    today = timezone.localdate()
    rows = []
    for m in programme.milestones.order_by("due_date", "title"):
        if m.completed_on:
            state = "Complete" + (
                " (late)" if m.baseline_date and m.completed_on > m.baseline_date else ""
            )
        elif m.due_date < today:
            state = "Past due"
        elif m.baseline_date and m.due_date > m.baseline_date:
            state = f"Slipped {(m.due_date - m.baseline_date).days} days"
        else:
            state = "On track"
        rows.append({"title": m.title, "baseline": _date(m.baseline_date),
                     "due": _date(m.due_date), "completed": _date(m.completed_on),
                     "state": state})  # fmt: skip
    return rows


def _costs(programme: Programme) -> dict[str, str]:
    costs = list(OneOffCost.objects.filter(programme=programme))
    budget = sum((c.budget for c in costs), ZERO)
    actual = sum((c.actual for c in costs), ZERO)
    return {"budget": gbp(budget), "actual": gbp(actual)}


def _benefits(programme: Programme) -> list[dict[str, Any]]:
    rows = []
    for b in (
        Benefit.objects.filter(programme=programme)
        .prefetch_related("profile")
        .select_related("owner")
    ):
        profile = list(b.profile.all())
        baseline = sum((p.baseline or ZERO for p in profile), ZERO)
        rows.append({
            "title": b.title, "type": b.get_type_display(), "owner": str(b.owner or ""),
            "financial": b.is_financial, "measure": b.measure, "target": b.target,
            "baselined": b.baselined_at is not None,
            "baseline": gbp(baseline), "planned": gbp(sum((p.planned for p in profile), ZERO)),
            "forecast": gbp(sum((p.forecast for p in profile), ZERO)),
            "actual": gbp(sum((p.actual for p in profile), ZERO)),
            "realisation": b.realisation_label,
        })  # fmt: skip
    return rows


def _risks(programme: Programme) -> list[dict[str, Any]]:
    risks = (
        Risk.objects.open()
        .filter(programme=programme)
        .select_related("owner")
        .annotate(residual=F("residual_likelihood") * F("residual_impact"))
        .order_by("-residual", "-escalated", "title")[:TOP_RISKS]
    )
    return [
        {"title": r.title, "score": r.residual, "band": score_band(r.residual),
         "escalated": r.escalated, "owner": str(r.owner or ""), "action": r.further_action}
        for r in risks
    ]  # fmt: skip


def _lessons(programme: Programme) -> list[dict[str, Any]]:
    """The programme's own lessons (a merged duplicate is read through its keeper), newest first."""
    lessons = Lesson.objects.current().filter(programme=programme).prefetch_related("themes")
    return [
        {"reference": lesson.reference, "title": lesson.title, "polarity": lesson.polarity_short,
         "stage": lesson.stage_label, "next_time": lesson.next_time,
         "adopted": lesson.adopted_change if lesson.status == LessonStatus.ADOPTED else "",
         "themes": ", ".join(t.name for t in lesson.themes.all())}
        for lesson in lessons[:LESSONS]
    ]  # fmt: skip


def deep_dive_data(programme: Programme) -> dict[str, Any]:
    """Everything the pack prints, as of now (JSON-ready)."""
    programme = Programme.objects.with_people().get(pk=programme.pk)
    latest = programme.highlight_reports.order_by("-month").first()
    assurance = programme.assurance_ratings.order_by("-assessed_on", "-pk").first()
    contradicted = challenged(Programme.objects.filter(pk=programme.pk)).first()
    return {
        "title": f"Deep dive: {programme.name}",
        "generated": _date(timezone.localdate()),
        "summary": {
            "name": programme.name,
            "description": programme.description,
            "portfolio": str(programme.portfolio or "Not yet assigned"),
            "directorate": str(programme.directorate or ""),
            "category": programme.category,
            "light_touch": programme.light_touch,
            "stage": programme.stage_label,
            "days_in_stage": programme.days_in_stage(),
            "sro": str(programme.sro or ""),
            "manager": str(programme.manager or ""),
            "guardrails": programme.guardrails,
            "confidence": latest.get_delivery_confidence_display() if latest else "",
            "confidence_month": latest.month.strftime("%B %Y") if latest else "",
            "assurance": assurance.get_delivery_confidence_display() if assurance else "",
            "assurance_on": _date(assurance.assessed_on) if assurance else "",
            "challenged": reasons(contradicted) if contradicted else [],
        },
        "stages": _stage_history(programme),
        "gates": _gates(programme),
        "decisions": _decisions(programme),
        "confidence": _confidence(programme),
        "milestones": _milestones(programme),
        "costs": _costs(programme),
        "benefits": _benefits(programme),
        "risks": _risks(programme),
        "lessons": _lessons(programme),
    }


def render_deep_dive_pdf(data: dict[str, Any]) -> bytes:
    """The pack as an A4 PDF (WeasyPrint), with the quarterly report's print stylesheet."""
    from weasyprint import CSS, HTML

    html = render_to_string("reports/deep_dive_pdf.html", {"data": data})
    with open(finders.find("css/report_print.css"), encoding="utf-8") as handle:
        stylesheet = CSS(string=handle.read())
    return HTML(string=html).write_pdf(stylesheets=[stylesheet])


def deep_dive_build(*, pack_pk: int, task_id: str = "") -> DeepDivePack:
    """Gather the data and print it, through the one background build (background.py); the
    generated pack keeps its data."""

    def make(pack: DeepDivePack, progress: Progress) -> tuple[bytes, dict[str, Any]]:
        data = deep_dive_data(pack.programme)
        progress(50)
        return render_deep_dive_pdf(data), {"data": data}

    return background_pdf_build(
        DeepDivePack,
        pack_pk,
        folder="deep-dives",
        related=("programme",),
        make=make,
        task_id=task_id,
    )

"""Demo lifecycle content: default document sections and gate policy, highlight reports, a
part-written SOC, a Full Programme Brief awaiting the Delivery Board, and passed gates.

The seeds give no highlight reports, document texts or gate dates: everything below is the
demo's invention, shaped by the seeds. Highlight reports cover April–December 2019 for the
2019/20 workstreams in delivery and January–December 2024 for the 2024 programmes in delivery,
with a delivery confidence that moves so that a trend shows. Passed gates are dated before the
date each programme entered its current stage.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.models import User
from governance.models import (
    Board,
    Gate,
    GatePolicy,
    GateReview,
    GateSignOff,
    Outcome,
    ReviewStatus,
    SignOff,
)
from governance.services import decision_record, gate_policy_install_defaults
from portfolio.models import (
    RAG,
    DeliveryConfidence,
    DocumentKind,
    DocumentSection,
    HighlightReport,
    Programme,
    SectionTemplate,
    Stage,
    StageDocument,
)
from portfolio.services import document_freeze, document_unlock, section_templates_install

LONDON = ZoneInfo("Europe/London")

CONFIDENCE_PATTERNS = [
    ["amber", "amber", "amber_red", "amber", "amber_green", "amber_green", "green", "amber_green",
     "amber", "amber_green", "green", "green"],
    ["amber_green", "amber", "amber", "amber_red", "red", "amber_red", "amber", "amber",
     "amber_green", "amber", "amber_green", "amber_green"],
    ["green", "green", "amber_green", "amber", "amber", "amber_green", "amber_green", "green",
     "green", "amber_green", "amber", "amber_green"],
]  # fmt: skip
RAG_FOR = {
    "green": RAG.GREEN, "amber_green": RAG.GREEN, "amber": RAG.AMBER,
    "amber_red": RAG.AMBER, "red": RAG.RED,
}  # fmt: skip

CORPORATE_LANDLORD_SOC = {
    "strategic-case": "The council's property is managed by many services, each for its own "
    "needs. A Corporate Landlord model brings the estate under one landlord so that buildings "
    "serve the council's priorities, costs are visible and the estate can be rationalised.",
    "economic-case": "Options considered: (1) do nothing; (2) a central property team for "
    "offices only; (3) a full Corporate Landlord model for the operational estate. Option 3 is "
    "preferred subject to the data and insight request.",
}

BUSINESS_INTELLIGENCE_BRIEF = {
    "strategic-case": "A central Data, Insights and Delivery Hub that supports every programme "
    "in Delivering the Future Together with one version of the truth.",
    "economic-case": "Preferred option: a shared BI platform and a small central team, over "
    "each directorate buying its own reporting tools.",
    "commercial-case": "The platform is procured through an existing framework; no new "
    "contract beyond the licence and implementation partner.",
    "financial-case": "One-off implementation cost and licences funded from the transformation "
    "reserve; reporting effort saved in directorates funds the running cost from 2025/26.",
    "management-case": "SRO: Director of Finance. Programme manager in post. Reports monthly "
    "to the Partner of Choice Portfolio Board and the Delivery Board.",
    "benefits-and-plan": "Phase 1: data platform and Transformation Dashboard (by Q3). "
    "Phase 2: directorate dashboards. Benefits: staff time saved on reporting.",
    "risks-and-dependencies": "Depends on data quality in source systems and on the ICT "
    "Strategy's platform roadmap. Main risk: analyst capacity.",
    "scia": "No adverse impact on residents; better information improves service planning.",
    "climate": "Cloud hosting on a provider committed to net zero; no significant impact.",
    "staff-implications": "Reporting roles in directorates change focus to analysis; staff "
    "consultation is not required; no redeployment expected.",
}


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=LONDON)


def _write(programme: Programme, kind: str, texts: dict[str, str], actor: User) -> StageDocument:
    document, _ = StageDocument.objects.get_or_create(programme=programme, kind=kind)
    for template in SectionTemplate.objects.filter(document=kind):
        text = texts.get(template.key, f"{template.title} for {programme}, as agreed at the gate.")
        DocumentSection.objects.get_or_create(
            document=document, key=template.key,
            defaults={"text": text, "version": 1, "updated_by": actor},
        )  # fmt: skip
    return document


def _board(kind: str) -> Board | None:
    return Board.objects.filter(kind=kind).order_by("pk").first()


def _review(
    programme: Programme,
    gate: Gate,
    people: dict[str, User],
    decided_on: date,
    steps_decided: int | None = None,
) -> GateReview:
    """A review of the gate's document; all its steps approved unless ``steps_decided``."""
    manager = programme.manager or people["pmo"]
    _write(programme, gate.document, BUSINESS_INTELLIGENCE_BRIEF if steps_decided else {}, manager)
    version = document_freeze(programme=programme, kind=gate.document, actor=manager)
    submitted_at = _at(decided_on - timedelta(days=14))
    # The demo back-dates the submission; a real version's time is the moment it was frozen.
    type(version).objects.filter(pk=version.pk).update(submitted_at=submitted_at)
    version.submitted_at = submitted_at
    route = GatePolicy.objects.route_for(gate, programme)
    done = len(route) if steps_decided is None else steps_decided
    review = GateReview.objects.create(
        programme=programme, gate=gate, version=version, route=route, submitted_by=manager,
        submitted_at=version.submitted_at,
        current_step=min(done, len(route) - 1),
        current_sign_off=route[done] if done < len(route) else "",
        status=ReviewStatus.OPEN if done < len(route) else ReviewStatus.APPROVED,
        closed_at=None if done < len(route) else _at(decided_on),
    )  # fmt: skip
    for step, sign_off in enumerate(route[:done]):
        board = _board(sign_off) if sign_off != SignOff.SRO else None
        actor = programme.sro if board is None else (board.chair or people["pmo"])
        decision = decision_record(
            programme=programme, board=board,
            summary=f"{gate.short} ({version}): approved by {board or f'SRO ({actor})'}",
            decision=f"Approved. {SignOff(sign_off).label} on {version}.",
            rationale="The document meets the gate's requirements.",
            decided_on=decided_on, actor=actor, gate_review=review,
        )  # fmt: skip
        GateSignOff.objects.create(
            review=review, step=step, sign_off=sign_off, board=board, outcome=Outcome.APPROVE,
            reasons="The document meets the gate's requirements.", decided_by=actor,
            decided_at=_at(decided_on), decision=decision,
        )  # fmt: skip
    if review.status == ReviewStatus.APPROVED:
        document_unlock(document=version.document, actor=manager)
    return review


def load(people: dict[str, User], programmes: dict[str, Programme]) -> None:
    section_templates_install()
    gate_policy_install_defaults()
    _highlight_reports(people, programmes)

    landlord = programmes["corporate-landlord"]
    if not StageDocument.objects.filter(programme=landlord, kind=DocumentKind.SOC).exists():
        _write_partial(landlord, people["manager"])

    commercial = programmes["commercial"]
    if not commercial.gate_reviews.exists():
        entered = commercial.stage_entered_at.date()
        _review(commercial, Gate.GATE_1, people, entered - timedelta(days=180))
        _review(commercial, Gate.GATE_2, people, entered - timedelta(days=90))
        _review(commercial, Gate.GATE_3, people, entered)
    ict = programmes["ict-strategy"]
    if not ict.gate_reviews.exists():
        _review(ict, Gate.GATE_3, people, ict.stage_entered_at.date())

    intelligence = programmes["business-intelligence"]
    if not intelligence.gate_reviews.exists() and intelligence.stage == Stage.DESIGN:
        _review(intelligence, Gate.GATE_3, people, date(2024, 4, 15), steps_decided=1)


def _write_partial(programme: Programme, manager: User) -> None:
    document = StageDocument.objects.create(programme=programme, kind=DocumentKind.SOC)
    for key, text in CORPORATE_LANDLORD_SOC.items():
        section = DocumentSection(
            document=document, key=key, text=text, version=1, updated_by=manager
        )
        section._history_user = manager  # type: ignore[attr-defined]
        section.save()


def _highlight_reports(people: dict[str, User], programmes: dict[str, Programme]) -> None:
    delivering = [p for p in programmes.values() if p.stage == Stage.DELIVER]
    for index, programme in enumerate(sorted(delivering, key=lambda p: p.slug)):
        if programme.highlight_reports.exists():
            continue
        workstream = bool(programme.workstream_group)
        months = (
            [date(2019, m, 1) for m in range(4, 13)]
            if workstream
            else [date(2024, m, 1) for m in range(1, 13)]
        )
        pattern = CONFIDENCE_PATTERNS[index % len(CONFIDENCE_PATTERNS)]
        author = programme.manager or people["pmo"]
        for month, confidence in zip(months, pattern, strict=False):
            rag = RAG_FOR[confidence]
            HighlightReport.objects.create(
                programme=programme, month=month, created_by=author,
                delivery_confidence=DeliveryConfidence(confidence),
                schedule_rag=rag, budget_rag=RAG.GREEN if rag != RAG.RED else RAG.AMBER,
                benefits_rag=rag, risk_rag=RAG.AMBER if confidence != "green" else RAG.GREEN,
                progress=f"{programme.name}: work this month went to plan"
                + ("" if rag == RAG.GREEN else ", with slippage being recovered") + ".",
                next_period="Continue delivery against the programme plan.",
                escalations="" if rag != RAG.RED else "Capacity: escalate to the Delivery Board.",
            )  # fmt: skip

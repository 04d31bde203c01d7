"""The one-slide programme summary a board asks for at a gate ("Initial programme brief and
summary slide goes to STB"): generated from the brief the review froze, the programme's people
and terms, what the boards agreed and what the registers compute. The same content makes a
PowerPoint slide (python-pptx) and a one-page PDF (WeasyPrint, from a template)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Cm, Pt

from benefits.finance import BusinessCase
from benefits.queries import programme_business_case
from core.charts import Timeline
from portfolio.queries import plan_milestones, plan_timeline
from portfolio.templatetags.money import gbp

from .models import GateReview

SECTION_CHARS = 420  # each brief section is cut to what fits on the slide
SECTIONS = 4


@dataclass(frozen=True)
class Summary:
    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    sections: list[tuple[str, str]]
    money: list[tuple[str, str]] = field(default_factory=list)
    timeline: Timeline | None = None  # the plan by quarter, on a page of its own in the PDF

    @property
    def filename(self) -> str:
        return self.title.lower().replace(" ", "-")[:60] + "-summary"


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SECTION_CHARS else text[: SECTION_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _money(case: BusinessCase, review: GateReview) -> list[tuple[str, str]]:
    rows = []
    agreed = review.programme.agreed_investments.first()
    if agreed:
        rows.append(("Agreed investment", gbp(agreed.investment)))
        rows.append(
            (
                "Expected return",
                f"{gbp(agreed.expected_return)} over {agreed.return_period_years} years",
            )
        )
    rows.append(("One-off cost budget", gbp(case.investment)))
    rows.append(("Planned savings and income", gbp(case.savings)))
    if case.has_investment:
        percent = f" ({case.roi_percent}%)" if case.roi_percent is not None else ""
        rows.append(("Return on investment", gbp(case.roi) + percent))
        rows.append(("Payback", case.payback_label))
    else:
        rows.append(("Return on investment", "No investment recorded"))
    return rows


def programme_summary(review: GateReview) -> Summary:
    programme = review.programme
    facts = [
        ("Gate", review.gate_label),
        ("Portfolio", str(programme.portfolio or "Not yet assigned")),
        ("Category", programme.category or "Not yet set"),
        ("SRO", str(programme.sro or "Not yet identified")),
        ("Programme manager", str(programme.manager or "Not yet identified")),
        ("Guardrails", _cut(programme.guardrails) if programme.guardrails else "None set yet"),
    ]
    sections = [
        (s["title"], _cut(s["text"])) for s in review.version.content if s.get("text", "").strip()
    ][:SECTIONS]
    case = programme_business_case(programme)["case"]
    return Summary(
        title=programme.name,
        subtitle=f"{review.version} — programme summary for {review.gate_label}",
        facts=facts,
        sections=sections,
        money=_money(case, review),
        timeline=plan_timeline(plan_milestones(programme)),
    )


NAVY = RGBColor(0x0B, 0x0C, 0x0C)
BLUE = RGBColor(0x1D, 0x70, 0xB8)


def summary_pptx(summary: Summary) -> bytes:
    """One 16:9 slide: the title, the facts and money on the left, the brief on the right."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Cm(33.867), Cm(19.05)
    slide = deck.slides.add_slide(deck.slide_layouts[6])  # blank
    _text(slide, Cm(1), Cm(0.6), Cm(31.8), Cm(1.6), [(summary.title, 28, True, NAVY)])
    _text(slide, Cm(1), Cm(2.1), Cm(31.8), Cm(1), [(summary.subtitle, 13, False, BLUE)])
    left = [(f"{k}: {v}", 11, False, NAVY) for k, v in summary.facts]
    left += [("", 6, False, NAVY)] + [(f"{k}: {v}", 11, True, NAVY) for k, v in summary.money]
    _text(slide, Cm(1), Cm(3.4), Cm(12), Cm(15), left)
    right: list[tuple[str, int, bool, RGBColor]] = []
    for title, text in summary.sections:
        right += [(title, 12, True, BLUE), (text, 10, False, NAVY)]
    _text(slide, Cm(13.6), Cm(3.4), Cm(19.2), Cm(15), right)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _text(slide, left, top, width, height, paragraphs) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, (text, size, bold, colour) in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size, run.font.bold = Pt(size), bold
        run.font.color.rgb = colour

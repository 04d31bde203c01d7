"""Writes to the lessons-learned library: recording a lesson (directly, from a highlight report
or from a gate decision), turning the approved closure report's lessons section into lesson
records, and the PMO's curation (merging duplicates, marking a lesson adopted into practice).

Atomic; each takes the acting user. The gate service imports ``lessons_from_closure`` to convert
the closure report when the closure is approved."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.rules import is_pmo, is_programme_team
from core.audit import audited
from core.errors import ServiceError, full_clean
from portfolio.models import DocumentVersion, HighlightReport, Programme, Stage

from .models import (
    Gate,
    GateReview,
    Lesson,
    LessonPolarity,
    LessonSource,
    LessonStatus,
    LessonTheme,
    ReviewStatus,
)

CLOSURE_SECTION = "lessons-learned"

# The themes a lesson is tagged with, as installed (slug, name), in their order on the page.
THEMES = [
    ("governance", "Governance and decision-making"),
    ("stakeholders", "Stakeholders and communication"),
    ("commercial", "Procurement and commercial"),
    ("finance", "Finance and budgets"),
    ("benefits", "Benefits and savings"),
    ("resourcing", "Resourcing and skills"),
    ("technology", "Technology and data"),
    ("planning", "Planning and scheduling"),
    ("risk", "Risk management"),
    ("scope", "Scope and requirements"),
    ("people", "People and culture change"),
    ("partners", "Partners and suppliers"),
]


class LessonError(ServiceError):
    """A lesson that cannot be recorded or curated as asked; the message is for the user."""


def lesson_themes_install(theme_model: type[LessonTheme] = LessonTheme) -> int:
    """Install the default themes that are missing; returns how many. Migration 0014 installs
    them with its historical model; the demo data installs them again, into a database a
    transactional test has emptied."""
    added = 0
    for position, (slug, name) in enumerate(THEMES):
        _, created = theme_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
        added += created
    return added


def lesson_source_check(
    programme: Programme,
    *,
    highlight_report: HighlightReport | None = None,
    gate_review: GateReview | None = None,
) -> str:
    """The source a lesson recorded with these links has; refuses another programme's."""
    if highlight_report is not None and gate_review is not None:
        raise LessonError("A lesson comes from one highlight report or one gate decision.")
    if highlight_report is not None:
        if highlight_report.programme_id != programme.pk:
            raise LessonError("That highlight report is not this programme's.")
        return LessonSource.HIGHLIGHT_REPORT
    if gate_review is not None:
        if gate_review.programme_id != programme.pk:
            raise LessonError("That gate review is not this programme's.")
        return LessonSource.GATE_REVIEW
    return LessonSource.DIRECT


@transaction.atomic
@audited
def lesson_record(
    *,
    programme: Programme,
    title: str,
    what_happened: str,
    polarity: str,
    actor: User,
    why: str = "",
    next_time: str = "",
    stage: str = "",
    themes: Iterable[LessonTheme] = (),
    highlight_report: HighlightReport | None = None,
    gate_review: GateReview | None = None,
) -> Lesson:
    """Record a lesson on ``programme`` (from one of its highlight reports or gate reviews, when
    given). It keeps the programme's directorate and category as they are now."""
    if not (is_pmo(actor) or is_programme_team(actor, programme)):
        raise LessonError("Only the programme's manager, its SRO or the PMO record its lessons.")
    source = lesson_source_check(
        programme, highlight_report=highlight_report, gate_review=gate_review
    )
    lesson = Lesson(
        programme=programme, title=title.strip(), what_happened=what_happened.strip(),
        why=why.strip(), next_time=next_time.strip(), polarity=polarity,
        stage=stage or lesson_stage(programme), directorate_id=programme.directorate_id,
        category=programme.category, source=source, highlight_report=highlight_report,
        gate_review=gate_review, recorded_by=actor,
    )  # fmt: skip
    full_clean(lesson, exclude=["themes"])
    lesson.save()
    lesson.themes.set(list(themes))
    return lesson


def lesson_stage(programme: Programme) -> str:
    if programme.stage == Stage.PAUSED and programme.stage_before_pause:
        return programme.stage_before_pause
    return programme.stage if programme.stage != Stage.PAUSED else Stage.IDENTIFY


@transaction.atomic
@audited
def lesson_update(
    *,
    lesson: Lesson,
    title: str,
    what_happened: str,
    polarity: str,
    actor: User,
    why: str = "",
    next_time: str = "",
    stage: str = "",
    themes: Iterable[LessonTheme] = (),
) -> Lesson:
    """Correct a lesson's words, stage, polarity or themes (e.g. one made from a closure report)."""
    lesson = Lesson.objects.select_for_update().select_related("programme").get(pk=lesson.pk)
    if not (is_pmo(actor) or is_programme_team(actor, lesson.programme)):
        raise LessonError("Only the programme's manager, its SRO or the PMO correct its lessons.")
    lesson.title, lesson.what_happened = title.strip(), what_happened.strip()
    lesson.why, lesson.next_time = why.strip(), next_time.strip()
    lesson.polarity, lesson.stage = polarity, stage or lesson.stage
    full_clean(lesson, exclude=["themes"])
    lesson.save()
    lesson.themes.set(list(themes))
    return lesson


def _locked(lesson: Lesson) -> Lesson:
    return Lesson.objects.select_for_update().get(pk=lesson.pk)


@transaction.atomic
@audited
def lesson_adopt(*, lesson: Lesson, what_changed: str, actor: User) -> Lesson:
    """The PMO marks a lesson "adopted into practice", saying what changed."""
    if not is_pmo(actor):
        raise LessonError("The PMO marks lessons adopted into practice.")
    lesson = _locked(lesson)
    if lesson.is_merged:
        raise LessonError("This lesson was merged into another: mark that one adopted.")
    if not what_changed.strip():
        raise LessonError({"what_changed": "Say what changed in practice."})
    lesson.status = LessonStatus.ADOPTED
    lesson.adopted_change = what_changed.strip()
    lesson.adopted_by, lesson.adopted_at = actor, timezone.now()
    full_clean(lesson, exclude=["themes"])
    lesson.save()
    return lesson


@transaction.atomic
@audited
def lesson_merge(*, lesson: Lesson, into: Lesson, actor: User) -> Lesson:
    """The PMO merges a duplicate into the lesson it repeats: the duplicate is kept (and links to
    its keeper), drops out of searches, and its themes join the keeper's. Returns the keeper."""
    if not is_pmo(actor):
        raise LessonError("The PMO merges duplicate lessons.")
    lesson, into = _locked(lesson), _locked(into)
    if lesson.pk == into.pk:
        raise LessonError({"into": "Choose another lesson: a lesson cannot be merged into itself."})
    if lesson.is_merged:
        raise LessonError("This lesson is already merged into another.")
    if into.is_merged:
        raise LessonError(
            {"into": "That lesson is itself merged: choose the one it was merged into."}
        )
    lesson.status, lesson.merged_into = LessonStatus.MERGED, into
    lesson.save()
    # Duplicates merged into this one follow it to the keeper.
    for duplicate in Lesson.objects.select_for_update().filter(merged_into=lesson):
        duplicate.merged_into = into
        duplicate.save()
    into.themes.add(*lesson.themes.all())
    return into


# --- the closure report's lessons section ----------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-•●*–]|\d+[.)])\s+")
_HEADING = re.compile(
    r"^(?P<heading>(?:what\s+|things\s+that\s+)?(?:went\s+well|worked\s+well|did\s+not\s+go\s+well|"
    r"didn't\s+go\s+well|did\s+not\s+work|didn't\s+work|went\s+badly|went\s+less\s+well|"
    r"could\s+have\s+gone\s+better|even\s+better\s+if|to\s+improve|improvements?|successes|"
    r"positives?|negatives?|challenges|we\s+would\s+do\s+differently)[^:.]{0,20}):\s*"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
_NEGATIVE = re.compile(
    r"\b(not|n't|badly|better|improve\w*|wrong|problems?|negatives?|challenges?|less)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ClosureLesson:
    polarity: str
    text: str

    @property
    def title(self) -> str:
        first = re.split(r"(?<=[.!?])\s", self.text, maxsplit=1)[0].strip()
        return first if len(first) <= 200 else first[:199].rstrip() + "…"


def closure_lessons_parse(text: str) -> list[ClosureLesson]:
    """Split a closure report's lessons section into lessons: each bullet, or each paragraph
    when there are no bullets. A heading such as "What went well:" or "What did not go well:"
    (alone on its line, or leading the text) says whether the lessons under it are positive or
    negative; lessons under no heading are recorded as negative (to learn from) and the
    programme team may correct them."""
    lessons: list[ClosureLesson] = []
    polarity = LessonPolarity.NEGATIVE
    current: list[str] = []

    def close() -> None:
        words = " ".join(current).strip()
        if words:
            lessons.append(ClosureLesson(str(polarity), words))
        current.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            close()
            continue
        heading = _HEADING.match(_BULLET.sub("", line))
        if heading:
            close()
            polarity = (
                LessonPolarity.NEGATIVE
                if _NEGATIVE.search(heading["heading"])
                else LessonPolarity.POSITIVE
            )
            if heading["rest"].strip():
                current.append(heading["rest"].strip())
            continue
        if _BULLET.match(line):
            close()
            line = _BULLET.sub("", line)
        current.append(line)
    close()
    return lessons


@transaction.atomic
@audited
def lessons_from_closure(*, review: GateReview, actor: User) -> list[Lesson]:
    """On the closure's approval: each lesson of the approved closure report's lessons section
    becomes a lesson record linked to that version. A second call changes nothing."""
    if review.gate != Gate.CLOSURE or review.status != ReviewStatus.APPROVED:
        raise LessonError("Lessons become records when the closure report is approved.")
    version: DocumentVersion = review.version
    if Lesson.objects.filter(closure_version=version).exists():
        return []
    programme = review.programme
    text = next((s.get("text", "") for s in version.content if s.get("key") == CLOSURE_SECTION), "")
    lessons = []
    for item in closure_lessons_parse(text):
        lesson = Lesson(
            programme=programme, title=item.title, what_happened=item.text[:4000],
            polarity=item.polarity, stage=Stage.CLOSED, directorate_id=programme.directorate_id,
            category=programme.category, source=LessonSource.CLOSURE_REPORT,
            gate_review=review, closure_version=version, recorded_by=actor,
        )  # fmt: skip
        full_clean(lesson, exclude=["themes"])
        lesson.save()
        lessons.append(lesson)
    return lessons

"""Administering programmes and boards after creation: the programme's settings (with a one-step
handover of open items when its manager or SRO changes) and boards of every kind (create,
archive). Each write is atomic, records who made it, and lands in the programme's history or the
decision log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from benefits.models import Benefit, BenefitStatus
from benefits.services import rollup_mark
from core.audit import audited
from core.errors import ServiceError, full_clean
from portfolio.models import Programme

from .models import Action, Assumption, Board, BoardKind, Dependency, Issue, LogStatus, Risk
from .models.raid import RiskStatus
from .services import decision_record

# The fields of the settings page; the SRO may change only the first two.
SRO_FIELDS = ["description", "directorate"]
PMO_FIELDS = [
    "name", "description", "directorate", "portfolio", "category", "light_touch", "manager", "sro",
]  # fmt: skip


class AdministrationError(ServiceError):
    """A change to a programme or board that cannot happen; the message is for the user."""


@dataclass
class Handover:
    """What moved from one person to another on a programme."""

    old: User
    new: User
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        moved = ", ".join(f"{n} {what}" for what, n in self.counts.items() if n) or "no open items"
        return f"{moved} handed over from {self.old} to {self.new}"


def open_items(programme: Programme, person: User) -> dict[str, models.QuerySet]:
    """The open items ``person`` owns on ``programme``, by the name a user reads."""
    return {
        "actions": Action.objects.for_programme(programme).outstanding().filter(owner=person),
        "risks": Risk.objects.filter(programme=programme, owner=person, status=RiskStatus.OPEN),
        "issues": Issue.objects.filter(programme=programme, owner=person, status=LogStatus.OPEN),
        "assumptions": Assumption.objects.filter(
            programme=programme, owner=person, status=LogStatus.OPEN
        ),
        "dependencies": Dependency.objects.filter(
            programme=programme, owner=person, status=LogStatus.OPEN
        ),
        "benefits": Benefit.objects.filter(programme=programme, owner=person).exclude(
            status__in=[BenefitStatus.REALISED, BenefitStatus.WITHDRAWN]
        ),
    }


@audited
def open_items_hand_over(*, programme: Programme, old: User, new: User, actor: User) -> Handover:
    """Give ``new`` every open item ``old`` owns on the programme, each change in its history."""
    handover = Handover(old=old, new=new)
    for name, rows in open_items(programme, old).items():
        moved = 0
        for row in rows.select_for_update():
            row.owner = new
            row.save(update_fields=["owner"])
            moved += 1
        handover.counts[name] = moved
    return handover


@transaction.atomic
@audited
def programme_settings_update(
    *,
    programme: Programme,
    actor: User,
    changes: dict[str, Any],
    board: Board | None = None,
    change_board: bool = False,
    hand_over: bool = True,
) -> list[Handover]:
    """Change the programme's settings; reassigning its manager or SRO hands over their open
    items (when ``hand_over``); naming a Programme Board makes it this programme's. Returns the
    handovers made. Every change is in the programme's history; handovers and a new board are
    written to the decision log."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    before = {name: getattr(programme, name) for name in changes}
    for name, value in changes.items():
        setattr(programme, name, value)
    full_clean(programme, exclude=["stage"])
    programme.save()
    if {"portfolio", "directorate", "category"} & changes.keys():  # keys of its roll-up rows
        rollup_mark(programmes=[programme.pk])
    handovers = []
    for role in ("manager", "sro"):
        old, new = before.get(role), changes.get(role, before.get(role))
        if hand_over and old is not None and new is not None and old != new:
            handovers.append(
                open_items_hand_over(programme=programme, old=old, new=new, actor=actor)
            )
    notes = [f"{h}." for h in handovers if h.total]
    if change_board:
        current = Board.objects.filter(programme=programme).first()
        if board is not None and board.kind != BoardKind.PROGRAMME:
            raise AdministrationError("Only a Programme Board can oversee one programme.")
        if current is not None and current != board:
            current.programme = None
            current.save(update_fields=["programme"])
        if board is not None and current != board:
            board = Board.objects.select_for_update().get(pk=board.pk)
            if board.programme_id and board.programme_id != programme.pk:
                raise AdministrationError(f"{board} already oversees {board.programme}.")
            board.programme = programme
            board.save(update_fields=["programme"])
            notes.append(f"{board} oversees the programme.")
    if notes:
        decision_record(
            programme=programme, board=None,
            summary=f"Programme settings: {programme}"[:200],
            decision=" ".join(notes), actor=actor,
        )  # fmt: skip
    return handovers


def _unique_slug(name: str) -> str:
    base = slugify(name)[:150] or "board"
    slug, n = base, 1
    while Board.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
@audited
def board_create(
    *,
    name: str,
    kind: str,
    actor: User,
    chair: User | None = None,
    members: list[User] | None = None,
    portfolio=None,
    programme: Programme | None = None,
    purpose: str = "",
    next_meeting=None,
) -> Board:
    """Establish a board of any kind; a Programme Board oversees one programme, a Portfolio
    Board one portfolio. The chair is always a member."""
    if kind == BoardKind.PROGRAMME and programme is None:
        raise AdministrationError("Choose the programme this Programme Board oversees.")
    if kind == BoardKind.PORTFOLIO and portfolio is None:
        raise AdministrationError("Choose the portfolio this Portfolio Board oversees.")
    if kind != BoardKind.PROGRAMME:
        programme = None
    if kind != BoardKind.PORTFOLIO:
        portfolio = None
    if programme is not None and Board.objects.filter(programme=programme).exists():
        raise AdministrationError(f"{programme} already has a Programme Board.")
    if portfolio is not None and Board.objects.filter(portfolio=portfolio).exists():
        raise AdministrationError(f"{portfolio} already has a Portfolio Board.")
    board = Board(
        name=name, slug=_unique_slug(name), kind=kind, chair=chair, portfolio=portfolio,
        programme=programme, purpose=purpose, next_meeting=next_meeting,
    )  # fmt: skip
    full_clean(board)
    board.save()
    people = {m.pk: m for m in (members or [])}
    if chair is not None:
        people[chair.pk] = chair
    board.members.set(people.values())
    if programme is not None:
        decision_record(
            programme=programme, board=board, summary=f"{board} established"[:200],
            decision=f"A Programme Board is established to oversee {programme}.", actor=actor,
        )  # fmt: skip
    return board


@transaction.atomic
@audited
def board_archive(*, board: Board, actor: User) -> Board:
    """Archive a board that no longer meets: it keeps its history but decides nothing new."""
    board = Board.objects.select_for_update().get(pk=board.pk)
    if board.is_archived:
        raise AdministrationError(f"{board} was already archived.")
    if board.kind in (BoardKind.STB, BoardKind.DELIVERY):
        raise AdministrationError(f"The {board.get_kind_display()} cannot be archived.")
    board.archived_at = timezone.now()
    # It stops overseeing its programme or portfolio, so a new board can be established there.
    board.programme, board.portfolio = None, None
    board.save(update_fields=["archived_at", "programme", "portfolio"])
    return board

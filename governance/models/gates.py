"""Gate reviews and the gate policy that routes them.

The gate policy is data: for each gate, category and light-touch flag, the ordered sign-offs a
review needs. A review copies its route when it opens, so a later policy change does not reroute
reviews already under way. Each sign-off decided is a ``GateSignOff`` row (unique per review and
step), written with its decision-log entry by the gate service.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portfolio.models import Category, DocumentKind, DocumentVersion, Programme, Stage

from .boards import Board, BoardKind
from .logs import Decision


class Gate(models.TextChoices):
    GATE_1 = "gate_1", "Gate 1: Strategic Outline Case"
    GATE_2 = "gate_2", "Gate 2: Initial Programme Brief"
    GATE_3 = "gate_3", "Gate 3: Full Programme Brief"
    CLOSURE = "closure", "Closure"

    @classmethod
    def for_stage(cls, stage: str) -> Gate | None:
        return STAGE_GATES.get(stage)

    @property
    def document(self) -> DocumentKind:
        return GATE_DOCUMENTS[self]

    @property
    def short(self) -> str:
        return self.label.split(":")[0]


STAGE_GATES = {
    Stage.IDENTIFY: Gate.GATE_1,
    Stage.DEFINE: Gate.GATE_2,
    Stage.DESIGN: Gate.GATE_3,
    Stage.DELIVER: Gate.CLOSURE,
}

GATE_DOCUMENTS = {
    Gate.GATE_1: DocumentKind.SOC,
    Gate.GATE_2: DocumentKind.INITIAL_BRIEF,
    Gate.GATE_3: DocumentKind.FULL_BRIEF,
    Gate.CLOSURE: DocumentKind.CLOSURE_REPORT,
}


class SignOff(models.TextChoices):
    """Who signs a step off: the programme's SRO, or a board chosen by its kind."""

    SRO = "sro", "SRO sign-off"
    STB = BoardKind.STB.value, BoardKind.STB.label
    DELIVERY = BoardKind.DELIVERY.value, BoardKind.DELIVERY.label
    PORTFOLIO = BoardKind.PORTFOLIO.value, "The programme's Portfolio Board"
    PROGRAMME = BoardKind.PROGRAMME.value, "The programme's Programme Board"


class GatePolicyQuerySet(models.QuerySet):
    def in_gate_order(self) -> GatePolicyQuerySet:
        order = models.Case(
            *[models.When(gate=g, then=models.Value(i)) for i, g in enumerate(Gate.values)]
        )
        return self.order_by(order, "category", "light_touch")

    def route_for(self, gate: str, programme: Programme) -> list[str]:
        """The sign-offs a programme needs at ``gate``.

        Gate 1 rows have no category (STB assigns it there). A programme that reaches a later
        gate without a category is routed as category A, the most demanding route.
        """
        category = "" if gate == Gate.GATE_1 else (programme.category or Category.A)
        row = self.filter(gate=gate, category=category, light_touch=programme.light_touch).first()
        if row is None:
            row = self.filter(gate=gate, category=category, light_touch=False).first()
        return list(row.sign_offs) if row else []


class GatePolicy(models.Model):
    gate = models.CharField(max_length=10, choices=Gate.choices)
    category = models.CharField(
        max_length=1, choices=Category.choices, blank=True, help_text="Blank: any category."
    )
    light_touch = models.BooleanField(default=False)
    sign_offs = models.JSONField(default=list, help_text="Ordered SignOff values.")

    history = HistoricalRecords()
    objects = GatePolicyQuerySet.as_manager()

    class Meta:
        ordering = ["gate", "category", "light_touch"]
        verbose_name_plural = "gate policies"
        constraints = [
            models.UniqueConstraint(
                fields=["gate", "category", "light_touch"], name="one_policy_per_route"
            )
        ]

    def __str__(self) -> str:
        return f"{Gate(self.gate).short}, {self.category_label}{self.light_touch_label}"

    @property
    def category_label(self) -> str:
        return f"category {self.category}" if self.category else "any category"

    @property
    def light_touch_label(self) -> str:
        return ", light touch" if self.light_touch else ""

    @property
    def sign_off_labels(self) -> list[str]:
        return [SignOff(s).label for s in self.sign_offs]


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Awaiting decision"
    APPROVED = "approved", "Approved"
    DEFERRED = "deferred", "Deferred"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Outcome(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    DEFER = "defer", "Defer"
    REJECT = "reject", "Reject"

    @property
    def approves(self) -> bool:
        return self in (Outcome.APPROVE, Outcome.APPROVE_WITH_CONDITIONS)

    @property
    def past(self) -> str:
        """As the decision log says it: "approved with conditions", "deferred"."""
        return {
            Outcome.APPROVE: "approved",
            Outcome.APPROVE_WITH_CONDITIONS: "approved with conditions",
            Outcome.DEFER: "deferred",
            Outcome.REJECT: "rejected",
        }[self]


class GateReviewQuerySet(models.QuerySet):
    def open(self) -> GateReviewQuerySet:
        return self.filter(status=ReviewStatus.OPEN)

    def oldest_first(self) -> GateReviewQuerySet:
        return self.order_by("submitted_at", "pk")

    def with_context(self) -> GateReviewQuerySet:
        return self.select_related(
            "programme__portfolio", "programme__sro", "programme__manager",
            "version__document", "submitted_by",
        )  # fmt: skip

    def awaiting_board(self, board: Board) -> GateReviewQuerySet:
        """Open reviews whose current step is ``board``'s to decide."""
        reviews = self.open().filter(current_sign_off=board.kind)
        if board.kind == BoardKind.PORTFOLIO:
            reviews = reviews.filter(programme__portfolio_id=board.portfolio_id)
        elif board.kind == BoardKind.PROGRAMME:
            reviews = reviews.filter(programme_id=board.programme_id)
        return reviews

    def awaiting_user(self, user) -> GateReviewQuerySet:
        """Open reviews whose current step this user may decide (segregation of duties kept)."""
        boards = list(user.boards.all())
        routes = models.Q(current_sign_off=SignOff.SRO, programme__sro=user)
        for board in boards:
            if board.kind in (BoardKind.STB, BoardKind.DELIVERY):
                routes |= models.Q(current_sign_off=board.kind)
            elif board.kind == BoardKind.PORTFOLIO:
                routes |= models.Q(
                    current_sign_off=board.kind, programme__portfolio=board.portfolio_id
                )
            elif board.kind == BoardKind.PROGRAMME:
                routes |= models.Q(current_sign_off=board.kind, programme=board.programme_id)
        board_step_on_own = ~models.Q(current_sign_off=SignOff.SRO) & (
            models.Q(programme__sro=user) | models.Q(programme__manager=user)
        )
        return self.open().filter(routes).exclude(board_step_on_own)

    def for_team_member(self, user) -> GateReviewQuerySet:
        return self.filter(models.Q(programme__manager=user) | models.Q(programme__sro=user))


class GateReview(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="gate_reviews")
    gate = models.CharField(max_length=10, choices=Gate.choices)
    version = models.ForeignKey(
        DocumentVersion, on_delete=models.PROTECT, related_name="gate_reviews"
    )
    route = models.JSONField(help_text="The ordered sign-offs, copied from the gate policy.")
    current_step = models.PositiveSmallIntegerField(default=0)
    current_sign_off = models.CharField(
        max_length=20, choices=SignOff.choices, blank=True, help_text="Blank once closed."
    )
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = GateReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(status="open"),
                name="one_open_review_per_programme",
            )
        ]
        indexes = [  # the queue: open reviews, oldest first, a page at a time (make bench)
            models.Index(fields=["status", "submitted_at", "id"], name="review_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.gate_label}"

    def get_absolute_url(self) -> str:
        return reverse("governance:review_detail", kwargs={"pk": self.pk})

    @property
    def gate_label(self) -> str:
        return Gate(self.gate).label

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN

    @property
    def route_labels(self) -> list[str]:
        return [SignOff(s).label for s in self.route]

    @property
    def with_whom(self) -> str:
        """Where the review waits, in a sentence: "the SRO for sign-off", "the Delivery Board"."""
        if self.current_sign_off == SignOff.SRO:
            return "the SRO for sign-off"
        return f"the {self.current_sign_off_label}"

    @property
    def status_label(self) -> str:
        """The status, saying "approved with conditions" when a condition was set."""
        conditional = any(
            s.outcome == Outcome.APPROVE_WITH_CONDITIONS for s in self.sign_offs.all()
        )
        if self.status == ReviewStatus.APPROVED and conditional:
            return "Approved with conditions"
        return self.get_status_display()

    @property
    def current_sign_off_label(self) -> str:
        return SignOff(self.current_sign_off).label if self.current_sign_off else ""

    @property
    def is_last_step(self) -> bool:
        return self.current_step == len(self.route) - 1

    @property
    def awaits_sro(self) -> bool:
        """The current step is the programme SRO's own sign-off."""
        return self.current_sign_off == SignOff.SRO

    @property
    def deciding_board(self) -> Board | None:
        """The board that decides the current step (None for the SRO's sign-off, or closed)."""
        if not self.is_open:
            return None
        return board_for_step(self.current_sign_off, self.programme)

    @property
    def agrees_investment(self) -> bool:
        """At Gate 2 "STB defines the guardrails and agrees the investment and expected RoI"
        (seeds, Governance Flow): its step records them."""
        return self.is_open and self.gate == Gate.GATE_2 and self.current_sign_off == SignOff.STB

    @property
    def sets_terms(self) -> bool:
        """Gate 1's STB step assigns the portfolio and category, and guides the guardrails."""
        return self.gate == Gate.GATE_1 and self.current_sign_off == SignOff.STB


def board_for_step(sign_off: str, programme: Programme) -> Board | None:
    """The board that decides a step (None for the SRO's sign-off)."""
    if sign_off == SignOff.SRO:
        return None
    if sign_off == SignOff.PORTFOLIO:
        return Board.objects.filter(kind=sign_off, portfolio_id=programme.portfolio_id).first()
    if sign_off == SignOff.PROGRAMME:
        return Board.objects.filter(kind=sign_off, programme=programme).first()
    return Board.objects.filter(kind=sign_off).order_by("pk").first()


class GateSignOff(models.Model):
    """One step of a review, decided: who, when, which board, what outcome and why."""

    review = models.ForeignKey(GateReview, on_delete=models.CASCADE, related_name="sign_offs")
    step = models.PositiveSmallIntegerField()
    sign_off = models.CharField(max_length=20, choices=SignOff.choices)
    board = models.ForeignKey(
        Board, on_delete=models.PROTECT, null=True, blank=True, related_name="gate_sign_offs"
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    reasons = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="gate_sign_off"
    )

    class Meta:
        ordering = ["review", "step"]
        constraints = [
            models.UniqueConstraint(fields=["review", "step"], name="one_sign_off_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.review}: {self.get_sign_off_display()} {self.get_outcome_display()}"

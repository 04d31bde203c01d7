"""What each governance log shows: its columns (the page and the exports use the same ones),
its filters, its sort keys and how its rows are read. Views, exports and tests read from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Portfolio, Programme
from portfolio.templatetags.money import gbp

from . import forms as log_forms
from .models import (
    Action,
    Assumption,
    ChangeRequest,
    Decision,
    Dependency,
    Issue,
    Risk,
    score_band,
)


def _date(value: date | None) -> str:
    return value.strftime("%-d %b %Y") if value else ""


def _person(user: Any) -> str:
    return str(user) if user else ""


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], str]
    sort: str = ""
    detail: bool = False  # shown under the row's first cell rather than as a column of its own
    rollup: bool = False  # only where rows come from several programmes (not on a programme)
    # What a download holds, where it is not the page's text: a number stays a number.
    export: Callable[[Any], object] | None = None
    money: bool = False  # the download shows it in £

    def export_value(self, obj: Any) -> object:
        return self.export(obj) if self.export else self.value(obj)


@dataclass(frozen=True)
class Log:
    key: str
    title: str
    noun: str
    section: str
    model: type[models.Model]
    columns: list[Column]
    filter_form: type[forms.Form]
    filter: Callable[[models.QuerySet, dict[str, Any]], models.QuerySet]
    related: tuple[str, ...] = ()
    form: type[forms.ModelForm] | None = None
    flags: Callable[[Any, date], list[tuple[str, str]]] = field(default=lambda obj, today: [])
    link: Callable[[Any], str] | None = None  # where a row's first cell leads, if anywhere

    def columns_for(self, scope: Programme | Portfolio | None) -> list[Column]:
        """The columns of this log's page and exports: a programme's own page leaves out the
        programme column (except dependencies, which show those of other programmes too)."""
        if isinstance(scope, Programme) and self.model is not Dependency:
            return [c for c in self.columns if not c.rollup]
        return list(self.columns)

    @property
    def add_label(self) -> str:
        article = "an" if self.noun[0] in "aeiou" else "a"
        return f"Add {article} {self.noun}"

    @property
    def editable(self) -> bool:
        return self.form is not None

    def rows(self, scope: Programme | Portfolio | None) -> models.QuerySet:
        """This log's rows for a programme, a portfolio, or the whole portfolio (None)."""
        qs = self.model.objects.select_related(*self.related)
        if isinstance(scope, Programme):
            if self.model is Dependency:
                return qs.filter(models.Q(programme=scope) | models.Q(depends_on=scope))
            return qs.filter(programme=scope)
        if isinstance(scope, Portfolio):
            if self.model is Risk:
                return qs.in_portfolio(scope)
            return qs.filter(programme__portfolio=scope)
        return qs


def _exact(**names: str) -> Callable[[models.QuerySet, dict[str, Any]], models.QuerySet]:
    """A filter that narrows by each named form field to the named lookup when it has a value."""

    def apply(qs: models.QuerySet, data: dict[str, Any]) -> models.QuerySet:
        for name, lookup in names.items():
            value = data.get(name)
            if value not in (None, ""):
                qs = qs.filter(**{lookup: value})
        return qs

    return apply


def _risk_filter(qs: models.QuerySet, data: dict[str, Any]) -> models.QuerySet:
    qs = _exact(
        status="status",
        response="response",
        likelihood="residual_likelihood",
        impact="residual_impact",
        owner="owner",
    )(qs, data)
    if data.get("escalated"):
        qs = qs.filter(escalated=data["escalated"] == "yes")
    return qs


def _action_filter(qs: models.QuerySet, data: dict[str, Any]) -> models.QuerySet:
    status = data.get("status")
    if status == "outstanding":
        qs = qs.outstanding()
    elif status == "overdue":
        qs = qs.overdue()
    elif status:
        qs = qs.filter(status=status)
    return _exact(owner="owner")(qs, data)


def _risk_flags(risk: Risk, today: date) -> list[tuple[str, str]]:
    flags = []
    if risk.escalated:
        flags.append(("Escalated", "red"))
    if risk.is_review_overdue(today):
        flags.append(("Review overdue", "orange"))
    return flags


def _programme(obj: Any) -> str:
    return str(obj.programme) if obj.programme_id else "Portfolio RAID log"


def _score(likelihood: str, impact: str) -> Callable[[Risk], str]:
    def value(risk: Risk) -> str:
        lik, imp = getattr(risk, likelihood), getattr(risk, impact)
        return f"{lik}×{imp} = {lik * imp} ({_band(lik * imp)})"

    return value


def _band(score: int) -> str:
    return score_band(score)


RISKS = Log(
    key="risks",
    title="Risks",
    noun="risk",
    section="raid",
    model=Risk,
    related=("programme", "owner", "issue"),
    form=log_forms.RiskForm,
    filter_form=log_forms.RiskFilterForm,
    filter=_risk_filter,
    flags=_risk_flags,
    columns=[
        Column("Risk", lambda r: r.title, "title"),
        Column("Programme", _programme, "programme__name", rollup=True),
        Column("Cause", lambda r: r.cause, detail=True),
        Column("Event", lambda r: r.event, detail=True),
        Column("Effect", lambda r: r.effect, detail=True),
        Column("Inherent", _score("inherent_likelihood", "inherent_impact")),
        Column("Residual", _score("residual_likelihood", "residual_impact"), "residual_likelihood"),
        Column("Target", _score("target_likelihood", "target_impact")),
        Column("Existing controls", lambda r: r.existing_controls, detail=True),
        Column("Further action", lambda r: r.further_action, detail=True),
        Column("Owner", lambda r: _person(r.owner), "owner__last_name"),
        Column("Review date", lambda r: _date(r.review_date), "review_date"),
        Column("Proximity", lambda r: r.proximity, detail=True),
        Column("Response", lambda r: r.get_response_display(), "response"),
        Column("Status", lambda r: r.get_status_display(), "status"),
        Column("Escalated", lambda r: "Yes" if r.escalated else "No", "escalated", detail=True),
    ],
)

ASSUMPTIONS = Log(
    key="assumptions",
    title="Assumptions",
    noun="assumption",
    section="raid",
    model=Assumption,
    related=("programme", "owner"),
    form=log_forms.AssumptionForm,
    filter_form=log_forms.AssumptionFilterForm,
    filter=_exact(status="status", owner="owner"),
    flags=lambda a, today: [("Validation overdue", "orange")] if a.is_overdue(today) else [],
    columns=[
        Column("Assumption", lambda a: a.title, "title"),
        Column("Programme", _programme, "programme__name", rollup=True),
        Column("Description", lambda a: a.description, detail=True),
        Column("Owner", lambda a: _person(a.owner), "owner__last_name"),
        Column("Validation date", lambda a: _date(a.validation_date), "validation_date"),
        Column("Status", lambda a: a.get_status_display(), "status"),
    ],
)

ISSUES = Log(
    key="issues",
    title="Issues",
    noun="issue",
    section="raid",
    model=Issue,
    related=("programme", "owner", "risk"),
    form=log_forms.IssueForm,
    filter_form=log_forms.IssueFilterForm,
    filter=_exact(status="status", priority="priority", owner="owner"),
    columns=[
        Column("Issue", lambda i: i.title, "title"),
        Column("Programme", _programme, "programme__name", rollup=True),
        Column("Description", lambda i: i.description, detail=True),
        Column("Priority", lambda i: i.get_priority_display(), "priority"),
        Column("Owner", lambda i: _person(i.owner), "owner__last_name"),
        Column("Resolution", lambda i: i.resolution, detail=True),
        Column("Status", lambda i: i.get_status_display(), "status"),
        Column("From risk", lambda i: i.risk.title if i.risk_id else ""),
    ],
)

DEPENDENCIES = Log(
    key="dependencies",
    title="Dependencies",
    noun="dependency",
    section="raid",
    model=Dependency,
    related=("programme", "depends_on", "owner"),
    form=log_forms.DependencyForm,
    filter_form=log_forms.DependencyFilterForm,
    filter=_exact(status="status"),
    columns=[
        Column("Dependency", lambda d: d.title, "title"),
        Column("Programme", _programme, "programme__name", rollup=True),
        Column("Depends on", lambda d: d.on),
        Column("Description", lambda d: d.description, detail=True),
        Column("Owner", lambda d: _person(d.owner), "owner__last_name"),
        Column("Needed by", lambda d: _date(d.needed_by), "needed_by"),
        Column("Status", lambda d: d.get_status_display(), "status"),
    ],
)

ACTIONS = Log(
    key="actions",
    title="Actions",
    noun="action",
    section="actions",
    model=Action,
    related=("programme", "owner", "decision"),
    form=log_forms.ActionForm,
    filter_form=log_forms.ActionFilterForm,
    filter=_action_filter,
    flags=lambda a, today: [("Overdue", "red")] if a.is_overdue(today) else [],
    columns=[
        Column("Action", lambda a: a.title, "title"),
        Column("Programme", _programme, "programme__name", rollup=True),
        Column("Description", lambda a: a.description, detail=True),
        Column("Owner", lambda a: _person(a.owner), "owner__last_name"),
        Column("Due", lambda a: _date(a.due_date), "due_date"),
        Column("Status", lambda a: a.get_status_display(), "status"),
        Column("Completed", lambda a: _date(a.completed_on), "completed_on"),
        Column("From decision", lambda a: a.decision.summary if a.decision_id else ""),
    ],
)


def _made_by(decision: Decision) -> str:
    """Who made the decision: the board (or the SRO signing off) and the person recording it."""
    forum = str(decision.board) if decision.board_id else ""
    person = _person(decision.recorded_by)
    return f"{forum}: {person}" if forum else person


def _escalation(decision: Decision) -> Any:
    """The escalation this decision answered, if any (a reverse one-to-one: absent raises)."""
    return getattr(decision, "escalation", None)


def _source(decision: Decision) -> str:
    """What made the decision: a change request, a gate review, an escalation answered, or the
    board by hand."""
    if decision.change_request_id:
        return decision.change_request.reference
    if decision.gate_review_id:
        return decision.gate_review.gate_label
    if (escalation := _escalation(decision)) is not None:
        return f"Escalated {escalation.get_source_display().lower()}"
    return ""


def _decision_link(decision: Decision) -> str:
    """Where the decision came from: its change request, gate review or escalation."""
    if decision.change_request_id:
        return reverse(
            "governance:change_request_detail", kwargs={"pk": decision.change_request_id}
        )
    if decision.gate_review_id:
        return decision.gate_review.get_absolute_url()
    escalation = _escalation(decision)
    return escalation.get_absolute_url() if escalation is not None else ""


DECISIONS = Log(
    key="decisions",
    title="Decisions",
    noun="decision",
    section="decisions",
    model=Decision,
    related=(
        "programme",
        "board",
        "recorded_by",
        "change_request",
        "gate_review__programme",
        "escalation",
    ),
    filter_form=log_forms.DecisionFilterForm,
    link=_decision_link,
    filter=_exact(board="board"),
    columns=[
        Column("Decision", lambda d: d.summary, "summary"),
        Column("Date", lambda d: _date(d.decided_on), "decided_on"),
        Column("Programme", _programme, "programme__name", rollup=True),
        Column("Forum", lambda d: str(d.board or ""), "board__name"),
        Column("Decision in full", lambda d: d.decision, detail=True),
        Column("Rationale", lambda d: d.rationale, detail=True),
        Column("Made by", _made_by),
        Column("Source", _source),
    ],
)

CHANGE_REQUESTS = Log(
    key="change-requests",
    title="Change requests",
    noun="change request",
    section="change-requests",
    model=ChangeRequest,
    related=("programme", "routed_to", "raised_by", "decided_by"),
    filter_form=log_forms.ChangeRequestFilterForm,
    link=lambda c: reverse("governance:change_request_detail", kwargs={"pk": c.pk}),
    filter=_exact(status="status"),
    columns=[
        Column("Reference", lambda c: c.reference, "id"),
        Column("Change", lambda c: c.title, "title"),
        Column("Programme", _programme, "programme__name", rollup=True),
        Column("What changes", lambda c: c.get_kind_display(), "kind"),
        Column(
            "Cost impact",
            lambda c: gbp(c.cost_impact),
            "cost_impact",
            export=lambda c: c.cost_impact,
            money=True,
        ),
        Column(
            "Time impact (days)",
            lambda c: str(c.time_impact_days),
            "time_impact_days",
            export=lambda c: c.time_impact_days,
        ),
        Column(
            "Benefits impact",
            lambda c: gbp(c.benefits_impact),
            "benefits_impact",
            export=lambda c: c.benefits_impact,
            money=True,
        ),
        Column("Raised by", lambda c: _person(c.raised_by), detail=True),
        Column("Raised on", lambda c: _date(c.raised_on), "raised_on"),
        Column("Routed to", lambda c: str(c.routed_to or ""), "routed_to__name"),
        Column("Status", lambda c: c.get_status_display(), "status"),
        Column("Baseline before", lambda c: c.baseline_before, detail=True),
        Column("Baseline after", lambda c: c.baseline_after, detail=True),
    ],
)

LOGS = {
    r.key: r
    for r in (RISKS, ASSUMPTIONS, ISSUES, DEPENDENCIES, ACTIONS, DECISIONS, CHANGE_REQUESTS)
}
RAID = [RISKS, ASSUMPTIONS, ISSUES, DEPENDENCIES]


def today() -> date:
    return timezone.localdate()

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
    Escalation,
    Gate,
    Issue,
    Risk,
    score_band,
)

# --- A download's cells as PostgreSQL makes them ---------------------------------------------
# Each function that makes a column's cell from its fields' values has an SQL twin here: the
# same text, as an SQL expression over the fields' columns (a download on PostgreSQL then has
# the database write its rows: core.exports, governance.queries.export_sql). A twin takes each
# field's SQL and gives its expression and parameters; the tests compare both on hostile values.
Sql = tuple[str, list[object]]  # an SQL expression and its parameters
SQL_TWINS: dict[Callable[..., Any], Callable[..., Sql]] = {}
# Twins whose text is always safe as it is: never a formula's start, never a character XML
# cannot carry, never longer than a cell holds (a date, "Yes", a score): a download writes it
# without the guard's work (core.exports.SqlCell's kind "safe").
SAFE_TWINS: set[Callable[..., Any]] = set()


def _twin(
    sql: Callable[..., Sql], safe: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declares ``sql`` the SQL twin of the decorated function (``safe``: see SAFE_TWINS)."""

    def register(show: Callable[..., Any]) -> Callable[..., Any]:
        SQL_TWINS[show] = sql
        if safe:
            SAFE_TWINS.add(show)
        return show

    return register


def _case(value: str, labels: dict[Any, str], otherwise: str) -> Sql:
    """``labels.get(value)`` in SQL, ``otherwise`` where it has none."""
    whens = " ".join("WHEN %s THEN %s" for _ in labels)
    params = [item for pair in labels.items() for item in pair]
    return (f"CASE {value} {whens} ELSE {otherwise} END" if labels else otherwise), params


@_twin(lambda value: (f"COALESCE(to_char({value}, 'FMDD Mon FMYYYY'), '')", []), safe=True)
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
    # The field paths a download reads with ``values_list`` instead of model instances, and
    # what makes the cell from their values (``column`` declares both from one definition).
    fields: tuple[str, ...] = ()
    cell: Callable[..., object] | None = None
    sql: Callable[..., Sql] | None = None  # ``cell``'s SQL twin, if it has one

    def export_value(self, obj: Any) -> object:
        return self.export(obj) if self.export else self.value(obj)


def _walk(obj: Any, path: str) -> Any:
    """``obj.a.b`` for the path ``a__b``; None once a link is empty (a reverse one-to-one that
    is absent raises an AttributeError subclass, read as None too)."""
    for name in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, name, None)
    return obj


@_twin(lambda value: (value, []))  # its type is the field's: a number stays a number
def as_is(value: Any) -> Any:
    return value


def column(
    label: str,
    fields: str | tuple[str, ...],
    show: Callable[..., Any] = as_is,
    sort: str = "",
    *,
    export: Callable[..., object] | None = None,
    **options: Any,
) -> Column:
    """A column declared once by the fields it reads: ``show`` makes the page's text from their
    values and (unless ``export`` is given) the download's cell. The page reads the values from
    the row's model instance, the download from ``values_list``: the same function on the same
    values, so both always agree."""
    paths = (fields,) if isinstance(fields, str) else fields

    def value(obj: Any) -> Any:
        return show(*(_walk(obj, path) for path in paths))

    exported = None
    if export is not None:
        make = export

        def exported(obj: Any) -> object:
            return make(*(_walk(obj, path) for path in paths))

    cell = export or show
    return Column(
        label, value, sort, export=exported, fields=paths, cell=cell, sql=SQL_TWINS.get(cell),
        **options,
    )  # fmt: skip


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


def _labels(model: type[models.Model], name: str) -> Callable[[Any], str]:
    """A choice's label, as ``get_<name>_display`` gives it."""
    labels = {key: str(label) for key, label in model._meta.get_field(name).flatchoices}

    @_twin(lambda value: _case(value, labels, f"{value}::text"))
    def label(value: Any) -> Any:
        return labels.get(value, value)

    return label


def _person_field(path: str) -> str:
    """A person as ``str(user)`` names them (full name, else username), as the database keeps
    it (``User.display_name``)."""
    return f"{path}__display_name"


@_twin(lambda value: (f"COALESCE({value}, '')", []))
def _blank(value: Any) -> Any:
    return "" if value is None else value


@_twin(lambda name: (f"COALESCE({name}, %s)", ["Portfolio RAID log"]))
def _programme_name(name: str | None) -> str:
    return "Portfolio RAID log" if name is None else name


@_twin(lambda value: (f"CASE WHEN {value} THEN 'Yes' ELSE 'No' END", []), safe=True)
def _yes(value: bool) -> str:
    return "Yes" if value else "No"


@_twin(lambda pk: (f"'CR-' || {pk}", []), safe=True)
def _reference(pk: int) -> str:
    return f"CR-{pk}"  # ChangeRequest.reference


@_twin(lambda programme, outside_body: (f"COALESCE({programme}, {outside_body})", []))
def _depends_on(programme: str | None, outside_body: str) -> str:
    return outside_body if programme is None else programme  # Dependency.on


def _programme_column() -> Column:
    return column("Programme", "programme__name", _programme_name, "programme__name", rollup=True)


def _score_column(label: str, kind: str, sort: str = "") -> Column:
    def show_sql(lik: str, imp: str) -> Sql:
        # each of the 25 texts of the 5×5 matrix looked up, not put together (a check
        # constraint, risk_scores_between_1_and_5, holds every score on the matrix)
        matrix = [show(lik, imp) for lik in range(1, 6) for imp in range(1, 6)]
        return f"(%s::text[])[{lik} * 5 + {imp} - 5]", [matrix]

    @_twin(show_sql, safe=True)
    def show(lik: int, imp: int) -> str:
        return f"{lik}×{imp} = {lik * imp} ({score_band(lik * imp)})"

    return column(label, (f"{kind}_likelihood", f"{kind}_impact"), show, sort)


def _owner_column(label: str = "Owner", path: str = "owner", sort: str = "", **kw: Any) -> Column:
    return column(label, _person_field(path), _blank, sort, **kw)


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
        column("Risk", "title", sort="title"),
        _programme_column(),
        column("Cause", "cause", detail=True),
        column("Event", "event", detail=True),
        column("Effect", "effect", detail=True),
        _score_column("Inherent", "inherent"),
        _score_column("Residual", "residual", "residual_likelihood"),
        _score_column("Target", "target"),
        column("Existing controls", "existing_controls", detail=True),
        column("Further action", "further_action", detail=True),
        _owner_column(sort="owner__last_name"),
        column("Review date", "review_date", _date, "review_date"),
        column("Proximity", "proximity", detail=True),
        column("Response", "response", _labels(Risk, "response"), "response"),
        column("Status", "status", _labels(Risk, "status"), "status"),
        column("Escalated", "escalated", _yes, "escalated", detail=True),
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
        column("Assumption", "title", sort="title"),
        _programme_column(),
        column("Description", "description", detail=True),
        _owner_column(sort="owner__last_name"),
        column("Validation date", "validation_date", _date, "validation_date"),
        column("Status", "status", _labels(Assumption, "status"), "status"),
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
        column("Issue", "title", sort="title"),
        _programme_column(),
        column("Description", "description", detail=True),
        column("Priority", "priority", _labels(Issue, "priority"), "priority"),
        _owner_column(sort="owner__last_name"),
        column("Resolution", "resolution", detail=True),
        column("Status", "status", _labels(Issue, "status"), "status"),
        column("From risk", "risk__title", _blank),
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
        column("Dependency", "title", sort="title"),
        _programme_column(),
        column("Depends on", ("depends_on__name", "outside_body"), _depends_on),
        column("Description", "description", detail=True),
        _owner_column(sort="owner__last_name"),
        column("Needed by", "needed_by", _date, "needed_by"),
        column("Status", "status", _labels(Dependency, "status"), "status"),
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
        column("Action", "title", sort="title"),
        _programme_column(),
        column("Description", "description", detail=True),
        _owner_column(sort="owner__last_name"),
        column("Due", "due_date", _date, "due_date"),
        column("Status", "status", _labels(Action, "status"), "status"),
        column("Completed", "completed_on", _date, "completed_on"),
        column("From decision", "decision__summary", _blank),
    ],
)


def _made_by_sql(board: str, recorded_by: str) -> Sql:
    person, params = SQL_TWINS[_blank](recorded_by)
    sql = (
        f"CASE WHEN COALESCE({board}, '') <> '' THEN {board} || ': ' || {person} ELSE {person} END"
    )
    return sql, params * 2


@_twin(_made_by_sql)
def _made_by(board: str | None, recorded_by: str | None) -> str:
    """Who made the decision: the board (or the SRO signing off) and the person recording it."""
    person = _blank(recorded_by)
    return f"{board}: {person}" if board else person


def _escalation(decision: Decision) -> Any:
    """The escalation this decision answered, if any (a reverse one-to-one: absent raises)."""
    return getattr(decision, "escalation", None)


_ESCALATED = _labels(Escalation, "source")


def _source_sql(change_request: str, gate: str, escalated: str) -> Sql:
    gates, gate_params = _case(gate, {g.value: str(g.label) for g in Gate}, gate)
    lowered = {
        key: str(label).lower() for key, label in Escalation._meta.get_field("source").flatchoices
    }
    sources, source_params = _case(escalated, lowered, f"lower({escalated})")
    sql = (
        f"CASE WHEN {change_request} IS NOT NULL THEN 'CR-' || {change_request} "
        f"WHEN {gate} IS NOT NULL THEN {gates} "
        f"WHEN {escalated} IS NOT NULL THEN 'Escalated ' || {sources} ELSE '' END"
    )
    return sql, gate_params + source_params


@_twin(_source_sql)
def _source(change_request: int | None, gate: str | None, escalated: str | None) -> str:
    """What made the decision: a change request, a gate review, an escalation answered, or the
    board by hand."""
    if change_request is not None:
        return _reference(change_request)
    if gate is not None:
        return Gate(gate).label
    if escalated is not None:
        return f"Escalated {_ESCALATED(escalated).lower()}"
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
        column("Decision", "summary", sort="summary"),
        column("Date", "decided_on", _date, "decided_on"),
        _programme_column(),
        column("Forum", "board__name", _blank, "board__name"),
        column("Decision in full", "decision", detail=True),
        column("Rationale", "rationale", detail=True),
        column("Made by", ("board__name", _person_field("recorded_by")), _made_by),
        column(
            "Source", ("change_request__id", "gate_review__gate", "escalation__source"), _source
        ),
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
        column("Reference", "id", _reference, "id"),
        column("Change", "title", sort="title"),
        _programme_column(),
        column("What changes", "kind", _labels(ChangeRequest, "kind"), "kind"),
        column("Cost impact", "cost_impact", gbp, "cost_impact", export=as_is, money=True),
        column("Time impact (days)", "time_impact_days", str, "time_impact_days", export=as_is),
        column(
            "Benefits impact", "benefits_impact", gbp, "benefits_impact", export=as_is, money=True
        ),
        _owner_column("Raised by", "raised_by", detail=True),
        column("Raised on", "raised_on", _date, "raised_on"),
        column("Routed to", "routed_to__name", _blank, "routed_to__name"),
        column("Status", "status", _labels(ChangeRequest, "status"), "status"),
        column("Baseline before", "baseline_before", detail=True),
        column("Baseline after", "baseline_after", detail=True),
    ],
)

LOGS = {
    r.key: r
    for r in (RISKS, ASSUMPTIONS, ISSUES, DEPENDENCIES, ACTIONS, DECISIONS, CHANGE_REQUESTS)
}
RAID = [RISKS, ASSUMPTIONS, ISSUES, DEPENDENCIES]


def today() -> date:
    return timezone.localdate()

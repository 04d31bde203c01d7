"""Reads for the gate pages and the programme history page."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from typing import Any, cast

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.paginator import Page, Paginator
from django.db import connection, connections, models, transaction
from django.db.models import Case, Count, F, Prefetch, Q, Sum, Value, When
from django.db.models.expressions import CombinedExpression, Expression
from django.db.models.functions import Coalesce
from django.http import QueryDict

from accounts.models import User
from accounts.rules import is_pmo as user_is_pmo
from accounts.rules import may_decide_review_step
from benefits.queries import business_cases, programme_business_case
from core import caching
from core.counting import CountedPaginator
from core.exports import CHUNK_SIZE, SqlCell, SqlRows, Table
from portfolio.diffs import text_diff
from portfolio.models import (
    Directorate,
    DocumentSection,
    HighlightReport,
    Milestone,
    MilestoneStatus,
    Portfolio,
    Programme,
    SectionTemplate,
)

from .logs import SAFE_TWINS, Column, Log, as_is, today
from .models import (
    Action,
    AgreedInvestment,
    Board,
    ChangeRequest,
    Decision,
    Dependency,
    Escalation,
    Gate,
    GateReview,
    Lesson,
    LessonStatus,
    LessonTheme,
    LogStatus,
    Outcome,
    RaciActivity,
    RaciAssignment,
    RaciRole,
    ReviewStatus,
    Risk,
    RiskStatus,
    RiskTally,
    SignOff,
    score_band,
)


def gates_page(user: User, page_number: str | None = None) -> dict[str, Any]:
    """The user's queue, their programmes' recent reviews and every open review, oldest first,
    a page at a time (a national portfolio has thousands open)."""
    reviews = GateReview.objects.with_context().oldest_first()
    is_pmo = user_is_pmo(user)
    awaiting = list(reviews.awaiting_user(user))
    open_page = None
    if is_pmo or user.has_perm("governance.view_gates"):
        open_page = Paginator(reviews.open(), PAGE_SIZE).get_page(page_number)
    own = list(reviews.for_team_member(user).order_by("-submitted_at")[:50])
    return {
        "awaiting": awaiting,
        "open_page": open_page,
        "open_reviews": open_page.object_list if open_page else [],
        "own_reviews": own,
        "is_pmo": is_pmo,
    }


def programme_agreements(programme: Programme) -> dict[str, Any]:
    """What the boards agreed (guardrail versions, the Gate 2 investment and expected return)
    beside what the registers now compute (ROI and payback from benefits/finance.py)."""
    return {
        "guardrail_versions": list(programme.guardrail_versions.select_related("set_by")),
        "agreed": programme.agreed_investments.select_related("agreed_by", "review").first(),
        "computed": programme_business_case(programme)["case"],
    }


def _with_agreements(programmes: list[Programme]) -> None:
    """Give each programme its ``agreed`` investment and ``computed`` business case, in a fixed
    number of queries (board packs list several)."""
    ids = [p.pk for p in programmes]
    cases = business_cases(ids)
    agreed: dict[int, AgreedInvestment] = {}
    for row in AgreedInvestment.objects.filter(programme_id__in=ids).order_by("agreed_at", "pk"):
        agreed[row.programme_id] = row  # the latest wins
    for programme in programmes:
        programme.agreed = agreed.get(programme.pk)  # type: ignore[attr-defined]
        programme.computed = cases[programme.pk]  # type: ignore[attr-defined]


def review_page(review: GateReview, user: User) -> dict[str, Any]:
    programme = review.programme
    benefits = list(
        programme.benefits.select_related("owner").annotate(
            planned_total=Sum("profile__planned"), forecast_total=Sum("profile__forecast")
        )
    )
    costs = programme.one_off_costs.aggregate(budget=Sum("budget"), actual=Sum("actual"))
    board = review.deciding_board
    can_decide = may_decide_review_step(user, review)
    decisions = list(Decision.objects.for_programme(programme).with_context())
    previous = (
        review.version.document.versions.filter(number__lt=review.version.number)
        .order_by("-number")
        .first()
    )
    return {
        "review": review,
        "programme": programme,
        "version": review.version,
        "previous_version": previous,
        "sign_offs": list(review.sign_offs.select_related("board", "decided_by", "decision")),
        "benefits": benefits,
        "benefits_planned": sum((b.planned_total or Decimal("0") for b in benefits), Decimal("0")),
        "one_off_budget": costs["budget"] or Decimal("0"),
        "one_off_actual": costs["actual"] or Decimal("0"),
        "risks": list(programme.risks.all()),
        "decisions": decisions,
        "board": board,
        "can_decide": can_decide,
        "sets_terms": review.gate == "gate_1" and review.current_sign_off == SignOff.STB,
        "agrees_investment": review.agrees_investment,
        **programme_agreements(programme),
        "can_withdraw": review.is_open
        and not review.sign_offs.exists()
        and user.has_perm("governance.withdraw_gate_review", programme),
        "outcomes": Outcome,
    }


# A foreign key's readable value in the history: (related model, primary key) -> its name.
Names = dict[tuple[type[models.Model], Any], str]


def _who(record: Any) -> str:
    return str(record.history_user) if record.history_user else "The system"


def _readable(model: type[models.Model], name: str, value: object, names: Names) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):  # history rows copy concrete fields only
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    if value in (None, ""):
        return "—"
    if field.is_relation and field.related_model is not None:
        return names.get((field.related_model, value), str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _field_changes(
    record: Any, previous: Any, fields: list[str], names: Names | None = None
) -> list[dict[str, Any]]:
    model = record.instance_type
    changes = []
    for name in fields:
        old = getattr(previous, name, "") if previous else ""
        new = getattr(record, name, "")
        if old != new and (previous or new not in ("", None, False)):
            label = model._meta.get_field(name).verbose_name
            changes.append({
                "field": str(label).capitalize(),
                "old": _readable(model, name, old, names or {}) if previous else "",
                "new": _readable(model, name, new, names or {}),
            })  # fmt: skip
    return changes


def _history_pairs(records: Iterable[Any]) -> list[tuple[Any, Any]]:
    """(record, previous record of the same object) for history rows oldest first."""
    last: dict[int, Any] = {}
    pairs = []
    for record in records:
        pairs.append((record, last.get(record.id)))
        last[record.id] = record
    return pairs


def programme_history(programme: Programme, limit: int = 300) -> list[dict[str, Any]]:
    """Every recorded change to the programme, its documents, highlight reports and gate
    reviews, newest first, with readable diffs of text."""
    entries: list[dict[str, Any]] = []
    titles = {(t.document, t.key): t.title for t in SectionTemplate.objects.all()}

    programme_records = Programme.history.filter(id=programme.pk).select_related("history_user")
    fields = ["name", "description", "portfolio", "category", "light_touch", "guardrails",
              "stage", "manager", "sro", "directorate"]  # fmt: skip
    records = list(programme_records.order_by("history_date", "history_id"))
    people = {r.manager_id for r in records} | {r.sro_id for r in records}
    names: Names = {(User, u.pk): str(u) for u in User.objects.filter(pk__in=people)}
    names |= {(Portfolio, p.pk): str(p) for p in Portfolio.objects.all()}
    names |= {(Directorate, d.pk): str(d) for d in Directorate.objects.all()}
    for record, previous in _history_pairs(records):
        changes = (
            _field_changes(
                record,
                previous,
                [
                    f"{f}_id" if f in ("portfolio", "manager", "sro", "directorate") else f
                    for f in fields
                ],
                names,
            )
            if previous
            else []
        )
        if previous is not None and not changes:
            continue
        entries.append({
            "when": record.history_date, "who": _who(record),
            "what": "Programme recorded" if previous is None else "Programme changed",
            "changes": changes,
        })  # fmt: skip

    sections = (
        DocumentSection.history.filter(document__programme=programme)
        .select_related("history_user", "document")
        .order_by("history_date", "history_id")
    )
    for record, previous in _history_pairs(sections):
        old = previous.text if previous else ""
        if old == record.text:
            continue  # the empty row a first save creates, or a save that changed nothing
        document = record.document
        title = titles.get((document.kind, record.key), record.key)
        entries.append({
            "when": record.history_date, "who": _who(record),
            "what": f"{document.get_kind_display()}: {title}",
            "about": document,
            "chunks": text_diff(old, record.text),
        })  # fmt: skip

    reports = HighlightReport.history.filter(programme=programme).select_related("history_user")
    report_fields = ["delivery_confidence", "schedule_rag", "budget_rag", "benefits_rag",
                     "risk_rag", "progress", "next_period", "escalations"]  # fmt: skip
    for record, previous in _history_pairs(reports.order_by("history_date", "history_id")):
        entries.append({
            "when": record.history_date, "who": _who(record),
            "what": f"Highlight report, {record.month:%B %Y}",
            "changes": _field_changes(record, previous, report_fields),
        })  # fmt: skip

    reviews = (
        GateReview.history.filter(programme=programme)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    for record, previous in _history_pairs(reviews):
        gate = Gate(record.gate).label
        status = ReviewStatus(record.status).label
        if previous is None:
            what = f"{gate}: submitted"
        elif previous.status != record.status:
            what = f"{gate}: {status.lower()}"
        elif previous.current_sign_off != record.current_sign_off:
            what = f"{gate}: signed off, now with the {SignOff(record.current_sign_off).label}"
        else:
            continue
        entries.append({
            "when": record.history_date, "who": _who(record), "what": what,
            "about": record.instance,
        })  # fmt: skip

    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries[:limit]


PAGE_SIZE = 25


@dataclass
class Row:
    obj: Any
    cells: list[dict[str, Any]]
    flags: list[tuple[str, str]]
    link: str = ""
    can_edit: bool = False
    edit_url: str = ""
    row_url: str = ""
    escalation: Any = None  # the open escalation of this action or issue, if any
    can_escalate: bool = False

    @property
    def shown(self) -> list[dict[str, Any]]:
        return [c for c in self.cells if not c["detail"]]

    @property
    def details(self) -> list[dict[str, Any]]:
        return [c for c in self.cells if c["detail"] and c["value"]]


def make_row(log: Log, obj: Any, day: Any = None, columns: list | None = None) -> Row:
    cells = [
        {"label": c.label, "value": c.value(obj), "detail": c.detail}
        for c in (log.columns if columns is None else columns)
    ]
    link = log.link(obj) if log.link else ""
    return Row(obj, cells, log.flags(obj, day or today()), link=link)


# The logs whose rows are escalated one by one (EscalationSource values).
ESCALATED_REGISTERS = {"actions": "action", "issues": "issue"}


def open_escalations_of(source: str, ids: Iterable[int]) -> dict[int, Escalation]:
    """The open escalation of each of these actions or issues (by the item's id), one query."""
    rows = Escalation.objects.open().filter(source=source, source_id__in=list(ids))
    return {e.source_id: e for e in rows.select_related("board").order_by("raised_at", "pk")}


def filtered_rows(
    log: Log, scope: Programme | Portfolio | None, params: QueryDict
) -> tuple[Any, models.QuerySet, str]:
    """(filter form, filtered and sorted rows, the sort key in force) for a log and its GET."""
    # Its own ids ("filter-owner"): the page can hold an edit form with the same fields.
    form = log.filter_form(params or None, auto_id="filter-%s")
    data = form.cleaned_data if form.is_valid() else {}
    qs = log.filter(log.rows(scope), data)
    sort = params.get("sort", "")
    keys = {c.sort for c in log.columns if c.sort}
    if sort.lstrip("-") in keys:
        qs = qs.order_by(sort, "pk")
    else:
        sort = ""
        qs = qs.order_by(*(log.model._meta.ordering or []), "pk")
    return form, qs, sort


def log_table(log: Log, scope: Programme | Portfolio | None, params: QueryDict) -> Table:
    """A log's download: the page's columns and the rows its filters select, in its sort order,
    read from the database as they are written: plain values (``values_list``), no model
    instances."""
    _form, qs, _sort = filtered_rows(log, scope, params)
    columns = log.columns_for(scope)
    return Table(
        slug=f"{getattr(scope, 'slug', 'portfolio')}-{log.key}",
        title=log.title,
        headers=[c.label for c in columns],
        rows=export_rows(qs, columns),
        sql=export_sql(qs, columns),
        money_columns=frozenset(i for i, c in enumerate(columns) if c.money),
    )


def export_rows(qs: models.QuerySet, columns: list[Column]) -> Iterator[Sequence[object]]:
    """Each row's cells, made by each column's ``cell`` from the values of its ``fields``,
    read ``CHUNK_SIZE`` rows at a time (each field path read once however many columns use
    it). A chunk is made a column at a time: a plain field's values are taken as they are,
    and a column's ``cell`` is made once for each distinct value where most of a chunk's
    values repeat (up to ``CELL_MEMORY`` of them remembered): a cell is a function of its
    fields' values alone, and scores, dates and labels repeat down a column."""
    paths = list(dict.fromkeys(path for c in columns for path in c.fields))
    slot = {path: i for i, path in enumerate(paths)}
    exact = {path: _equal_values_read_alike(qs.model, path) for path in paths}
    makers = [
        _column_of(c.cell, [slot[path] for path in c.fields], all(exact[p] for p in c.fields))
        for c in columns
    ]
    # In a transaction, PostgreSQL's cursor hands rows over as the query makes them; outside
    # one, Django declares it WITH HOLD and the server first copies the whole result aside.
    # (Opened only where none is: a download left unread then rolls back only its own.)
    with transaction.atomic() if connection.get_autocommit() else nullcontext():
        rows = qs.values_list(*paths).iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(islice(rows, CHUNK_SIZE)):
            fields = list(zip(*chunk, strict=True))
            yield from zip(*(make(fields) for make in makers), strict=True)


def export_sql(qs: models.QuerySet, columns: list[Column]) -> SqlRows | None:
    """The rows ``export_rows`` makes, as PostgreSQL makes them: the same query's fields, each
    column's cell made from them by its ``cell``'s SQL twin (``governance.logs``). None off
    PostgreSQL, or where a column has no twin (``export_rows`` then makes every row)."""
    if connections[qs.db].vendor != "postgresql":
        return None
    paths = list(dict.fromkeys(path for c in columns for path in c.fields))
    names = {path: f"t.f{i}" for i, path in enumerate(paths)}
    cells = []
    for c in columns:
        kind = _cell_kind(qs.model, c.fields[0]) if c.cell is as_is else "text"
        kind = "safe" if c.cell in SAFE_TWINS else kind
        if c.sql is None or kind is None or (c.cell is as_is and len(c.fields) != 1):
            return None
        sql, params = c.sql(*(names[path] for path in c.fields))
        cells.append(SqlCell(sql, params, kind))
    query, query_params = qs.values_list(*paths).query.sql_with_params()
    aliases = ", ".join(f"f{i}" for i in range(len(paths)))
    return SqlRows(f"({query}) AS t({aliases})", query_params, cells, qs.db)


def _cell_kind(model: type[models.Model], path: str) -> str | None:
    """What a field's value is as a cell: "text", "decimal" or "integer" (None: another kind,
    that has no SQL twin)."""
    field = _field(model, path)
    if isinstance(field, models.CharField | models.TextField):
        return "text"
    if isinstance(field, models.DecimalField):
        return "decimal"
    if isinstance(field, models.IntegerField | models.AutoField):
        return "integer"
    return None


def _field(model: type[models.Model], path: str) -> Any:
    """The field at the end of a path (a relation's: its key)."""
    field: Any = None
    for name in path.split("__"):
        field = model._meta.get_field(name)
        model = field.related_model or model
    if field.is_relation:
        field = field.target_field if hasattr(field, "target_field") else None
    return field


CELL_MEMORY = 4096  # values whose cell a download remembers, per column


def _column_of(
    show: Any, at: list[int], remember: bool
) -> Callable[[list[tuple]], Iterable[object]]:
    """What makes one column of a chunk from the chunk's fields (a tuple of values each)."""
    if len(at) == 1 and show is as_is:
        return itemgetter(at[0])
    if not remember:
        return lambda fields: map(show, *(fields[i] for i in at))
    cells: dict[Any, object] = {}  # the cell made for each value (or tuple of values) seen

    def column(fields: list[tuple]) -> Iterable[object]:
        keys = fields[at[0]] if len(at) == 1 else list(zip(*(fields[i] for i in at), strict=True))
        try:
            distinct = set(keys)
        except TypeError:  # values that cannot be looked up (a JSON field's lists)
            return map(show, *(fields[i] for i in at))
        if len(distinct) * 2 > len(keys):  # mostly different values: nothing to save
            return map(show, *(fields[i] for i in at))
        new = distinct.difference(cells)
        if len(cells) + len(new) > CELL_MEMORY:
            cells.clear()
            new = distinct
        if len(at) == 1:
            cells.update(zip(new, map(show, new), strict=True))
        else:
            cells.update((key, show(*key)) for key in new)
        return map(cells.__getitem__, keys)

    return column


def _equal_values_read_alike(model: type[models.Model], path: str) -> bool:
    """Whether two equal values of this field path always show alike, so a cell made from one
    can be reused for the other: not so for decimals and floats (``Decimal("1.0")`` equals
    ``Decimal("1.00")``, ``-0.0`` equals ``0.0``)."""
    return not isinstance(_field(model, path), models.DecimalField | models.FloatField)


def _scope_key(scope: Programme | Portfolio | None) -> str:
    return "all" if scope is None else f"{type(scope).__name__}:{scope.pk}"


def _log_paginator(
    log: Log, scope: Programme | Portfolio | None, params: QueryDict, form: Any, qs: models.QuerySet
) -> Paginator:
    """The page's paginator. A programme's log is counted by its programme's index. Over a
    portfolio or the whole portfolio a count grows with it (80,000 risks at 5,000 programmes):
    the risks, unfiltered or filtered by status and residual rating alone (as the heat map's
    cells link to them), are counted from the counts the database keeps (``risk_counts``);
    any other count is kept (``core.caching``) until anything is saved, per log, scope and
    filters."""
    if isinstance(scope, Programme):
        return Paginator(qs, PAGE_SIZE)
    data = form.cleaned_data if form.is_valid() else {}  # as ``filtered_rows`` reads them
    wider = cast(Portfolio | None, scope)  # not a programme (mypy: Programme's base is untyped)
    if log.model is Risk and (tallied := _tallied_count(wider, data)) is not None:
        return CountedPaginator(qs, PAGE_SIZE, count=tallied)
    filters = sorted((k, v) for k, v in params.lists() if k not in ("page", "sort"))
    count = caching.cached(
        "governance:log-count", [log.key, _scope_key(scope), repr(filters)], qs.count
    )
    return CountedPaginator(qs, PAGE_SIZE, count=count)


TALLIED_FILTERS = ("status", "likelihood", "impact")  # RiskTally's own keys


def _tallied_count(scope: Portfolio | None, data: dict[str, Any]) -> int | None:
    """How many risks the log lists, from ``risk_counts``, when its filters (``data``, the
    form's cleaned data) choose nothing but a status and a residual rating; else None."""
    chosen = {name: value for name, value in data.items() if value not in ("", None)}
    if not set(chosen) <= set(TALLIED_FILTERS):
        return None
    total = 0
    for key, n in risk_counts(scope).items():
        parts = dict(zip(TALLIED_FILTERS, key, strict=True))
        if all(parts[name] == value for name, value in chosen.items()):
            total += n
    return total


def risk_counts(portfolio: Portfolio | None) -> dict[tuple[str, int, int], int]:
    """How many risks the whole portfolio (None) or one portfolio holds in each status at each
    residual likelihood and impact, as the database keeps them (``RiskTally``, moved by every
    write to a risk): at most a hundred rows a portfolio, however many risks. One query."""
    rows = RiskTally.objects.order_by()
    if portfolio is not None:
        rows = rows.filter(portfolio_key=portfolio.pk)
    totals = rows.values_list("status", "likelihood", "impact").annotate(total=Sum("n"))
    return {(status, likelihood, impact): n for status, likelihood, impact, n in totals if n}


def log_page(log: Log, scope: Programme | Portfolio | None, params: QueryDict) -> dict[str, Any]:
    form, qs, sort = filtered_rows(log, scope, params)
    page: Page = _log_paginator(log, scope, params, form, qs).get_page(params.get("page"))
    day = today()
    columns = log.columns_for(scope)
    rows = [make_row(log, obj, day, columns) for obj in page.object_list]
    headers = [
        {
            "label": c.label,
            "sort": c.sort,
            "current": sort.lstrip("-") == c.sort if c.sort else False,
            "descending": sort.startswith("-"),
        }
        for c in columns
        if not c.detail
    ]
    return {
        "log": log,
        "filter_form": form,
        "page": page,
        "rows": rows,
        "headers": headers,
        "sort": sort,
        "total": page.paginator.count,
    }


# --- Heat map -----------------------------------------------------------------------------------
def heat_map(risks: models.QuerySet) -> dict[str, Any]:
    """A 5×5 grid of open risks by residual likelihood (rows, 5 at the top) × impact (columns),
    each cell a count and a band (templates/governance/_heat_map.html links each cell to the risk
    list filtered to it and colours it by band). One query; ``COUNT(*)``, not of the key, so that
    PostgreSQL reads the whole portfolio's from the index ``open_risks_by_residual`` alone."""
    counts = {
        (row["residual_likelihood"], row["residual_impact"]): row["n"]
        for row in risks.filter(status=RiskStatus.OPEN)
        .order_by()
        .values("residual_likelihood", "residual_impact")
        .annotate(n=Count("*"))
    }
    return _heat_grid(counts)


def tallied_heat_map(portfolio: Portfolio | None) -> dict[str, Any]:
    """``heat_map`` of every open risk of the whole portfolio (None) or of one portfolio, from
    the counts the database keeps (``risk_counts``): the same grid, read from at most a hundred
    rows a portfolio."""
    counts = risk_counts(portfolio)
    return _heat_grid(
        {(likelihood, impact): n for (status, likelihood, impact), n in counts.items()
         if status == RiskStatus.OPEN}
    )  # fmt: skip


def _heat_grid(counts: dict[tuple[int, int], int]) -> dict[str, Any]:
    rows = []
    for likelihood in range(5, 0, -1):
        cells = []
        for impact in range(1, 6):
            band = score_band(likelihood * impact)
            cells.append(
                {
                    "likelihood": likelihood,
                    "impact": impact,
                    "count": counts.get((likelihood, impact), 0),
                    "band": band,
                }
            )
        rows.append({"likelihood": likelihood, "cells": cells})
    return {"rows": rows, "impacts": range(1, 6), "total": sum(counts.values())}


def log_heat_map(log: Log, scope: Programme | Portfolio | None) -> dict[str, Any]:
    """``heat_map`` of a log's risks in this scope: a programme's from its risks, a portfolio's
    or the whole portfolio's from the counts the database keeps."""
    if isinstance(scope, Programme):
        return heat_map(log.rows(scope))
    return tallied_heat_map(cast(Portfolio | None, scope))  # as in ``_log_paginator``


# --- Board pack ---------------------------------------------------------------------------------
def board_remit(board: Board) -> models.QuerySet:
    """The programmes a board oversees: STB and the Delivery Board see every programme."""
    if board.sees_whole_portfolio:
        return Programme.objects.all()
    if board.programme_id:
        return Programme.objects.filter(pk=board.programme_id)
    if board.portfolio_id:
        return Programme.objects.filter(portfolio_id=board.portfolio_id)
    return Programme.objects.none()


def board_pack_sections(board: Board) -> dict[str, models.QuerySet]:
    """The board pack's five lists as querysets, in the pack's order (the page, the PDF and the
    workbook read them)."""
    remit = board_remit(board)
    risks = Risk.objects.open().escalated().select_related("programme", "owner")
    if not board.sees_whole_portfolio:
        risks = risks.filter(
            Q(programme__in=remit) | Q(programme__isnull=True, portfolio_id=board.portfolio_id)
        )
    return {
        "gate_reviews": GateReview.objects.awaiting_board(board)
        .select_related("programme", "version")
        .order_by("submitted_at", "pk"),
        "change_requests": ChangeRequest.objects.awaiting_board(board).with_context(),
        "escalated_risks": risks.order_by("-residual_likelihood", "title", "pk"),
        "escalations": Escalation.objects.open()
        .to_board(board)
        .with_context()
        .order_by("raised_at", "pk"),
        "overdue_actions": Action.objects.overdue()
        .filter(programme__in=remit)
        .with_context()
        .order_by("due_date", "pk"),
    }


def board_pack(board: Board, limit: int | None = None) -> dict[str, Any]:
    """Everything the board's next meeting considers, in a fixed number of queries: each list
    (its first ``limit`` rows when given, so the page and the PDF do not grow with the
    portfolio) and in ``totals`` how many rows each has."""
    sections = board_pack_sections(board)
    rows = {
        key: list(queryset if limit is None else queryset[:limit])
        for key, queryset in sections.items()
    }
    if limit is None:
        totals = {key: len(found) for key, found in rows.items()}
    else:
        totals = {
            key: len(found) if len(found) < limit else sections[key].count()
            for key, found in rows.items()
        }
    _with_agreements([review.programme for review in rows["gate_reviews"]])
    return {"board": board, **rows, "totals": totals, "limit": limit, "today": today()}


def board_pack_tables(board: Board) -> list[Table]:
    """Every row of the board pack's lists, one sheet each (the pack's workbook appendix),
    read from the database a chunk at a time."""
    sections = board_pack_sections(board)

    def rows(key: str, row: Any) -> Iterable[list[Any]]:
        return (row(item) for item in sections[key].iterator(chunk_size=CHUNK_SIZE))

    return [
        Table(
            "gate-reviews", "Gate reviews",
            ["Programme", "Gate", "Document version", "Submitted"],
            rows("gate_reviews", lambda r: [
                str(r.programme), r.gate_label, str(r.version or ""), r.submitted_at,
            ]),
        ),
        Table(
            "change-requests", "Change requests",
            ["Reference", "Change request", "Programme", "Cost (£)", "Time (days)",
             "Benefits (£)", "Raised by", "Raised on"],
            rows("change_requests", lambda c: [
                c.reference, c.title, str(c.programme), c.cost_impact, c.time_impact_days,
                c.benefits_impact, str(c.raised_by or ""), c.raised_on,
            ]),
            money_columns=frozenset({3, 5}),
        ),
        Table(
            "escalated-risks", "Escalated risks",
            ["Risk", "Programme", "Residual likelihood", "Residual impact", "Residual score",
             "Owner", "Further action"],
            rows("escalated_risks", lambda r: [
                r.title, str(r.programme or "Portfolio RAID log"), r.residual_likelihood,
                r.residual_impact, r.residual_score, str(r.owner or ""), r.further_action,
            ]),
        ),
        Table(
            "escalations", "Escalations",
            ["Programme", "Escalated", "Asked of the board", "Raised", "Raised by"],
            rows("escalations", lambda e: [
                str(e.programme), e.title, e.ask, e.raised_at, str(e.raised_by or ""),
            ]),
        ),
        Table(
            "overdue-actions", "Overdue actions",
            ["Action", "Programme", "Owner", "Was due"],
            rows("overdue_actions", lambda a: [
                a.title, str(a.programme or "Portfolio"), str(a.owner or ""), a.due_date,
            ]),
        ),
    ]  # fmt: skip


# --- My actions ---------------------------------------------------------------------------------
def my_actions(user: User, page_number: str | None = None) -> dict[str, Any]:
    """The user's outstanding actions, soonest due first, a page at a time; each carries its
    ``overdue`` flag from the query and its open escalation, if any; the overdue count is one
    more query (three or four in all, however many actions the user owns)."""
    day = today()
    mine = Action.objects.owned_by(user)
    actions = mine.outstanding().with_overdue(day).with_context().order_by("due_date", "pk")
    page: Page = Paginator(actions, PAGE_SIZE).get_page(page_number)
    shown = list(page.object_list)
    waiting = open_escalations_of("action", (a.pk for a in shown))
    for action in shown:  # its open escalation, if any (the page shows it or offers one)
        action.open_escalation = waiting.get(action.pk)
    return {
        "page": page,
        "actions": shown,
        "overdue_count": mine.overdue(day).count(),
        "today": day,
    }


# --- RACI ---------------------------------------------------------------------------------------
def raci_grid(
    programme: Programme, extra_people: list[str] | None = None, posted: QueryDict | None = None
) -> dict[str, Any]:
    """Activities (rows) × people (columns) with each cell's letter. ``extra_people`` adds
    columns (usernames); ``posted`` shows what was just submitted (when it did not save)."""
    activities = list(
        RaciActivity.objects.filter(programme=programme).prefetch_related(
            Prefetch("cells", queryset=RaciAssignment.objects.select_related("person"))
        )
    )
    people_ids = {programme.manager_id, programme.sro_id} - {None}
    for activity in activities:
        people_ids |= {cell.person_id for cell in activity.cells.all()}
    people = list(
        User.objects.filter(Q(pk__in=people_ids) | Q(username__in=extra_people or []))
        .exclude(groups__name="Scrutiny member")
        .order_by("first_name", "last_name")
    )
    rows = []
    for activity in activities:
        letters = {cell.person_id: cell.role for cell in activity.cells.all()}
        if posted is not None:
            letters = {p.pk: posted.get(f"cell-{activity.pk}-{p.pk}", "") for p in people}
        rows.append(
            {
                "activity": activity,
                "cells": [
                    {
                        "person": p,
                        "role": letters.get(p.pk, ""),
                        "name": f"cell-{activity.pk}-{p.pk}",
                    }
                    for p in people
                ],
            }
        )
    others = (
        User.objects.filter(is_active=True)
        .exclude(pk__in=[p.pk for p in people])
        .exclude(groups__name="Scrutiny member")
        .order_by("first_name", "last_name")
    )
    return {
        "activities": activities,
        "people": people,
        "rows": rows,
        "roles": RaciRole.choices,
        "others": others,
    }


# --- the lessons-learned library ----------------------------------------------------------------

LESSONS_PER_PAGE = 20
SIMILAR_LESSONS_SHOWN = 5


def lesson_search_vector() -> CombinedExpression:
    """The lesson's words, its title weighted highest: the expression PostgreSQL stores in the
    generated column ``search_vector`` (migration 0021_lessons_stored_search_vector, where it
    is written out in SQL; a test asserts the two agree)."""
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("what_happened", "next_time", weight="B", config="english")
        + SearchVector("why", "adopted_change", weight="C", config="english")
    )


class StoredSearchVector(Expression):
    """The lesson's stored words (``search_vector``, PostgreSQL only: a generated column the
    model does not declare, since SQLite has none), read from the query's own table, so it
    also works where the lessons are a subquery. Ranking reads these instead of rebuilding
    every match's words from its texts (make bench, issue #22)."""

    output_field = SearchVectorField()

    # Params as a list, as Django's own columns give them: the search lookup adds them to the
    # query's list (the stubs say a tuple).
    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_vector", []


@dataclass(frozen=True)
class LessonFilters:
    """What /lessons/ is asked for; every field optional."""

    text: str = ""
    directorate: Directorate | None = None
    theme: LessonTheme | None = None
    category: str = ""
    stage: str = ""
    polarity: str = ""
    status: str = ""
    programme: Programme | None = None
    similar_to: Programme | None = None

    @property
    def narrowed(self) -> bool:
        """Whether any word or filter is given (else the page lists the whole library)."""
        return self != LessonFilters()


def _text_filter(lessons: models.QuerySet[Lesson], text: str) -> models.QuerySet[Lesson]:
    """PostgreSQL: full-text search ranked by relevance (title words count most). Elsewhere
    (SQLite, for development): every word must appear in one of the texts; newest first."""
    if search_is_ranked():
        query = SearchQuery(text, config="english", search_type="websearch")
        vector = StoredSearchVector()
        return (
            lessons.alias(search=vector)
            .filter(search=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "-recorded_at", "-pk")
        )
    fields = ("title", "what_happened", "why", "next_time", "adopted_change")
    for word in text.split()[:20]:
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        lessons = lessons.filter(match)
    return lessons


def search_is_ranked() -> bool:
    """Whether a text search comes back most relevant first (PostgreSQL) or newest first."""
    return connection.vendor == "postgresql"


def similar_lessons(programme: Programme) -> models.QuerySet[Lesson]:
    """Lessons of OTHER programmes in the same directorate or category, or sharing a theme with
    the lessons this programme has recorded (merged duplicates left out)."""
    similar = Q()
    if programme.directorate_id:
        similar |= Q(directorate_id=programme.directorate_id)
    if programme.category:
        similar |= Q(category=programme.category)
    own_themes = LessonTheme.objects.filter(lessons__programme=programme).values("pk")
    similar |= Q(pk__in=Lesson.objects.filter(themes__in=own_themes).values("pk"))
    return Lesson.objects.current().exclude(programme=programme).filter(similar)


def lesson_search(filters: LessonFilters) -> models.QuerySet[Lesson]:
    """The lessons matching ``filters``, with what a list shows (a fixed number of queries)."""
    if filters.similar_to is not None:
        lessons = similar_lessons(filters.similar_to)
    else:
        lessons = Lesson.objects.all()
    if filters.status:
        lessons = lessons.filter(status=filters.status)
    else:
        lessons = lessons.exclude(status=LessonStatus.MERGED)
    if filters.directorate is not None:
        lessons = lessons.filter(directorate=filters.directorate)
    if filters.theme is not None:
        lessons = lessons.filter(pk__in=filters.theme.lessons.values("pk"))
    if filters.programme is not None:
        lessons = lessons.filter(programme=filters.programme)
    for name in ("category", "stage", "polarity"):
        if value := getattr(filters, name):
            lessons = lessons.filter(**{name: value})
    lessons = lessons.select_related("programme", "directorate").prefetch_related("themes")
    if filters.text.strip():
        lessons = _text_filter(lessons, filters.text.strip())
    return lessons


def lessons_page(filters: LessonFilters, page_number: str | None) -> Page:
    """A page of the library: its lessons found by key first (the search ranks and sorts narrow
    rows of the lesson table alone), then only those read with their programme, directorate and
    themes. Joining every match to its programme before the sort made a search that matches
    thousands of lessons read every programme (make bench, issue #22). The same lessons in the
    same order as slicing the search itself; one query more than that would take, none added:
    the page's keys are a subquery of the page's query."""
    lessons = lesson_search(filters)
    page = Paginator(lessons, LESSONS_PER_PAGE).get_page(page_number)
    first = (page.number - 1) * LESSONS_PER_PAGE
    keys = lessons.values("pk")[first : first + LESSONS_PER_PAGE]
    page.object_list = lessons.filter(pk__in=keys)
    return page


def lesson_page(lesson: Lesson) -> dict[str, Any]:
    """A lesson, its duplicates merged into it, and the lessons it could be merged into."""
    candidates = (
        Lesson.objects.current()
        .exclude(pk=lesson.pk)
        .filter(Q(programme=lesson.programme) | Q(directorate=lesson.directorate_id))
        .select_related("programme")[:100]
        if not lesson.is_merged
        else []
    )
    return {
        "lesson": lesson,
        "duplicates": list(lesson.duplicates.select_related("programme")),
        "merge_candidates": list(candidates),
    }


# --- Cross-programme dependencies ------------------------------------------------------------
DEPENDENCIES_PER_PAGE = 50
NOT_NEEDED_BY = date(9999, 12, 31)  # sorts a dependency with no date after every dated one


@dataclass(frozen=True)
class WaitingOn:
    """One programme waiting on another: through a milestone of its plan that depends on the
    other's milestone, or through an open dependency on its RAID log."""

    waiting: Programme
    on: Programme
    what: str
    needed_by: date | None
    expected: date | None  # the other programme's milestone's forecast (None: a RAID entry)
    days_late: int
    milestone: Milestone | None = None
    dependency: Dependency | None = None

    @property
    def is_late(self) -> bool:
        return self.days_late > 0


def _waiting_sources() -> tuple[models.QuerySet, models.QuerySet]:
    """Every open cross-programme dependency, annotated with ``late`` (1 or 0) and ``needed``
    (the date it is needed by): milestones of plans, and RAID dependencies."""
    day = today()
    milestones = (
        Milestone.objects.filter(depends_on__isnull=False, completed_on__isnull=True)
        .exclude(status=MilestoneStatus.COMPLETE)
        .annotate(
            kind=Value("milestone", output_field=models.CharField()),
            late=Case(
                When(
                    depends_on__completed_on__isnull=True,
                    depends_on__due_date__gt=F("due_date"),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=models.IntegerField(),
            ),
            needed=F("due_date"),
        )
    )
    raid = Dependency.objects.filter(depends_on__isnull=False, status=LogStatus.OPEN).annotate(
        kind=Value("dependency", output_field=models.CharField()),
        late=Case(
            When(needed_by__lt=day, then=Value(1)),
            default=Value(0),
            output_field=models.IntegerField(),
        ),
        needed=Coalesce("needed_by", Value(NOT_NEEDED_BY), output_field=models.DateField()),
    )
    return milestones, raid


def _waiting_keys() -> models.QuerySet:
    """(kind, pk, late, needed) of both sources, late ones first and then by the date needed:
    one union, so the page is ordered and counted in the database."""
    milestones, raid = _waiting_sources()
    columns = ("kind", "pk", "late", "needed")
    return (
        milestones.order_by()
        .values_list(*columns)
        .union(raid.order_by().values_list(*columns), all=True)
        .order_by("-late", "needed", "kind", "pk")
    )


def portfolio_dependencies(page_number: str | None = None) -> dict[str, Any]:
    """Which programme waits on which, late ones first, a page at a time. A milestone is late
    when the milestone it waits on is forecast after its own forecast; a RAID dependency when
    it is still open after the date it was needed by."""
    page = Paginator(_waiting_keys(), DEPENDENCIES_PER_PAGE).get_page(page_number)
    keys = list(page.object_list)
    milestone_ids = [pk for kind, pk, _, _ in keys if kind == "milestone"]
    dependency_ids = [pk for kind, pk, _, _ in keys if kind == "dependency"]
    milestones = Milestone.objects.select_related("programme", "depends_on__programme").in_bulk(
        milestone_ids
    )
    dependencies = Dependency.objects.select_related("programme", "depends_on").in_bulk(
        dependency_ids
    )
    day = today()
    rows = []
    for kind, pk, _, _ in keys:
        if kind == "milestone":
            milestone = milestones.get(pk)
            if milestone is None:
                continue
            upstream = milestone.depends_on
            if upstream is None:  # cleared since the page was counted
                continue
            slip = (upstream.due_date - milestone.due_date).days
            late = 0 if upstream.completed_on else max(slip, 0)
            rows.append(
                WaitingOn(
                    waiting=milestone.programme, on=upstream.programme,
                    what=f"{milestone.title} waits on {upstream.title}",
                    needed_by=milestone.due_date,
                    expected=upstream.completed_on or upstream.due_date,
                    days_late=late, milestone=milestone,
                )
            )  # fmt: skip
        else:
            dependency = dependencies.get(pk)
            if dependency is None or dependency.depends_on is None:
                continue
            needed = dependency.needed_by
            rows.append(
                WaitingOn(
                    waiting=dependency.programme, on=dependency.depends_on, what=dependency.title,
                    needed_by=needed, expected=None,
                    days_late=max((day - needed).days, 0) if needed else 0, dependency=dependency,
                )
            )  # fmt: skip
    return {"page": page, "rows": rows, "late_count": _late_count()}


def _late_count() -> int:
    milestones, raid = _waiting_sources()
    return milestones.filter(late=1).count() + raid.filter(late=1).count()

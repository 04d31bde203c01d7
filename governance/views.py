"""Governance log pages: thin views that authorise, parse, call one service or query, render.

A log page renders whole, or (for htmx) only the fragment it swaps: the results, a row, or a
row's edit form. Every hx-get/hx-post has a plain link or form action behind it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policies import authorise, policy
from accounts.rules import PORTFOLIO_LOGS
from core.errors import ServiceError, show_service_error
from core.exports import FORMATS, download, xlsx_response
from core.numbers import whole_number
from notifications import services as notification_services
from notifications.forms import WebhookForm
from notifications.queries import undelivered_about, webhook_of
from portfolio.models import Portfolio, Programme, Stage

from . import administration, escalations, lessons, packs, queries, services, slides
from .forms import (
    BoardCreateForm,
    BoardForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    ClosureChecklistForm,
    DecideForm,
    DecisionForm,
    EscalationForm,
    EscalationResponseForm,
    GatePolicyForm,
    LessonAdoptForm,
    LessonFilterForm,
    LessonForm,
    LessonMergeForm,
    ProgrammeSettingsForm,
    ProgrammeStatusForm,
    RaciColumnsForm,
    RaciGridForm,
    RaidImportForm,
    ReportingCalendarForm,
    TermsOfReferenceForm,
    ThresholdsForm,
)
from .imports import BACKGROUND_BYTES, HEADERS, MAX_BYTES, raid_import, template_table
from .logs import LOGS, RAID, Log
from .models import (
    Board,
    ChangeRequest,
    Escalation,
    EscalationSource,
    GatePolicy,
    GateReview,
    Lesson,
    RaidImport,
    Risk,
)
from .queries import gates_page, programme_history, review_page
from .services import (
    gate_policy_update,
    gate_review_decide,
    gate_review_submit,
    gate_review_withdraw,
    programme_status_decide,
)


@require_GET
@policy("governance.view_gates")
def gate_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "governance/gate_list.html", gates_page(request.user, request.GET.get("page"))
    )


@require_http_methods(["GET", "POST"])
@policy("governance.view_gates")
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(GateReview.objects.with_context(), pk=pk)
    context = review_page(review, request.user)
    form = DecideForm(
        request.POST or None,
        initial={"step": review.current_step},
        sets_terms=context["sets_terms"],
        agrees_investment=context["agrees_investment"],
    )
    if request.method == "POST":
        authorise(request.user, "governance.decide_gate_review", review.programme)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = gate_review_decide(
                    review=review, step=data["step"], outcome=data["outcome"],
                    reasons=data["reasons"], conditions=data["conditions"], actor=request.user,
                    portfolio=data.get("portfolio"), category=data.get("category", ""),
                    guardrails=data.get("guardrails", ""), investment=data.get("investment"),
                    expected_return=data.get("expected_return"),
                    return_period_years=data.get("return_period_years"),
                )  # fmt: skip
            except ServiceError as error:
                show_service_error(request, error)
                return redirect(review)
            messages.success(request, _decided_message(review))
            return redirect(review)
    context["form"] = form
    context["undelivered"] = undelivered_about(review)
    return render(request, "governance/review_detail.html", context)


def _decided_message(review: GateReview) -> str:
    if review.is_open:
        return f"Decision recorded. The review is now with {review.with_whom}."
    programme = review.programme
    where = "closed" if programme.stage == Stage.CLOSED else f"in {programme.stage_label}"
    return (
        f"Decision recorded: {review.gate_label} {review.status_label.lower()}. "
        f"{programme} is {where}."
    )


@require_POST
@policy("portfolio.view_programme")
def review_submit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug)
    authorise(request.user, "governance.submit_gate_review", programme)
    try:
        review = gate_review_submit(programme=programme, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
        kind = programme.current_document_kind
        return (
            redirect("portfolio:document_edit", slug=slug, document=kind)
            if kind
            else redirect(programme)
        )
    messages.success(
        request,
        f"{review.version} submitted for {review.gate_label}. It is with {review.with_whom}.",
    )
    return redirect(review)


@require_POST
@policy("governance.view_gates")
def review_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(GateReview.objects.with_context(), pk=pk)
    authorise(request.user, "governance.withdraw_gate_review", review.programme)
    try:
        gate_review_withdraw(review=review, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        messages.success(request, "Submission withdrawn. The document is back in draft.")
    return redirect(review)


@require_GET
@policy("governance.view_gates")
def gate_policy_list(request: HttpRequest) -> HttpResponse:
    policies = GatePolicy.objects.in_gate_order()
    return render(request, "governance/gate_policy_list.html", {"policies": policies})


@require_http_methods(["GET", "POST"])
@policy("governance.change_gate_policy")
def gate_policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    gate_policy = get_object_or_404(GatePolicy, pk=pk)
    form = GatePolicyForm(request.POST or None, policy=gate_policy)
    if request.method == "POST" and form.is_valid():
        try:
            gate_policy_update(policy=gate_policy, sign_offs=form.sign_offs, actor=request.user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Gate policy for {gate_policy} updated.")
            return redirect("governance:gate_policy_list")
    return render(
        request, "governance/gate_policy_edit.html", {"policy": gate_policy, "form": form}
    )


@require_http_methods(["GET", "POST"])
@policy("portfolio.view_programme")
def programme_status(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    authorise(request.user, "governance.decide_programme_status", programme)
    form = ProgrammeStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_status_decide(
                programme=programme, move=form.cleaned_data["move"],
                board=form.cleaned_data["board"], reasons=form.cleaned_data["reasons"],
                actor=request.user,
            )  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Decision recorded: {programme} is {programme.stage_label}.")
            return redirect(programme)
    return render(
        request, "governance/programme_status.html", {"programme": programme, "form": form}
    )


@require_GET
@policy("portfolio.view_programme")
def programme_history_page(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    context = {"programme": programme, "entries": programme_history(programme)}
    return render(request, "governance/programme_history.html", context)


EDIT = "governance.change_logs"


# --- Helpers ------------------------------------------------------------------------------------
def _log(kind: str) -> Log:
    if kind not in LOGS:
        raise Http404
    return LOGS[kind]


def _name(log: Log, view: str) -> str:
    return f"governance:{log.key.replace('-', '_')}_{view}"


def _programme(slug: str | None) -> Programme | None:
    if slug is None:
        return None
    return get_object_or_404(Programme.objects.with_people(), slug=slug)


def _entry_urls(log: Log, programme: Programme | None, pk: int) -> dict[str, str]:
    kwargs: dict[str, Any] = {"pk": pk}
    if programme is not None:
        kwargs["slug"] = programme.slug
        return {
            "edit_url": reverse(_name(log, "edit"), kwargs=kwargs),
            "row_url": reverse(_name(log, "row"), kwargs=kwargs),
        }
    return {
        "edit_url": reverse("governance:portfolio_risk_edit", kwargs=kwargs),
        "row_url": reverse("governance:portfolio_risk_row", kwargs=kwargs),
    }


def _list_url(log: Log, scope: Programme | Portfolio | None) -> str:
    if isinstance(scope, Programme):
        return reverse(_name(log, "list"), kwargs={"slug": scope.slug})
    if isinstance(scope, Portfolio):
        return reverse("governance:portfolio_raid", kwargs={"slug": scope.slug})
    return reverse("governance:raid")


def _with_escalations(request: HttpRequest, log: Log, rows: list[Any]) -> None:
    """On the actions and issues logs: each row's open escalation (to which board), and whether
    this person may escalate it (``governance.escalate_item``)."""
    source = queries.ESCALATED_REGISTERS.get(log.key)
    if source is None:
        return
    waiting = queries.open_escalations_of(source, (row.obj.pk for row in rows))
    for row in rows:
        row.escalation = waiting.get(row.obj.pk)
        row.can_escalate = row.escalation is None and request.user.has_perm(
            "governance.escalate_item", row.obj
        )


def _log_context(
    request: HttpRequest, log: Log, scope: Programme | Portfolio | None
) -> dict[str, Any]:
    context = queries.log_page(log, scope, request.GET)
    programme = scope if isinstance(scope, Programme) else None
    can_edit = log.editable and (
        (programme is not None and request.user.has_perm(EDIT, programme))
        or (scope is None and log is LOGS["risks"] and request.user.has_perm(EDIT, PORTFOLIO_LOGS))
    )
    for row in context["rows"]:
        row_programme = programme
        # On a programme, another programme's dependency on it is read-only here; on the whole
        # portfolio's page, only the portfolio's own log (no programme) is edited in place.
        own = programme.pk if programme is not None else None
        row.can_edit = can_edit and row.obj.programme_id == own
        if row.can_edit:
            urls = _entry_urls(log, row_programme, row.obj.pk)
            row.edit_url, row.row_url = urls["edit_url"], urls["row_url"]
    _with_escalations(request, log, context["rows"])
    list_url = _list_url(log, scope)
    if isinstance(scope, Programme):
        export_base = reverse(_name(log, "export"), kwargs={"slug": scope.slug, "fmt": "X"})
    elif isinstance(scope, Portfolio):
        export_base = reverse(
            "governance:portfolio_raid_export", kwargs={"portfolio": scope.slug, "fmt": "X"}
        )
    else:
        export_base = reverse("governance:raid_export", kwargs={"fmt": "X"})
    can_edit_programme = programme is not None and request.user.has_perm(EDIT, programme)
    context.update(
        {
            "scope": scope,
            "programme": programme,
            "can_edit": can_edit,
            "list_url": list_url,
            "query": request.GET.urlencode(),
            "raid_logs": RAID if log.section == "raid" else [],
            "export_base": export_base.removesuffix("X"),
            "can_record_decision": can_edit_programme,
            "can_raise_change": can_edit_programme,
            "escalates": queries.ESCALATED_REGISTERS.get(log.key, ""),
        }
    )
    if log is LOGS["risks"]:
        context["heat_map"] = queries.log_heat_map(log, scope)
        context["heat_map_url"] = list_url
    if programme is not None and log.editable:
        context["add_url"] = reverse(_name(log, "add"), kwargs={"slug": programme.slug})
    return context


def _template(request: HttpRequest, page: str, fragment: str) -> str:
    return f"{page}#{fragment}" if request.htmx else page


# --- Log pages ----------------------------------------------------------------------------------
@require_GET
@policy("governance.view_logs")
def log_list(request: HttpRequest, kind: str, slug: str | None = None) -> HttpResponse:
    log = _log(kind)
    programme = _programme(slug)
    context = _log_context(request, log, programme)
    return render(request, _template(request, "governance/log_list.html", "results"), context)


@require_GET
@policy("governance.view_logs")
def portfolio_raid(request: HttpRequest, slug: str) -> HttpResponse:
    portfolio = get_object_or_404(Portfolio, slug=slug)
    context = _log_context(request, LOGS["risks"], portfolio)
    return render(request, _template(request, "governance/log_list.html", "results"), context)


@require_GET
@policy("governance.view_logs")
def raid(request: HttpRequest) -> HttpResponse:
    context = _log_context(request, LOGS["risks"], None)
    context["portfolios"] = Portfolio.objects.all()
    return render(request, _template(request, "governance/log_list.html", "results"), context)


@require_GET
@policy("governance.view_logs")
def dependencies(request: HttpRequest) -> HttpResponse:
    """Which programme waits on which, from plans and RAID logs, late ones first."""
    context = queries.portfolio_dependencies(request.GET.get("page"))
    return render(request, "governance/dependencies.html", context)


@require_GET
@policy("governance.view_logs")
def log_export(
    request: HttpRequest, kind: str, fmt: str, slug: str | None = None, portfolio: str = ""
) -> HttpResponse:
    log = _log(kind)
    if fmt not in FORMATS:
        raise Http404
    scope: Programme | Portfolio | None = None
    if slug is not None:
        # A download shows no one's name from the programme itself: its row alone, without the
        # people the pages' header reads (one programme's 16 risks: 9.2-10.0 ms with them,
        # 7.7-8.0 ms without, two runs of bench/experiments/export_fixed_cost.py).
        scope = get_object_or_404(Programme, slug=slug)
    if portfolio:
        scope = get_object_or_404(Portfolio, slug=portfolio)
    return download(queries.log_table(log, scope, request.GET), fmt)


def _entry(log: Log, programme: Programme | None, pk: int) -> Any:
    qs = log.model.objects.select_related(*log.related)
    if programme is None:
        return get_object_or_404(qs, pk=pk, programme__isnull=True)
    return get_object_or_404(qs, pk=pk, programme=programme)


def _form(log: Log, programme: Programme | None, **kwargs: Any) -> Any:
    if log.key == "dependencies":
        kwargs["programme"] = programme
    return log.form(**kwargs)


def _row_context(request: HttpRequest, log: Log, programme, obj, form=None) -> dict:
    row = queries.make_row(log, obj, columns=log.columns_for(programme))
    row.can_edit = True
    urls = _entry_urls(log, programme, obj.pk)
    row.edit_url, row.row_url = urls["edit_url"], urls["row_url"]
    _with_escalations(request, log, [row])
    return {
        "log": log, "programme": programme, "row": row, "form": form, "can_edit": True,
        "escalates": queries.ESCALATED_REGISTERS.get(log.key, ""),
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
@policy("governance.change_logs")
def entry_edit(request: HttpRequest, kind: str, pk: int, slug: str | None = None) -> HttpResponse:
    log = _log(kind)
    if not log.editable:
        raise Http404
    programme = _programme(slug)
    authorise(request.user, EDIT, programme or PORTFOLIO_LOGS)
    obj = _entry(log, programme, pk)
    form = _form(log, programme, data=request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_entry_save(instance=form.instance, programme=programme, actor=request.user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            if request.htmx:
                context = _row_context(request, log, programme, form.instance)
                return render(request, "governance/log_list.html#row", context)
            messages.success(request, f"The {log.noun} “{form.instance}” was saved.")
            list_url = _list_url(log, programme)
            return redirect(list_url)
    context = _row_context(request, log, programme, obj, form)
    context["list_url"] = _list_url(log, programme)
    template = "governance/log_edit.html"
    return render(request, _template(request, template, "row_form"), context)


@require_GET
@policy("governance.view_logs")
def entry_row(request: HttpRequest, kind: str, pk: int, slug: str | None = None) -> HttpResponse:
    """One row, as the table shows it (what "Cancel" swaps back in)."""
    log = _log(kind)
    programme = _programme(slug)
    authorise(request.user, EDIT, programme or PORTFOLIO_LOGS)
    obj = _entry(log, programme, pk)
    return render(
        request, "governance/log_list.html#row", _row_context(request, log, programme, obj)
    )


@require_http_methods(["GET", "POST"])
@policy("governance.change_logs")
def entry_add(request: HttpRequest, kind: str, slug: str) -> HttpResponse:
    log = _log(kind)
    if not log.editable:
        raise Http404
    programme = _programme(slug)
    authorise(request.user, EDIT, programme)
    form = _form(log, programme, data=request.POST or None)
    list_url = _list_url(log, programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_entry_save(instance=form.instance, programme=programme, actor=request.user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"The {log.noun} “{form.instance}” was added.")
            if request.htmx:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = list_url
                return response
            return redirect(list_url)
    context = {
        "log": log,
        "programme": programme,
        "form": form,
        "list_url": list_url,
        "add_url": reverse(_name(log, "add"), kwargs={"slug": programme.slug}),
    }
    return render(request, _template(request, "governance/log_add.html", "add_form"), context)


@require_POST
@policy("governance.change_logs")
def risk_issue(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = _programme(slug)
    authorise(request.user, EDIT, programme)
    risk = get_object_or_404(Risk, pk=pk, programme=programme)
    issue = services.risk_to_issue(risk=risk, actor=request.user)
    messages.success(request, f"The risk “{risk}” is now an issue on the log: “{issue}”.")
    return redirect("governance:issues_list", slug=programme.slug)


# --- RAID import --------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@policy("governance.change_logs")
def raid_import_page(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    authorise(request.user, EDIT, programme)
    form = RaidImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if BACKGROUND_BYTES < upload.size <= MAX_BYTES:  # too many rows to check in a request
            job = services.raid_import_request(
                programme=programme, upload=upload, actor=request.user
            )
            return redirect("governance:raid_import_status", slug=programme.slug, pk=job.pk)
        result = raid_import(programme=programme, upload=upload, actor=request.user)
        if result.ok:
            count = len(result.risks)
            messages.success(request, f"{count} risk{'s' if count != 1 else ''} imported.")
            return redirect("governance:risks_list", slug=programme.slug)
        errors = result.errors
    context = {"programme": programme, "form": form, "errors": errors, "headers": HEADERS}
    return render(request, "governance/raid_import.html", context)


@require_GET
@policy("governance.change_logs")
def raid_import_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A background RAID import's progress (htmx polls the fragment every 2 seconds while it
    runs), then what it imported or every problem that stopped it."""
    programme = _programme(slug)
    authorise(request.user, EDIT, programme)
    job = get_object_or_404(RaidImport.objects.select_related("requested_by"), pk=pk,
                            programme=programme)  # fmt: skip
    context = {"programme": programme, "job": job}
    return render(request, _template(request, "governance/raid_import_status.html", "status"),
                  context)  # fmt: skip


@require_GET
@policy("governance.view_logs")
def raid_import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_table(), "raid-risks-template")


# --- Decisions ----------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@policy("governance.change_logs")
def decision_add(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    authorise(request.user, EDIT, programme)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = services.decision_record(
            programme=programme, actor=request.user, **form.cleaned_data
        )
        messages.success(request, f"The decision “{decision}” is in the log.")
        return redirect("governance:decisions_list", slug=programme.slug)
    return render(request, "governance/decision_add.html", {"programme": programme, "form": form})


# --- "My actions" -------------------------------------------------------------------------------
@require_GET
@policy("governance.view_logs")
def my_actions(request: HttpRequest) -> HttpResponse:
    context = queries.my_actions(request.user, request.GET.get("page"))
    return render(request, "governance/action_mine.html", context)


# --- Change requests ----------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@policy("governance.change_logs")
def change_request_add(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    authorise(request.user, EDIT, programme)
    # "Raise a change request" links from a read-only baseline name the baseline they change.
    initial = {k: request.GET[k] for k in ("baseline", "benefit") if k in request.GET}
    form = ChangeRequestForm(request.POST or None, programme=programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        change = services.change_request_raise(change_request=form.instance, actor=request.user)
        messages.success(
            request, f"{change.reference} is raised and routed to {change.routed_to} for decision."
        )
        return redirect("governance:change_request_detail", pk=change.pk)
    context = {"programme": programme, "form": form, "thresholds": services.change_thresholds()}
    return render(request, "governance/change_request_add.html", context)


@require_http_methods(["GET", "POST"])
@policy("governance.view_logs")
def change_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(
        ChangeRequest.objects.with_context().select_related("milestone", "benefit"), pk=pk
    )
    can_decide = request.user.has_perm("governance.decide_change_request", change)
    form = ChangeDecisionForm(request.POST or None)
    if request.method == "POST":
        authorise(request.user, "governance.decide_change_request", change)
        if form.is_valid():
            try:
                services.change_request_decide(
                    change_request=change,
                    approve=form.cleaned_data["outcome"] == "approve",
                    reasons=form.cleaned_data["reasons"],
                    actor=request.user,
                )
            except ServiceError as error:
                show_service_error(form, error)
            else:
                change.refresh_from_db()
                messages.success(
                    request, f"{change.reference} {change.get_status_display().lower()}."
                )
                return redirect("governance:change_request_detail", pk=change.pk)
    context = {
        "change": change,
        "programme": change.programme,
        "form": form,
        "can_decide": can_decide and not change.is_decided,
        "decisions": change.decisions.select_related("board", "recorded_by"),
    }
    return render(
        request,
        "governance/change_request_detail.html",
        context,
    )


@require_http_methods(["GET", "POST"])
@policy("governance.change_boards")
def thresholds_edit(request: HttpRequest) -> HttpResponse:
    form = ThresholdsForm(request.POST or None, instance=services.change_thresholds())
    if request.method == "POST" and form.is_valid():
        try:
            services.change_thresholds_set(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "The change request thresholds are saved.")
            return redirect("governance:thresholds")
    return render(request, "governance/thresholds_edit.html", {"form": form})


@require_http_methods(["GET", "POST"])
@policy("governance.change_boards")
def reporting_calendar_edit(request: HttpRequest) -> HttpResponse:
    form = ReportingCalendarForm(request.POST or None, instance=services.reporting_calendar())
    if request.method == "POST" and form.is_valid():
        try:
            services.reporting_calendar_set(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "The highlight report due day is saved.")
            return redirect("governance:reporting_calendar")
    return render(request, "governance/reporting_calendar_edit.html", {"form": form})


# --- RACI ---------------------------------------------------------------------------------------
@require_GET
@policy("governance.view_logs")
def raci(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    context = queries.raci_grid(programme)
    context.update(programme=programme, can_edit=request.user.has_perm(EDIT, programme))
    return render(request, "governance/raci_matrix.html", context)


@require_http_methods(["GET", "POST"])
@policy("governance.change_logs")
def raci_edit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    authorise(request.user, EDIT, programme)
    columns = RaciColumnsForm(request.GET if "person" in request.GET else request.POST)
    context = queries.raci_grid(
        programme, extra_people=columns.usernames(), posted=request.POST or None
    )
    form = RaciGridForm(
        request.POST if request.method == "POST" else None,
        activities=context["activities"],
        people=context["people"],
        added=columns.usernames(),
    )
    errors: list[str] = []
    if request.method == "POST":
        if not form.is_valid():
            errors = form.messages()
        else:
            try:
                services.raci_save(
                    programme=programme,
                    cells=form.cells(),
                    new_activity=form.cleaned_data["new_activity"],
                    actor=request.user,
                )
            except ServiceError as error:
                show_service_error(form, error)
                errors = form.messages()
            else:
                messages.success(request, "The RACI matrix is saved.")
                return redirect("governance:raci", slug=programme.slug)
    context.update(programme=programme, errors=errors)
    return render(request, "governance/raci_edit.html", context)


# --- Boards -------------------------------------------------------------------------------------
@require_GET
@policy("governance.view_logs")
def board_list(request: HttpRequest) -> HttpResponse:
    boards = Board.objects.select_related("chair", "portfolio", "programme").prefetch_related(
        "members"
    )
    context = {"boards": boards, "can_edit": request.user.has_perm("governance.change_boards")}
    return render(request, "governance/board_list.html", context)


def _board(slug: str) -> Board:
    return get_object_or_404(
        Board.objects.select_related("chair", "portfolio", "programme").prefetch_related("members"),
        slug=slug,
    )


@require_GET
@policy("governance.view_logs")
def board_detail(request: HttpRequest, slug: str) -> HttpResponse:
    board = _board(slug)
    versions = list(board.terms_of_reference.select_related("saved_by"))
    context = {
        "board": board,
        "current": versions[0] if versions else None,
        "previous": versions[1:],
        "can_edit": request.user.has_perm("governance.change_boards"),
    }
    if context["can_edit"]:
        context["teams"] = webhook_of(board)
    return render(request, "governance/board_detail.html", context)


@require_http_methods(["GET", "POST"])
@policy("governance.change_boards")
def board_teams(request: HttpRequest, slug: str) -> HttpResponse:
    """The PMO sets the Teams channel (a Power Automate Workflows webhook) the board's gate
    reviews and change requests are posted to."""
    board = _board(slug)
    current = webhook_of(board)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and "remove" in request.POST:
        notification_services.webhook_set(target=board, url="", actor=request.user)
        messages.success(request, f"{board} no longer posts to Teams.")
        return redirect(board)
    if request.method == "POST" and form.is_valid():
        try:
            webhook = notification_services.webhook_set(
                target=board, url=form.cleaned_data["url"], actor=request.user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            host = webhook.host if webhook else ""
            messages.success(request, f"{board} now posts to the Teams workflow at {host}.")
            return redirect(board)
    return render(
        request, "governance/board_teams.html", {"board": board, "form": form, "current": current}
    )


@require_http_methods(["GET", "POST"])
@policy("governance.change_boards")
def board_edit(request: HttpRequest, slug: str) -> HttpResponse:
    board = _board(slug)
    form = BoardForm(request.POST or None, instance=board)
    if request.method == "POST" and form.is_valid():
        try:
            services.board_save(
                board=form.save(commit=False),
                members=form.cleaned_data["members"],
                actor=request.user,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"{board} is saved.")
            return redirect(board)
    return render(request, "governance/board_edit.html", {"board": board, "form": form})


@require_http_methods(["GET", "POST"])
@policy("governance.change_boards")
def terms_of_reference_edit(request: HttpRequest, slug: str) -> HttpResponse:
    board = _board(slug)
    current = board.terms_of_reference.first()
    form = TermsOfReferenceForm(
        request.POST or None, initial={"text": current.text if current else ""}
    )
    if request.method == "POST" and form.is_valid():
        version = services.terms_of_reference_save(
            board=board, text=form.cleaned_data["text"], actor=request.user
        )
        messages.success(request, f"Terms of reference version {version.version} saved.")
        return redirect(board)
    return render(request, "governance/board_tor_edit.html", {"board": board, "form": form})


@require_GET
@policy("governance.view_logs")
def board_pack(request: HttpRequest, slug: str) -> HttpResponse:
    """The board pack page; its PDF is built in the background (reports' board pack PDFs)."""
    board = _board(slug)
    context = queries.board_pack(board, limit=settings.BIG_DOCUMENT_PDF_ROWS)
    context["lists"] = _board_pack_lists(board)
    return render(request, "governance/board_pack.html", context)


def _board_pack_lists(board: Board) -> dict[str, str]:
    """Where the whole of a long board pack list can be read, filtered as the pack filters it
    (the pack's page shows each list's first rows)."""
    open_escalated = "?status=open&escalated=yes"
    lists = {"gate_reviews": reverse("governance:gate_list")}
    if board.sees_whole_portfolio:
        lists["escalated_risks"] = reverse("governance:raid") + open_escalated
    elif board.portfolio is not None:
        risks = reverse("governance:portfolio_raid", kwargs={"slug": board.portfolio.slug})
        lists["escalated_risks"] = risks + open_escalated
    elif board.programme is not None:
        slug = board.programme.slug
        lists["escalated_risks"] = reverse("governance:risks_list", kwargs={"slug": slug})
        lists["escalated_risks"] += open_escalated
        lists["overdue_actions"] = (
            reverse("governance:actions_list", kwargs={"slug": slug}) + "?status=overdue"
        )
    return lists


# --- Programme settings and boards (governance/administration.py) ------------------------------
@require_http_methods(["GET", "POST"])
@policy("portfolio.view_programme")
def programme_settings(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    authorise(request.user, "portfolio.change_programme_settings", programme)
    administer = request.user.has_perm("portfolio.administer_programme", programme)
    form = ProgrammeSettingsForm(request.POST or None, instance=programme, administer=administer)
    if request.method == "POST" and form.is_valid():
        try:
            handovers = administration.programme_settings_update(
                programme=programme, actor=request.user, changes=form.changes(),
                board=form.cleaned_data.get("board"), change_board=administer,
                hand_over=form.cleaned_data.get("hand_over", False),
            )  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error)
        else:
            handed = "".join(f" {h}." for h in handovers)
            messages.success(request, f"The settings of {programme} are saved.{handed}")
            return redirect(programme)
    context = {"programme": programme, "form": form, "administer": administer}
    return render(request, "governance/programme_settings.html", context)


@require_http_methods(["GET", "POST"])
@policy("governance.change_boards")
def board_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("programme"):
        initial = {"kind": "programme", "programme": request.GET.get("programme")}
    form = BoardCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            board = administration.board_create(actor=request.user, **data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"{board} is established.")
            return redirect(board)
    return render(request, "governance/board_new.html", {"form": form})


@require_POST
@policy("governance.change_boards")
def board_archive(request: HttpRequest, slug: str) -> HttpResponse:
    board = _board(slug)
    try:
        administration.board_archive(board=board, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        messages.success(
            request, f"{board} is archived: it keeps its history and decides nothing new."
        )
    return redirect(board)


# --- Closure checklist (governance/closure.py) --------------------------------------------------
@require_http_methods(["GET", "POST"])
@policy("portfolio.view_programme")
def closure_checklist(request: HttpRequest, slug: str) -> HttpResponse:
    """The closure report's submit: settle every open item, then submit, in one step."""
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    authorise(request.user, "governance.submit_gate_review", programme)
    if programme.stage != "deliver":
        messages.error(request, "The closure checklist is completed when a programme in Deliver "
                                "submits its closure report.")  # fmt: skip
        return redirect(programme)
    form = ClosureChecklistForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.closure_submit(
                programme=programme, resolutions=form.resolutions(), actor=request.user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Closure checklist recorded and {review.version} submitted for "
                f"{review.gate_label}. It is with {review.with_whom}.",
            )
            return redirect(review)
    context = {"programme": programme, "form": form}
    return render(request, "governance/closure_checklist.html", context)


# --- The one-slide programme summary (governance/slides.py) ------------------------------------
@require_GET
@policy("governance.view_gates")
def summary_slide(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    review = get_object_or_404(GateReview.objects.with_context(), pk=pk)
    summary = slides.programme_summary(review)
    if fmt == "pptx":
        response = HttpResponse(
            slides.summary_pptx(summary),
            content_type="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        )
    elif fmt == "pdf":
        html = render_to_string(
            "governance/summary_slide_pdf.html", {"summary": summary}, request=request
        )
        response = HttpResponse(packs.print_pdf(html), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{summary.filename}.{fmt}"'
    return response


# --- Escalations (governance/escalations.py) ---------------------------------------------------
@require_http_methods(["GET", "POST"])
@policy("portfolio.view_programme")
def escalation_add(request: HttpRequest, slug: str) -> HttpResponse:
    """?source=action&id=12 (or highlight_report, issue); no source: a decision request."""
    programme = get_object_or_404(Programme, slug=slug)
    authorise(request.user, "governance.escalate", programme)
    source = request.GET.get("source") or "decision_request"
    if source not in EscalationSource.values:
        raise Http404
    source_id = whole_number(request.GET.get("id", ""))
    is_request = source == EscalationSource.DECISION_REQUEST
    try:
        source_title = escalations.escalation_source(programme, source, source_id)
    except escalations.EscalationError as error:
        raise Http404 from error
    waiting = (
        None if is_request else queries.open_escalations_of(source, [source_id]).get(source_id)
    )
    if waiting is not None and request.method == "GET":
        messages.info(request, f"{source_title} is already escalated to the {waiting.board}; it "
                               "waits for the board's response.")  # fmt: skip
        return redirect(waiting)
    form = EscalationForm(request.POST or None, decision_request=is_request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            escalation = escalations.escalation_raise(
                programme=programme, board=data["board"], source=source, source_id=source_id,
                ask=data["ask"], title=data.get("title", ""), actor=request.user,
            )  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, f"Escalated to {escalation.board}. It waits in the board's pack and "
                "inbox until the board responds."
            )  # fmt: skip
            return redirect(escalation)
    context = {
        "programme": programme, "form": form, "source_label": EscalationSource(source).label,
        "source_title": source_title, "is_request": is_request,
    }  # fmt: skip
    return render(request, "governance/escalation_add.html", context)


@require_http_methods(["GET", "POST"])
@policy("governance.view_logs")
def escalation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_object_or_404(Escalation.objects.with_context(), pk=pk)
    can_respond = escalation.is_open and request.user.has_perm(
        "governance.respond_to_escalation", escalation
    )
    form = EscalationResponseForm(request.POST or None)
    if request.method == "POST":
        authorise(request.user, "governance.respond_to_escalation", escalation)
        if form.is_valid():
            try:
                escalations.escalation_respond(
                    escalation=escalation, response=form.cleaned_data["response"],
                    actor=request.user,
                )  # fmt: skip
            except ServiceError as error:
                show_service_error(request, error)
            else:
                messages.success(request, "Response recorded in the decision log.")
            return redirect(escalation)
    context = {"escalation": escalation, "form": form, "can_respond": can_respond}
    return render(request, "governance/escalation_detail.html", context)


# --- the lessons-learned library ----------------------------------------------------------------


def _lesson_filters(form: LessonFilterForm) -> queries.LessonFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return queries.LessonFilters(
        text=data.get("q") or "", directorate=data.get("directorate"), theme=data.get("theme"),
        category=data.get("category") or "", stage=data.get("stage") or "",
        polarity=data.get("polarity") or "", status=data.get("status") or "",
        programme=data.get("programme"), similar_to=data.get("similar"),
    )  # fmt: skip


@require_GET
@policy("governance.view_lessons")
def lesson_list(request: HttpRequest) -> HttpResponse:
    """Search across every programme's lessons, by words and filters; paged."""
    form = LessonFilterForm(request.GET or None)
    filters = _lesson_filters(form)
    page = queries.lessons_page(filters, request.GET.get("page"))
    template = "governance/lesson_list.html"
    if request.htmx:
        template += "#results"
    context = {"form": form, "filters": filters, "page": page, "ranked": queries.search_is_ranked()}
    return render(request, template, context)


@require_GET
@policy("governance.view_lessons")
def lesson_similar(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme page's "lessons from similar programmes" panel (htmx); without htmx, the
    library filtered to them."""
    programme = get_object_or_404(Programme, slug=slug)
    if not request.htmx:
        return redirect(f"{reverse('governance:lesson_list')}?similar={programme.slug}")
    found = queries.lesson_search(queries.LessonFilters(similar_to=programme))
    context = {
        "programme": programme,
        "lessons": list(found[: queries.SIMILAR_LESSONS_SHOWN]),
        "total": found.count(),
    }
    return render(request, "governance/_similar_lessons.html", context)


def _lesson_source(programme: Programme, request: HttpRequest) -> dict[str, Any]:
    """?source=highlight_report&id=12 or ?source=gate_review&id=3: the row, which must be this
    programme's (404 otherwise); no source: recorded directly."""
    source = request.GET.get("source", "")
    if not source:
        return {}
    pk = whole_number(request.GET.get("id", ""))
    if source == "highlight_report" and pk is not None:
        return {"highlight_report": get_object_or_404(programme.highlight_reports, pk=pk)}
    if source == "gate_review" and pk is not None:
        return {"gate_review": get_object_or_404(programme.gate_reviews, pk=pk)}
    raise Http404


@require_http_methods(["GET", "POST"])
@policy("governance.view_lessons")
def lesson_add(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug)
    authorise(request.user, "governance.record_lesson", programme)
    links = _lesson_source(programme, request)
    initial = {"stage": lessons.lesson_stage(programme)}
    form = LessonForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = lessons.lesson_record(programme=programme, actor=request.user, **links,
                                           **form.cleaned_data)  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, f"Lesson {lesson.reference} is in the lessons library for every "
                "programme to find."
            )  # fmt: skip
            return redirect(lesson)
    source = links.get("highlight_report") or links.get("gate_review")
    context = {"programme": programme, "form": form, "source": source}
    return render(request, "governance/lesson_edit.html", context)


@require_http_methods(["GET", "POST"])
@policy("governance.view_lessons")
def lesson_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson.objects.with_context(), pk=pk)
    authorise(request.user, "governance.change_lesson", lesson)
    form = LessonForm(request.POST if request.method == "POST" else None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        try:
            lessons.lesson_update(lesson=lesson, actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Lesson {lesson.reference} is corrected.")
            return redirect(lesson)
    context = {"programme": lesson.programme, "form": form, "lesson": lesson}
    return render(request, "governance/lesson_edit.html", context)


def _lesson_detail(
    request: HttpRequest,
    lesson: Lesson,
    adopt_form: LessonAdoptForm | None = None,
    merge_form: LessonMergeForm | None = None,
) -> HttpResponse:
    context = queries.lesson_page(lesson)
    context["adopt_form"] = adopt_form or LessonAdoptForm(
        initial={"what_changed": lesson.adopted_change}
    )
    context["merge_form"] = merge_form or LessonMergeForm(candidates=context["merge_candidates"])
    return render(request, "governance/lesson_detail.html", context)


@require_GET
@policy("governance.view_lessons")
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _lesson_detail(request, get_object_or_404(Lesson.objects.with_context(), pk=pk))


@require_POST
@policy("governance.curate_lessons")
def lesson_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson.objects.with_context(), pk=pk)
    form = LessonAdoptForm(request.POST)
    if form.is_valid():
        try:
            lessons.lesson_adopt(
                lesson=lesson, what_changed=form.cleaned_data["what_changed"], actor=request.user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Lesson {lesson.reference} is adopted into practice.")
            return redirect(lesson)
    return _lesson_detail(request, lesson, adopt_form=form)


@require_POST
@policy("governance.curate_lessons")
def lesson_merge(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson.objects.with_context(), pk=pk)
    candidates = queries.lesson_page(lesson)["merge_candidates"]
    form = LessonMergeForm(request.POST, candidates=candidates)
    if form.is_valid():
        try:
            keeper = lessons.lesson_merge(
                lesson=lesson, into=form.cleaned_data["into"], actor=request.user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request, f"Lesson {lesson.reference} is merged into {keeper.reference}."
            )
            return redirect(keeper)
    return _lesson_detail(request, lesson, merge_form=form)

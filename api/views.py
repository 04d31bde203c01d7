"""The data-out pages: personal access tokens, the PMO's list of every token, the "Use this data
in Excel or Power BI" page, the CSVW metadata beside each CSV download and the calendar feeds."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policies import authorise, policy
from dashboard.forms import DashboardFilterForm
from dashboard.queries import DashboardFilters, dashboard_table, latest_snapshot, savings_download
from governance.logs import LOGS
from portfolio.models import Portfolio, Programme
from portfolio.periods import FinancialYear

from . import calendars, csvw, services
from .auth import token_view
from .forms import AccessTokenForm
from .models import AccessToken
from .odata.entities import ENTITY_SETS


# --- personal access tokens ---------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@policy("api.manage_own_tokens")
def token_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's tokens, and the form that makes a new one.

    The new token's secret is rendered in the POST's own response (not stored anywhere, not even
    in the session for a redirect) with ``Cache-Control: no-store``: it is shown once."""
    form = AccessTokenForm(request.POST or None)
    token = secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = services.access_token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        form = AccessTokenForm()
    response = render(request, "api/token_list.html", _token_context(request, form, token, secret))
    if secret:
        response["Cache-Control"] = "no-store"
    return response


def _token_context(request: HttpRequest, form: AccessTokenForm, new: Any, secret: Any) -> dict:
    return {
        "form": form,
        "tokens": AccessToken.objects.filter(owner=request.user).select_related("revoked_by"),
        "new_token": new,
        "secret": secret,
        "odata_url": request.build_absolute_uri(reverse("api:odata_service")),
        "calendar_url": request.build_absolute_uri(reverse("api:calendar_mine")),
    }


@require_GET
@policy("api.view_all_tokens")
def token_admin(request: HttpRequest) -> HttpResponse:
    tokens = AccessToken.objects.select_related("owner", "revoked_by").order_by(
        "owner__username", "-created_at", "-pk"
    )
    return render(request, "api/token_admin.html", {"tokens": tokens})


@require_POST
@policy("api.manage_own_tokens")
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(AccessToken.objects.select_related("owner"), pk=pk)
    authorise(request.user, "api.revoke_token", token)
    services.access_token_revoke(token=token, actor=request.user)
    messages.success(request, f"The token “{token.name}” of {token.owner} is revoked.")
    if token.owner_id != request.user.pk:
        return redirect("api:token_admin")
    return redirect("api:token_list")


@require_GET
@policy("api.view_data_help")
def data_help(request: HttpRequest) -> HttpResponse:
    """Use this data in Excel or Power BI: the feed URL and how to connect."""
    readable = [s for s in ENTITY_SETS if s.queryset(request.user) is not None]
    return render(
        request,
        "api/data_help.html",
        {
            "odata_url": request.build_absolute_uri(reverse("api:odata_service")),
            "calendar_url": request.build_absolute_uri(reverse("api:calendar_mine")),
            "entity_sets": ENTITY_SETS,
            "readable": {s.name for s in readable},
        },
    )


# --- CSV on the Web -----------------------------------------------------------------------------
def _json(document: dict) -> HttpResponse:
    return HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False),
        content_type="application/csvm+json; charset=utf-8",
    )


def dashboard_filters(request: HttpRequest) -> tuple[DashboardFilterForm, DashboardFilters]:
    """The dashboard's filters from the query string, as its CSV download reads them."""
    form = DashboardFilterForm(request.GET or None)
    if form.is_valid():
        return form, DashboardFilters(**{k: v for k, v in form.cleaned_data.items() if v})
    return form, DashboardFilters()


def _csv_url(request: HttpRequest) -> str:
    url = request.build_absolute_uri(request.path.removesuffix("-metadata.json"))
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


@require_GET
@policy("dashboard.view_dashboard")
def csvw_dashboard(request: HttpRequest, table: str) -> HttpResponse:
    _form, filters = dashboard_filters(request)
    full = dashboard_table(filters, table)
    if full is None:
        raise Http404("No such table")
    return _json(csvw.table_metadata(full, _csv_url(request)))


@require_GET
@policy("dashboard.view_dashboard")
def csvw_savings_year(request: HttpRequest, year: int) -> HttpResponse:
    _form, filters = dashboard_filters(request)
    snapshot = latest_snapshot()
    if snapshot is None or not 1990 <= year <= 2100:
        raise Http404("No roll-up for that year")
    table = savings_download(filters, snapshot, FinancialYear(year))  # its columns, not its rows
    return _json(csvw.table_metadata(table, _csv_url(request)))


@require_GET
@policy("governance.view_logs")
def csvw_log(
    request: HttpRequest, kind: str, slug: str | None = None, portfolio: str = ""
) -> HttpResponse:
    log = LOGS.get(kind)
    if log is None:
        raise Http404
    scope: Programme | Portfolio | None = None
    if slug:
        scope = get_object_or_404(Programme, slug=slug)
    if portfolio:
        scope = get_object_or_404(Portfolio, slug=portfolio)
    title = f"{log.title}: {scope}" if scope else log.title
    return _json(csvw.log_metadata(title, log.columns_for(scope), _csv_url(request)))


# --- calendar feeds -----------------------------------------------------------------------------
def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@token_view(allow_query=True)
def calendar_mine(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    authorise(actor, "governance.view_logs")
    body = calendars.person_calendar(actor, request.build_absolute_uri)
    return _ics(body, "delivery-hub.ics")


@token_view(allow_query=True)
def calendar_programme(request: HttpRequest, slug: str) -> HttpResponse:
    actor = request.actor
    authorise(actor, "portfolio.view_programme")
    programme = get_object_or_404(Programme, slug=slug)
    body = calendars.programme_calendar(
        programme, request.build_absolute_uri, actor.has_perm("governance.view_gates")
    )
    return _ics(body, f"{programme.slug}.ics")

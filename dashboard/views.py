from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from accounts.policies import policy
from accounts.queries import pmo_contacts
from core.exports import FORMATS, download
from portfolio.periods import FinancialYear
from reports.views import report_list

from .caching import cached_fragments
from .forms import DashboardFilterForm
from .inbox import INBOX_PAGE, inbox
from .queries import (
    DashboardFilters,
    dashboard_page,
    dashboard_table,
    home_page,
    latest_snapshot,
    open_escalations,
    own_open_items,
    savings_detail,
    savings_download,
)


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, DashboardFilters]:
    form = DashboardFilterForm(request.GET or None)
    if form.is_valid():
        return form, DashboardFilters(**{k: v for k, v in form.cleaned_data.items() if v})
    return form, DashboardFilters()


def _inbox(request: HttpRequest) -> dict:
    return {"inbox": inbox(request.user)} if request.user.has_perm("dashboard.view_inbox") else {}


def _own_items(request: HttpRequest) -> dict:
    """The open actions and issues of the person's own programmes, to escalate (not cached)."""
    if not request.user.has_perm("dashboard.view_own_open_items"):
        return {}
    items = own_open_items(request.user)
    return {"own": items} if items["own_actions"] or items["own_issues"] else {}


@require_GET
@policy("dashboard.view_home")
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the dashboard for the PMO, own programmes first for managers and SROs,
    the portfolio's "Where are we?" for other staff, published reports for scrutiny."""
    user = request.user
    if user.has_perm("dashboard.view_dashboard") and user.has_perm("portfolio.add_programme"):
        return _dashboard(request, {**_inbox(request), **_own_items(request)})
    if not user.has_perm("portfolio.view_portfolio"):
        if user.has_perm("reports.view_published_reports"):
            return report_list(request)
        return render(request, "dashboard/home_no_role.html", {"contacts": pmo_contacts()})
    home = home_page(user)
    own_items = _own_items(request) if home["own_count"] else {}
    return render(request, "dashboard/home.html", {**home, **_inbox(request), **own_items})


@require_GET
@policy("dashboard.view_dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, _own_items(request))


def _dashboard(request: HttpRequest, extra: dict) -> HttpResponse:
    form, filters = _filters(request)
    snapshot = latest_snapshot()
    can_recalculate = request.user.has_perm("benefits.recalculate_rollup")
    fragments = cached_fragments(
        request,
        snapshot,
        lambda: {
            "form": form.render(),
            "escalations_panel": render_to_string(
                "dashboard/dashboard.html#escalations", open_escalations(), request
            ),
            "panels": render_to_string(
                "dashboard/dashboard.html#panels",
                {"can_recalculate": can_recalculate, **dashboard_page(filters, snapshot)},
                request,
            ),
        },
    )
    if request.htmx and request.htmx.target == "dashboard-panels":
        return HttpResponse(fragments["panels"])
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "can_recalculate": can_recalculate, "snapshot": snapshot, **fragments, **extra,
        },
    )  # fmt: skip


@require_GET
@policy("dashboard.view_dashboard")
def dashboard_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    _form, filters = _filters(request)
    if fmt not in FORMATS or (full := dashboard_table(filters, table)) is None:
        raise Http404("No such table")
    return download(full, fmt)


@require_GET
@policy("dashboard.view_dashboard")
def savings_year(request: HttpRequest, year: int, fmt: str = "") -> HttpResponse:
    """The rows behind one financial year's savings figures on the dashboard."""
    form, filters = _filters(request)
    snapshot = latest_snapshot()
    if snapshot is None or not 1990 <= year <= 2100:
        raise Http404("No roll-up for that year")
    if fmt:
        if fmt not in FORMATS:
            raise Http404("No such format")
        return download(savings_download(filters, snapshot, FinancialYear(year)), fmt)
    table, page = savings_detail(filters, snapshot, FinancialYear(year), request.GET.get("page"))
    return render(
        request,
        "dashboard/savings_year.html",
        {"form": form, "filters": filters, "year": FinancialYear(year), "table": table,
         "rows": list(zip(table.rows, table.slugs, strict=True)), "snapshot": snapshot,
         "page": page},
    )  # fmt: skip


@require_GET
@policy("dashboard.view_inbox")
def inbox_page(request: HttpRequest) -> HttpResponse:
    """Everything waiting for me, newest first (bounded: the count says when more wait)."""
    return render(request, "dashboard/inbox.html", {"inbox": inbox(request.user, INBOX_PAGE)})

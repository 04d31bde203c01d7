"""Benefits register and profile grid, one-off costs, "my benefits", the MTFP and its import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policies import authorise, policy
from core.errors import ServiceError, show_service_error
from core.exports import xlsx_response
from portfolio.models import Programme
from portfolio.periods import FinancialYear

from . import deliverability, imports, queries, services
from .forms import (
    BenefitForm,
    CostFormSet,
    DeliverabilityOverrideForm,
    ProfileFormSet,
    RealisationClaimForm,
    RealisationConfirmForm,
    RealisationFilterForm,
    TargetGridForm,
    TargetImportForm,
    grid_initial,
    money_input,
)
from .models import Benefit, Deliverability, MTFPLine, MTFPPlan
from .tasks import rollup_run_task


def _programme(slug: str) -> Programme:
    return get_object_or_404(Programme.objects.with_people(), slug=slug)


def _this_year() -> int:
    return FinancialYear.from_date(timezone.localdate()).start_year


# --- Benefits register ----------------------------------------------------------------------


@require_GET
@policy("benefits.view_benefits")
def benefit_register(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    context = queries.log_page(programme)
    context["can_edit"] = request.user.has_perm("benefits.change_benefits", programme)
    return render(request, "benefits/benefit_register.html", context)


@require_http_methods(["GET", "POST"])
@policy("benefits.view_benefits")
def benefit_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Add a benefit (no ``pk``) or edit one: the fields of the register, not the profile."""
    programme = _programme(slug)
    authorise(request.user, "benefits.change_benefits", programme)
    benefit = get_object_or_404(Benefit, pk=pk, programme=programme) if pk else None
    form = BenefitForm(request.POST or None, instance=benefit)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if benefit:
                benefit = services.benefit_update(benefit=benefit, actor=request.user, **fields)
            else:
                benefit = services.benefit_create(programme=programme, actor=request.user, **fields)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Benefit “{benefit.title}” saved")
            return redirect("benefits:benefit_detail", slug=programme.slug, pk=benefit.pk)
    return render(
        request,
        "benefits/benefit_form.html",
        {"programme": programme, "benefit": benefit, "form": form},
    )


def _benefit(slug: str, pk: int) -> Benefit:
    return get_object_or_404(
        Benefit.objects.with_register().select_related("programme__sro", "programme__manager"),
        pk=pk,
        programme__slug=slug,
    )


def _profile_context(request: HttpRequest, benefit: Benefit, formset: Any = None) -> dict:
    years = queries.benefit_years(benefit, _this_year())
    if formset is None:
        formset = ProfileFormSet(
            initial=grid_initial(
                list(benefit.profile.all()),
                list(years),
                ("planned", "forecast", "actual"),
                extra=0 if benefit.mtfp_line_id else 1,  # a plan's years are all there
            ),
            **_profile_years(benefit),
        )
    return {
        "programme": benefit.programme,
        "benefit": benefit,
        "formset": formset,
        "years": years,
        "totals": queries.benefit_totals(benefit),
        "rating": queries.benefit_rating(benefit),
        "can_edit_profile": request.user.has_perm("benefits.change_benefit_profile", benefit),
        "can_edit": request.user.has_perm("benefits.change_benefits", benefit.programme),
        "can_override": request.user.has_perm("benefits.override_deliverability"),
        "can_mark_realised": benefit.realisation_confirmed_at is None
        and benefit.status != "withdrawn"
        and request.user.has_perm("benefits.mark_benefit_realised", benefit),
        "can_confirm": benefit.awaits_confirmation
        and request.user.has_perm("benefits.confirm_benefit_realisation", benefit),
        "claim_form": RealisationClaimForm(
            initial={"claim": benefit.realisation_claim} if benefit.realisation_claim else None
        ),
        "confirm_form": RealisationConfirmForm(),
        "baseline_rows": [row for row in benefit.profile.all() if row.baseline is not None],
        "override_form": DeliverabilityOverrideForm(
            initial={"rating": benefit.rating_override, "reason": benefit.rating_override_reason}
        ),
    }


def _profile_years(benefit: Benefit) -> dict[str, Any]:
    """The years the grid accepts: the plan's, and any already recorded; any, with no plan.
    In Deliver the planned column is a baseline the grid may not move."""
    locked = (
        {"baseline": {row.financial_year: row.planned for row in benefit.profile.all()}}
        if benefit.programme.baselines_locked
        else {}
    )
    if not benefit.mtfp_line_id:
        return locked
    return {
        "years": queries.benefit_years(benefit, _this_year()),
        "existing": frozenset(row.financial_year for row in benefit.profile.all()),
        **locked,
    }


@require_GET
@policy("benefits.view_own_benefits")
def benefit_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    benefit = _benefit(slug, pk)
    authorise(request.user, "benefits.view_benefit", benefit)
    return render(request, "benefits/benefit_detail.html", _profile_context(request, benefit))


@require_POST
@policy("benefits.view_own_benefits")
def benefit_profile_save(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Save the whole profile grid; htmx gets the grid back, otherwise the page."""
    benefit = _benefit(slug, pk)
    authorise(request.user, "benefits.change_benefit_profile", benefit)
    if not benefit.is_financial:
        messages.error(request, "A non-financial benefit has a measure and target, not money")
        return redirect("benefits:benefit_detail", slug=slug, pk=pk)
    formset = ProfileFormSet(request.POST, **_profile_years(benefit))
    saved = False
    if formset.is_valid():
        rows = [
            services.ProfileRow(
                financial_year=row["financial_year"],
                planned=row["planned"],
                forecast=row["forecast"],
                actual=row["actual"],
            )
            for row in formset.filled_rows()
        ]
        try:
            services.benefit_profile_save(benefit=benefit, rows=rows, actor=request.user)
        except ServiceError as error:
            show_service_error(request, error)
            return redirect("benefits:benefit_detail", slug=slug, pk=pk)
        if not request.htmx:
            messages.success(request, "Profile saved")
            return redirect("benefits:benefit_detail", slug=slug, pk=pk)
        benefit = _benefit(slug, pk)
        formset, saved = None, True
    context = _profile_context(request, benefit, formset)
    context["saved"] = saved
    template = "benefits/benefit_detail.html"
    status = 200 if saved or request.htmx else 400
    if request.htmx:
        template += "#grid"
    return render(request, template, context, status=status)


@require_POST
@policy("benefits.view_own_benefits")
def benefit_realised(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The owner says whether the benefit was realised, with the evidence or the reason."""
    benefit = _benefit(slug, pk)
    authorise(request.user, "benefits.mark_benefit_realised", benefit)
    form = RealisationClaimForm(request.POST)
    if form.is_valid():
        try:
            services.benefit_realisation_claim(
                benefit=benefit, claim=form.cleaned_data["claim"],
                note=form.cleaned_data["note"], actor=request.user,
            )  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"“{benefit.title}” is recorded as {form.cleaned_data['claim'].replace('_', ' ')}."
                " The PMO will confirm it; it stays on your list until then.",
            )
            return redirect("benefits:benefit_detail", slug=slug, pk=pk)
    context = _profile_context(request, benefit) | {"claim_form": form}
    return render(request, "benefits/benefit_detail.html", context)


@require_POST
@policy("benefits.confirm_benefit_realisation")
def benefit_realisation_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The PMO confirms the owner's realised / not realised, or returns it with the reason."""
    benefit = _benefit(slug, pk)
    authorise(request.user, "benefits.confirm_benefit_realisation", benefit)
    form = RealisationConfirmForm(request.POST)
    if form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            services.benefit_realisation_confirm(
                benefit=benefit, confirm=confirm, reason=form.cleaned_data["reason"],
                actor=request.user,
            )  # fmt: skip
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"“{benefit.title}” is confirmed." if confirm
                else f"“{benefit.title}” is returned to its owner.",
            )  # fmt: skip
            return redirect("benefits:benefit_detail", slug=slug, pk=pk)
    context = _profile_context(request, benefit) | {"confirm_form": form}
    return render(request, "benefits/benefit_detail.html", context)


REALISATION_PROGRAMMES = 5


@require_GET
@policy("benefits.view_realisation")
def realisation(request: HttpRequest) -> HttpResponse:
    """The benefits realisation view: baseline vs forecast vs actual, realised or not, and
    what is still owed after closure, by portfolio, a page of programmes at a time."""
    form = RealisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    portfolio = filters.get("portfolio")
    owed = bool(filters.get("owed"))
    page, groups = queries.realisation_page(
        portfolio, owed, request.GET.get("page"), REALISATION_PROGRAMMES
    )
    context = {"form": form, "page": page, "groups": groups, "owed": owed, "portfolio": portfolio,
               "summary": queries.realisation_summary(portfolio)}  # fmt: skip
    return render(request, "benefits/realisation.html", context)


@require_POST
@policy("benefits.override_deliverability")
def benefit_deliverability(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    benefit = _benefit(slug, pk)
    form = DeliverabilityOverrideForm(request.POST)
    if form.is_valid():
        services.benefit_deliverability_override(
            benefit=benefit,
            rating=form.cleaned_data["rating"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        messages.success(request, "Deliverability rating saved")
        return redirect("benefits:benefit_detail", slug=slug, pk=pk)
    context = _profile_context(request, benefit)
    context["override_form"] = form
    return render(request, "benefits/benefit_detail.html", context, status=400)


@require_GET
@policy("benefits.view_own_benefits")
def my_benefits(request: HttpRequest) -> HttpResponse:
    context = queries.my_benefits(request.user, request.GET.get("page"))
    context["confirmed"] = queries.my_confirmed_benefits(request.user)
    return render(request, "benefits/benefit_mine.html", context)


# --- One-off costs --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy("benefits.view_benefits")
def one_off_costs(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _programme(slug)
    can_edit = request.user.has_perm("benefits.change_benefits", programme)
    formset = None
    saved = False
    if request.method == "POST":
        authorise(request.user, "benefits.change_benefits", programme)
        formset = CostFormSet(request.POST, **_cost_baseline(programme))
        if formset.is_valid():
            rows = [
                services.CostRow(
                    financial_year=row["financial_year"],
                    budget=row["budget"],
                    actual=row["actual"],
                )
                for row in formset.filled_rows()
            ]
            try:
                services.one_off_costs_save(programme=programme, rows=rows, actor=request.user)
            except ServiceError as error:
                show_service_error(request, error)
                return redirect("benefits:one_off_costs", slug=slug)
            if not request.htmx:
                messages.success(request, "One-off costs saved")
                return redirect("benefits:one_off_costs", slug=slug)
            formset, saved = None, True
    context = queries.programme_business_case(programme)
    if formset is None:
        years = [c.financial_year for c in context["costs"]] or [_this_year()]
        formset = CostFormSet(
            initial=grid_initial(context["costs"], years, ("budget", "actual")),
            **_cost_baseline(programme),
        )
    context.update(programme=programme, formset=formset, can_edit=can_edit, saved=saved)
    template = "benefits/one_off_costs.html"
    if request.htmx and request.method == "POST":
        template += "#grid"
    status = 400 if request.method == "POST" and not saved and not request.htmx else 200
    return render(request, template, context, status=status)


def _cost_baseline(programme: Programme) -> dict[str, Any]:
    """In Deliver the budget column is a baseline the grid may not move."""
    if not programme.baselines_locked:
        return {}
    return {"baseline": {c.financial_year: c.budget for c in programme.one_off_costs.all()}}


# --- MTFP -----------------------------------------------------------------------------------


@require_GET
@policy("benefits.view_mtfp")
def mtfp_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "benefits/mtfp_list.html",
        {
            "plans": queries.plan_list(),
            "snapshot": services.rollup_latest(),
            "rule": deliverability.rule_rows(),
        },
    )


def _plan_context(request: HttpRequest, plan: MTFPPlan, form: Any = None) -> dict[str, Any]:
    context = queries.plan_page(plan)
    if form is None:
        form = TargetGridForm(
            plan=plan,
            lines=[e["line"] for e in context["entries"]],
            initial={
                f"t-{e['line'].pk}-{c['year'].start_year}": money_input(c["target"])
                for e in context["entries"]
                for c in e["cells"]
            },
        )
    for entry in context["entries"]:
        for cell in entry["cells"]:
            cell["field"] = form[f"t-{entry['line'].pk}-{cell['year'].start_year}"]
    context.update(
        form=form,
        can_edit=request.user.has_perm("benefits.change_mtfp"),
        can_override=request.user.has_perm("benefits.override_deliverability"),
        can_recalculate=request.user.has_perm("benefits.recalculate_rollup"),
        rating_choices=Deliverability.choices,
    )
    return context


@require_GET
@policy("benefits.view_mtfp")
def mtfp_detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(MTFPPlan, slug=slug)
    return render(request, "benefits/mtfp_detail.html", _plan_context(request, plan))


@require_POST
@policy("benefits.change_mtfp")
def mtfp_targets(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(MTFPPlan, slug=slug)
    form = TargetGridForm(request.POST, plan=plan, lines=list(plan.lines.all()))
    saved = False
    if form.is_valid():
        services.mtfp_targets_save(plan=plan, amounts=form.amounts(), actor=request.user)
        if not request.htmx:
            messages.success(request, "Targets saved")
            return redirect("benefits:mtfp_detail", slug=slug)
        form, saved = None, True
    context = _plan_context(request, plan, form)
    context["saved"] = saved
    template = "benefits/mtfp_detail.html"
    if request.htmx:
        template += "#targets"
    return render(request, template, context, status=200 if saved or request.htmx else 400)


@require_POST
@policy("benefits.override_deliverability")
def mtfp_line_deliverability(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    line = get_object_or_404(MTFPLine, pk=pk, plan__slug=slug)
    form = DeliverabilityOverrideForm(request.POST)
    if form.is_valid():
        services.mtfp_line_deliverability_override(
            line=line,
            rating=form.cleaned_data["rating"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
        messages.success(request, f"Deliverability of “{line.name}” saved")
    else:
        messages.error(request, f"Give the reason for overriding “{line.name}”")
    return redirect(reverse("benefits:mtfp_detail", kwargs={"slug": slug}) + f"#line-{line.pk}")


@require_http_methods(["GET", "POST"])
@policy("benefits.change_mtfp")
def mtfp_import(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(MTFPPlan, slug=slug)
    form = TargetImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        result = imports.parse_targets(form.cleaned_data["workbook"], plan=plan)
        if result.errors:
            errors = result.errors
            form.add_error("workbook", "The file has problems: nothing was imported")
        else:
            count = services.mtfp_import(plan=plan, rows=result.rows, actor=request.user)
            messages.success(request, f"Imported {count} targets into {plan.name}")
            return redirect("benefits:mtfp_detail", slug=slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "benefits/mtfp_import.html",
        {"plan": plan, "form": form, "errors": errors, "columns": imports.COLUMNS},
        status=status,
    )


@require_GET
@policy("benefits.change_mtfp")
def mtfp_import_template(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_object_or_404(MTFPPlan, slug=slug)
    return xlsx_response(imports.template_table(plan))


@require_POST
@policy("benefits.recalculate_rollup")
def rollup_recalculate(request: HttpRequest) -> HttpResponse:
    """Run the roll-up now (enqueued; in eager mode it has run by the time we redirect)."""
    try:
        rollup_run_task.delay()
    except Exception:  # broker down: remember it; the page says so
        services.rollup_mark_pending(error="The broker was unreachable for Recalculate now")
        messages.error(request, "The roll-up could not be queued: it will run when it can")
    else:
        snapshot = services.rollup_latest()
        when = timezone.localtime(snapshot.as_of).strftime("%-d %B %Y %H:%M") if snapshot else ""
        messages.success(request, f"Roll-up requested. The latest snapshot is as of {when}")
    target = request.POST.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = reverse("benefits:mtfp_list")
    return redirect(target)

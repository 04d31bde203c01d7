from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policies import authorise, policy
from portfolio.models import Programme

from .forms import DecideForm, GatePolicyForm, ProgrammeStatusForm
from .models import GatePolicy, GateReview
from .queries import gates_page, programme_history, review_page
from .services import (
    GateError,
    gate_policy_update,
    gate_review_decide,
    gate_review_submit,
    gate_review_withdraw,
    programme_status_decide,
)


@require_GET
@policy("governance.view_gates")
def gate_list(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/gate_list.html", gates_page(request.user))


@require_http_methods(["GET", "POST"])
@policy("governance.view_gates")
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(GateReview.objects.with_context(), pk=pk)
    context = review_page(review, request.user)
    form = DecideForm(
        request.POST or None,
        initial={"step": review.current_step},
        sets_terms=context["sets_terms"],
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
                    guardrails=data.get("guardrails", ""),
                )  # fmt: skip
            except GateError as error:
                messages.error(request, str(error))
                return redirect(review)
            messages.success(request, _decided_message(review))
            return redirect(review)
    context["form"] = form
    return render(request, "governance/review_detail.html", context)


def _decided_message(review: GateReview) -> str:
    if review.is_open:
        return f"Decision recorded. The review is now with the {review.current_sign_off_label}."
    programme = review.programme
    return (
        f"Decision recorded: {review.gate_label} {review.get_status_display().lower()}. "
        f"{programme} is in {programme.stage_label}."
    )


@require_POST
@policy("portfolio.view_programme")
def review_submit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug)
    authorise(request.user, "governance.submit_gate_review", programme)
    try:
        review = gate_review_submit(programme=programme, actor=request.user)
    except GateError as error:
        messages.error(request, str(error))
        kind = programme.current_document_kind
        return (
            redirect("portfolio:document_edit", slug=slug, document=kind)
            if kind
            else redirect(programme)
        )
    messages.success(
        request,
        f"{review.version} submitted for {review.gate_label}. "
        f"It is with the {review.current_sign_off_label}.",
    )
    return redirect(review)


@require_POST
@policy("governance.view_gates")
def review_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(GateReview.objects.with_context(), pk=pk)
    authorise(request.user, "governance.withdraw_gate_review", review.programme)
    try:
        gate_review_withdraw(review=review, actor=request.user)
    except GateError as error:
        messages.error(request, str(error))
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
        except GateError as error:
            form.add_error(None, str(error))
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
        except GateError as error:
            form.add_error(None, str(error))
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

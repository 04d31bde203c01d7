"""The PMO's onboarding pages: the template, the upload, its preview (polled while it is checked
or imported), confirming or discarding it, and the workbook of a programme or the portfolio."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policies import policy
from core.errors import ServiceError, show_service_error
from core.exports import xlsx_response
from portfolio.models import Programme

from .exporting import export_tables, template_tables
from .forms import UploadForm
from .models import OnboardingUpload
from .services import onboarding_confirm, onboarding_discard, onboarding_upload
from .sheets import SHEETS

PERM = "onboarding.onboard_portfolio"
RECENT = 10


@require_http_methods(["GET", "POST"])
@policy(PERM)
def start(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = onboarding_upload(file=form.cleaned_data["file"], actor=request.user)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            return redirect(upload)
    context = {
        "form": form,
        "sheets": SHEETS,
        "uploads": OnboardingUpload.objects.recent()[:RECENT],
    }
    return render(request, "onboarding/start.html", context)


@require_GET
@policy(PERM)
def template_download(request: HttpRequest) -> HttpResponse:
    return xlsx_response(template_tables(), "onboarding-workbook-template")


@require_GET
@policy(PERM)
def portfolio_export(request: HttpRequest) -> HttpResponse:
    return xlsx_response(export_tables(Programme.objects.all()), "onboarding-workbook-portfolio")


@require_GET
@policy(PERM)
def programme_export(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug)
    programmes = Programme.objects.filter(pk=programme.pk)
    return xlsx_response(export_tables(programmes), f"onboarding-workbook-{programme.slug}")


SUMMARY_ERRORS = 50  # listed in the error summary; the table below lists them all


def _context(upload: OnboardingUpload) -> dict:
    """The upload, and its problems as the error summary lists them: each linked to its row of
    the problems table, where it is (sheet, row, column) before what is wrong."""
    errors = []
    for number, problem in enumerate(upload.problems[:SUMMARY_ERRORS], start=1):
        message, column = problem["message"], problem["column"]
        if column and message.startswith(column):
            column = ""  # "Forecast date “31/02/2026” is not a date" names its column itself
        place = ", ".join(
            str(part) for part in (problem["sheet"], problem["row"] and f"row {problem['row']}",
                                   column) if part
        )  # fmt: skip
        text = f"{place}: {message}" if place else message
        errors.append({"text": text, "anchor": f"problem-{number}"})
    if upload.problem_count > len(errors):
        more = upload.problem_count - len(errors)
        errors.append({"text": f"and {more} more, in the table of problems", "anchor": "problems"})
    count = upload.problem_count
    return {
        "upload": upload,
        "running": upload.is_running,
        "summary_errors": errors,
        "summary_title": f"Nothing can be imported: {count} problem{'s' if count != 1 else ''} "
        "to fix in the file. Nothing has been saved.",
    }


@require_GET
@policy(PERM)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(OnboardingUpload.objects.select_related("uploaded_by"), pk=pk)
    return render(request, "onboarding/upload_preview.html", _context(upload))


@require_GET
@policy(PERM)
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls every 2 seconds while the upload is checked or
    imported; once it is done the whole preview is sent (htmx swaps the page's content)."""
    upload = get_object_or_404(OnboardingUpload, pk=pk)
    if not request.htmx:
        return redirect(upload)
    if not upload.is_running:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "onboarding/upload_preview.html#status", _context(upload))


@require_POST
@policy(PERM)
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(OnboardingUpload, pk=pk)
    try:
        onboarding_confirm(upload=upload, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
    return redirect(upload)


@require_POST
@policy(PERM)
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    upload = get_object_or_404(OnboardingUpload, pk=pk)
    try:
        onboarding_discard(upload=upload, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
        return redirect(upload)
    messages.success(request, f"The upload “{upload.filename}” is discarded: nothing was imported.")
    return redirect("onboarding:start")

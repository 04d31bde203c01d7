"""The quarterly scrutiny report pages: /reports/ and everything under a quarter."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policies import authorise, policy
from core.errors import ServiceError, show_service_error
from governance.models import Board
from portfolio.models import Programme
from portfolio.periods import Quarter

from . import services
from .forms import LessonsAnnexForm, NarrativeForm, ProgressForm, QuarterForm, SectionForm
from .models import (
    READABLE,
    BoardPackPdf,
    DeepDivePack,
    ProgrammeProgress,
    QuarterlyReport,
    ReportSection,
    ReportVersion,
)
from .quarterly import pdf_row_limit
from .queries import board_pack_pdf_page, deep_dive_page

FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _quarter(slug: str) -> Quarter:
    try:
        return Quarter.parse(slug)
    except ValueError as error:
        raise Http404(f"“{slug}” is not a quarter.") from error


def _report(slug: str) -> QuarterlyReport:
    quarter = _quarter(slug)
    return get_object_or_404(
        QuarterlyReport,
        financial_year=quarter.financial_year.start_year,
        quarter_number=quarter.number,
    )


def _published_versions() -> Prefetch:
    return Prefetch(
        "versions",
        queryset=ReportVersion.objects.filter(status__in=READABLE).order_by("-number"),
        to_attr="readable_versions",
    )


@require_http_methods(["GET", "POST"])
@policy("reports.view_published_reports")
def report_list(request: HttpRequest) -> HttpResponse:
    can_edit = request.user.has_perm("reports.change_reports")
    form = QuarterForm(request.POST or None)
    if request.method == "POST":
        authorise(request.user, "reports.change_reports")
        if form.is_valid():
            try:
                report = services.report_start(
                    quarter=form.cleaned_data["quarter"], actor=request.user
                )
            except ServiceError as error:
                show_service_error(form, error)
            else:
                return redirect(report)
    reports = QuarterlyReport.objects.prefetch_related(_published_versions())
    reports = reports.prefetch_related("versions") if can_edit else reports.published()
    return render(
        request,
        "reports/report_list.html",
        {"reports": list(reports), "form": form, "can_edit": can_edit},
        status=200,
    )


def _detail_context(request: HttpRequest, report: QuarterlyReport) -> dict:
    can_edit = request.user.has_perm("reports.change_reports")
    versions = list(report.versions.select_related("published_by", "requested_by"))
    if not can_edit:
        versions = [v for v in versions if v.is_published]
        if not versions:
            raise Http404("This report has not been published.")
    published = next((v for v in versions if v.status == "published"), None)
    running = next((v for v in versions if v.is_running), None)
    return {
        "report": report,
        "quarter": report.quarter,
        "versions": versions,
        "published": published,
        "latest": versions[0] if versions else None,
        "running": running,
        "can_edit": can_edit,
        "locked": services.report_is_locked(report) if can_edit else True,
        "progress": list(report.progress.select_related("programme")) if can_edit else [],
        "sections": list(report.sections.all()) if can_edit else [],
        "lesson_count": report.lessons.count() if can_edit else 0,
        "pdf_row_limit": pdf_row_limit(),
    }


@require_GET
@policy("reports.view_published_reports")
def report_detail(request: HttpRequest, quarter: str) -> HttpResponse:
    report = _report(quarter)
    context = _detail_context(request, report)
    template = "reports/report_detail.html"
    if request.htmx and request.htmx.target == "report-status":
        template += "#status"
    return render(request, template, context)


@require_GET
@policy("reports.change_reports")
def report_status(request: HttpRequest, quarter: str) -> HttpResponse:
    """The generation status fragment htmx polls every 2 seconds while a version runs."""
    report = _report(quarter)
    if not request.htmx:
        return redirect(report)
    return render(request, "reports/report_detail.html#status", _detail_context(request, report))


@require_http_methods(["GET", "POST"])
@policy("reports.change_reports")
def report_edit(request: HttpRequest, quarter: str) -> HttpResponse:
    report = _report(quarter)
    if services.report_is_locked(report):
        messages.error(request, "This report is published. Start a correction to change it.")
        return redirect(report)
    form = NarrativeForm(request.POST or None, instance=report, initial={"version": report.version})
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.report_update(
                report=report, actor=request.user, version=form.cleaned_data["version"], **fields
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "Narrative saved.")
            return redirect(report)
    return render(request, "reports/report_edit.html", {"report": report, "form": form})


@require_http_methods(["GET", "POST"])
@policy("reports.change_reports")
def report_progress_edit(request: HttpRequest, quarter: str, pk: int) -> HttpResponse:
    report = _report(quarter)
    progress = get_object_or_404(
        ProgrammeProgress.objects.select_related("programme"), pk=pk, report=report
    )
    if services.report_is_locked(report):
        messages.error(request, "This report is published. Start a correction to change it.")
        return redirect(report)
    form = ProgressForm(request.POST or None, instance=progress)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_progress_update(
                progress=progress, paragraph=form.cleaned_data["paragraph"], actor=request.user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"Progress for {progress.programme.name} saved.")
            return redirect(report)
    return render(
        request,
        "reports/report_progress_edit.html",
        {"report": report, "progress": progress, "form": form},
    )


@require_http_methods(["GET", "POST"])
@policy("reports.change_reports")
def report_section_edit(request: HttpRequest, quarter: str, pk: int | None = None) -> HttpResponse:
    report = _report(quarter)
    section = get_object_or_404(ReportSection, pk=pk, report=report) if pk else None
    if services.report_is_locked(report):
        messages.error(request, "This report is published. Start a correction to change it.")
        return redirect(report)
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.report_section_save(
                report=report, actor=request.user, section=section, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"“{saved.title}” saved.")
            return redirect(report)
    return render(
        request,
        "reports/report_section_edit.html",
        {"report": report, "section": section, "form": form},
    )


@require_http_methods(["GET", "POST"])
@policy("reports.change_reports")
def report_lessons_edit(request: HttpRequest, quarter: str) -> HttpResponse:
    """The PMO chooses the lessons the report prints as its lessons annex."""
    report = _report(quarter)
    if services.report_is_locked(report):
        messages.error(request, "This report is published. Start a correction to change it.")
        return redirect(report)
    chosen = list(report.lessons.values_list("pk", flat=True))
    form = LessonsAnnexForm(
        request.POST or None, chosen=chosen, initial={"lessons": chosen},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.report_lessons_choose(
                report=report, lessons=form.cleaned_data["lessons"], actor=request.user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            count = len(form.cleaned_data["lessons"])
            messages.success(
                request,
                f"The lessons annex will print {count} lesson{'s' if count != 1 else ''}."
                if count
                else "The report will have no lessons annex.",
            )
            return redirect(report)
    return render(request, "reports/report_lessons_edit.html", {"report": report, "form": form})


def _announce_build(request: HttpRequest, what: str, created: bool, short: str = "") -> None:
    """Say a background build was queued, or that the one already running (``short``, on the
    page that lists it) is followed."""
    if created:
        messages.success(request, f"{what} is being generated.")
    else:
        running = short or what
        messages.info(request, f"{running} is already being generated: the page follows it.")


@require_POST
@policy("reports.change_reports")
def report_generate(request: HttpRequest, quarter: str) -> HttpResponse:
    report = _report(quarter)
    try:
        version, created = services.report_generate(report=report, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
        return redirect(report)
    _announce_build(request, f"Version {version.number}", created)
    return redirect(report)


@require_POST
@policy("reports.change_reports")
def report_publish(request: HttpRequest, quarter: str, number: int) -> HttpResponse:
    report = _report(quarter)
    version = get_object_or_404(ReportVersion, report=report, number=number)
    try:
        services.report_publish(version=version, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        messages.success(
            request, f"Version {version.number} is published: scrutiny members can now read it."
        )
    return redirect(report)


@require_POST
@policy("reports.change_reports")
def report_correct(request: HttpRequest, quarter: str) -> HttpResponse:
    report = _report(quarter)
    try:
        services.report_correct(report=report, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        messages.success(
            request,
            "Correction started: edit the report and generate a new version. The published "
            "version stays published until you publish the correction.",
        )
    return redirect(report)


@require_GET
@policy("reports.view_published_reports")
def report_download(request: HttpRequest, quarter: str, number: int, fmt: str) -> HttpResponse:
    report = _report(quarter)
    version = get_object_or_404(ReportVersion, report=report, number=number)
    if fmt not in FORMATS:
        raise Http404("No such file.")
    if not request.user.has_perm("reports.view_report_version", version):
        raise PermissionDenied("This version of the report has not been published.")
    if not version.has_files:
        raise Http404("This version has no files: it was not generated.")
    try:
        handle = getattr(version, fmt).open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this version is missing from storage.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=version.filename(fmt), content_type=FORMATS[fmt]
    )
    response["X-Content-SHA256"] = getattr(version, f"{fmt}_sha256")
    return response


# --- Deep-dive packs ---------------------------------------------------------------------------


def _deep_dive_context(request: HttpRequest, slug: str) -> dict:
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    context = deep_dive_page(programme)
    context["can_generate"] = request.user.has_perm("reports.generate_deep_dive", programme)
    return context


@require_GET
@policy("reports.view_deep_dive")
def deep_dive_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A programme's deep-dive packs: generate one, follow its progress, download it."""
    return render(request, "reports/deep_dive.html", _deep_dive_context(request, slug))


@require_GET
@policy("reports.view_deep_dive")
def deep_dive_status(request: HttpRequest, slug: str) -> HttpResponse:
    """The status fragment htmx polls every 2 seconds while a pack is built."""
    if not request.htmx:
        return redirect("reports:deep_dive_list", slug=slug)
    return render(request, "reports/deep_dive.html#status", _deep_dive_context(request, slug))


@require_POST
@policy("reports.generate_deep_dive")
def deep_dive_generate(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug)
    authorise(request.user, "reports.generate_deep_dive", programme)
    try:
        pack, created = services.deep_dive_request(programme=programme, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        _announce_build(request, f"Deep-dive pack {pack.number}", created, f"Pack {pack.number}")
    return redirect("reports:deep_dive_list", slug=slug)


@require_GET
@policy("reports.view_deep_dive")
def deep_dive_download(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    pack = get_object_or_404(
        DeepDivePack.objects.select_related("programme"), programme__slug=slug, number=number
    )
    authorise(request.user, "reports.view_deep_dive", pack.programme)
    if not pack.has_file:
        raise Http404("This pack has no file: it was not generated.")
    try:
        handle = pack.pdf.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this pack is missing from storage.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=pack.filename(), content_type=FORMATS["pdf"]
    )
    response["X-Content-SHA256"] = pack.pdf_sha256
    return response


# --- A board pack's PDF, built in the background -----------------------------------------------
def _board_pack_pdf_context(request: HttpRequest, slug: str) -> dict:
    board = get_object_or_404(Board, slug=slug)
    context = board_pack_pdf_page(board)
    context["can_generate"] = request.user.has_perm("reports.generate_board_pack_pdf", board)
    context["pdf_row_limit"] = pdf_row_limit()
    return context


@require_GET
@policy("reports.view_board_pack_pdf")
def board_pack_pdf_list(request: HttpRequest, slug: str) -> HttpResponse:
    """A board's pack PDFs: generate one, follow its progress, download it."""
    return render(request, "reports/board_pack_pdf.html", _board_pack_pdf_context(request, slug))


@require_GET
@policy("reports.view_board_pack_pdf")
def board_pack_pdf_status(request: HttpRequest, slug: str) -> HttpResponse:
    """The status fragment htmx polls every 2 seconds while a PDF is built."""
    if not request.htmx:
        return redirect("reports:board_pack_pdf_list", slug=slug)
    context = _board_pack_pdf_context(request, slug)
    return render(request, "reports/board_pack_pdf.html#status", context)


@require_POST
@policy("reports.generate_board_pack_pdf")
def board_pack_pdf_generate(request: HttpRequest, slug: str) -> HttpResponse:
    board = get_object_or_404(Board, slug=slug)
    authorise(request.user, "reports.generate_board_pack_pdf", board)
    try:
        row, created = services.board_pack_pdf_request(board=board, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        _announce_build(request, f"Board pack PDF {row.number}", created, f"PDF {row.number}")
    return redirect("reports:board_pack_pdf_list", slug=slug)


def _board_pack_file(request: HttpRequest, slug: str, number: int, fmt: str) -> HttpResponse:
    row = get_object_or_404(
        BoardPackPdf.objects.select_related("board"), board__slug=slug, number=number
    )
    authorise(request.user, "reports.view_board_pack_pdf", row.board)
    field, sha256 = (row.pdf, row.pdf_sha256) if fmt == "pdf" else (row.xlsx, row.xlsx_sha256)
    if not row.has_file or not field:
        raise Http404("This board pack has no such file: it was not generated.")
    try:
        handle = field.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file of this board pack is missing from storage.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=row.filename(fmt), content_type=FORMATS[fmt]
    )
    response["X-Content-SHA256"] = sha256
    return response


@require_GET
@policy("reports.view_board_pack_pdf")
def board_pack_pdf_download(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _board_pack_file(request, slug, number, "pdf")


@require_GET
@policy("reports.view_board_pack_pdf")
def board_pack_workbook_download(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The pack's workbook appendix: every row of its lists (the PDF prints the first rows)."""
    return _board_pack_file(request, slug, number, "xlsx")

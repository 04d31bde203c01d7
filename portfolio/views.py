from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policies import authorise, policy
from core.errors import ServiceError, show_service_error
from core.exports import FORMATS, download
from core.spreadsheets import SpreadsheetError

from .diffs import content_diff
from .forms import (
    AssuranceRatingForm,
    HighlightReportForm,
    MilestoneCompleteForm,
    MilestoneForm,
    MilestoneMoveForm,
    PlanImportConfirmForm,
    PlanImportForm,
    ProgrammeCreateForm,
    ProgrammeFilterForm,
    SectionForm,
)
from .models import (
    DocumentKind,
    DocumentVersion,
    HighlightReport,
    Milestone,
    Programme,
    SectionTemplate,
)
from .plan_sheet import HEADERS, parse_plan_sheet, plan_table
from .project_xml import (
    MAX_BYTES,
    MAX_MILESTONES,
    PlanRow,
    compare_plan,
    parse_project_xml,
)
from .queries import (
    confidence_history,
    document_page,
    milestone_moves,
    plan_page,
    programme_page,
)
from .services import (
    SectionConflict,
    assurance_rating_record,
    highlight_report_save,
    milestone_complete,
    milestone_move,
    milestone_save,
    plan_import,
    programme_create,
    section_save,
)

PROGRAMMES_PER_PAGE = 25  # as the registers


@require_GET
@policy("portfolio.view_programme")
def programme_list(request: HttpRequest) -> HttpResponse:
    form = ProgrammeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    programmes = (
        Programme.objects.listed()
        .in_portfolio(filters.get("portfolio"))
        .in_stage(filters.get("stage"))
        .in_category(filters.get("category"))
    )
    if filters.get("mine"):
        programmes = programmes.for_team_member(request.user)
    page = Paginator(programmes, PROGRAMMES_PER_PAGE).get_page(request.GET.get("page"))
    template = "portfolio/programme_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
@policy("portfolio.add_programme")
def programme_new(request: HttpRequest) -> HttpResponse:
    form = ProgrammeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        programme = programme_create(actor=request.user, **form.cleaned_data)
        messages.success(
            request, f"{programme} is recorded in Identify. Its manager can now write the SOC."
        )
        return redirect(programme)
    return render(request, "portfolio/programme_new.html", {"form": form})


@require_GET
@policy("portfolio.view_programme")
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    return render(request, "portfolio/programme_detail.html", programme_page(programme))


def _document_kind(document: str) -> DocumentKind:
    if document not in DocumentKind.sectioned():
        raise Http404
    return DocumentKind(document)


@require_GET
@policy("portfolio.view_document")
def document_edit(request: HttpRequest, slug: str, document: str) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    if document == DocumentKind.WORKBOOK:
        return redirect("portfolio:workbook", slug=slug)
    kind = _document_kind(document)
    context = document_page(programme, kind)
    context["can_edit"] = request.user.has_perm("portfolio.change_document", programme)
    context["editable"] = context["editable"] and context["can_edit"]
    return render(request, "portfolio/document_edit.html", context)


@require_POST
@policy("portfolio.view_document")
def section_update(request: HttpRequest, slug: str, document: str, key: str) -> HttpResponse:
    """Save one section (htmx autosave or the Save button). A stale version is a conflict."""
    programme = get_object_or_404(Programme, slug=slug)
    authorise(request.user, "portfolio.change_document", programme)
    kind = _document_kind(document)
    template = get_object_or_404(SectionTemplate, document=kind, key=key)
    form = SectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The section could not be saved: reload the page and try again.")
        return redirect("portfolio:document_edit", slug=slug, document=kind)
    page = "portfolio/document_edit.html"
    row = {"template": template, "text": form.cleaned_data["text"]}
    try:
        section = section_save(
            programme=programme, kind=kind, key=key, text=form.cleaned_data["text"],
            base_version=form.cleaned_data["version"], actor=request.user,
        )  # fmt: skip
    except SectionConflict as conflict:
        row |= {"version": conflict.section.version, "conflict": conflict}
        if request.htmx:
            response = render(
                request,
                f"{page}#section",
                {"programme": programme, "kind": kind, "row": row, "editable": True},
            )
            response["HX-Retarget"] = f"#section-{key}"
            response["HX-Reswap"] = "outerHTML"
            return response
        context = document_page(programme, kind) | {"can_edit": True, "conflict_row": row}
        return render(request, page, context, status=409)
    except ServiceError as error:
        if request.htmx:
            return render(request, f"{page}#save_status", {"row": row, "error": str(error)})
        show_service_error(request, error)
        return redirect("portfolio:document_edit", slug=slug, document=kind)
    row |= {"version": section.version, "section": section, "saved": True}
    if request.htmx and request.htmx.target == f"section-{key}":
        # The conflict view's "Save merged text" replaces the whole section: back to the editor.
        context = {"programme": programme, "kind": kind, "row": row, "editable": True}
        return render(request, f"{page}#section", context)
    if request.htmx:
        return render(request, f"{page}#save_status", {"row": row, "oob": True})
    messages.success(request, f"{template.title} saved.")
    url = reverse("portfolio:document_edit", kwargs={"slug": slug, "document": kind})
    return redirect(f"{url}#section-{key}")


@require_GET
@policy("portfolio.view_document")
def document_version(request: HttpRequest, slug: str, document: str, number: int) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=slug)
    kind = _document_kind(document)
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document", "submitted_by"),
        document__programme=programme, document__kind=kind, number=number,
    )  # fmt: skip
    previous = (
        DocumentVersion.objects.filter(document=version.document, number__lt=number)
        .order_by("-number")
        .first()
    )
    context = {
        "programme": programme,
        "kind": kind,
        "version": version,
        "previous": previous,
        "diff": content_diff(previous.content if previous else [], version.content),
        "show_diff": previous is not None and request.GET.get("view") == "diff",
    }
    return render(request, "portfolio/document_version.html", context)


@require_http_methods(["GET", "POST"])
@policy("portfolio.view_document")
def workbook(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    can_edit = request.user.has_perm("portfolio.change_document", programme)
    form = HighlightReportForm(request.POST or None)
    if request.method == "POST":
        authorise(request.user, "portfolio.change_document", programme)
        if form.is_valid():
            data = dict(form.cleaned_data)
            month = data.pop("month")
            try:
                report = highlight_report_save(
                    programme=programme, month=month, actor=request.user, **data
                )
            except ServiceError as error:
                show_service_error(form, error)
            else:
                messages.success(request, f"Highlight report for {report.month:%B %Y} saved.")
                return redirect("portfolio:workbook", slug=slug)
    reports = HighlightReport.objects.for_programme(programme).select_related("created_by")
    context = {
        "programme": programme, "form": form, "reports": reports, "can_edit": can_edit,
        "history": confidence_history(programme),
    }  # fmt: skip
    return render(request, "portfolio/workbook.html", context)


@require_http_methods(["GET", "POST"])
@policy("portfolio.record_assurance_rating")
def assurance_rating_new(request: HttpRequest, slug: str) -> HttpResponse:
    """The PMO records an independent delivery confidence rating beside the manager's."""
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    authorise(request.user, "portfolio.record_assurance_rating", programme)
    form = AssuranceRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rating = assurance_rating_record(
                programme=programme, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            follow_up = (
                f" A follow-up review is due on {rating.follow_up_review_on:%d %B %Y}."
                if rating.follow_up_review_on
                else ""
            )
            messages.success(
                request,
                f"Independent assurance rating of {rating.get_delivery_confidence_display()} "
                f"recorded.{follow_up}",
            )
            return redirect(reverse("portfolio:workbook", kwargs={"slug": slug}) + "#confidence")
    latest = HighlightReport.objects.for_programme(programme).order_by("-month").first()
    return render(
        request,
        "portfolio/assurance_rating_new.html",
        {"programme": programme, "form": form, "latest": latest},
    )


# --- The plan ----------------------------------------------------------------------------------
def _plan_url(programme: Programme, milestone: Milestone | None = None) -> str:
    url = reverse("portfolio:plan", kwargs={"slug": programme.slug})
    return f"{url}#milestone-{milestone.pk}" if milestone else url


@require_http_methods(["GET", "POST"])
@policy("portfolio.view_programme")
def plan(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's plan: its milestones in order, the timeline, and a milestone to add."""
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    form = MilestoneForm(request.POST or None, programme=programme)
    if request.method == "POST":
        authorise(request.user, "portfolio.change_plan", programme)
        if form.is_valid():
            try:
                milestone = milestone_save(
                    programme=programme, actor=request.user, **form.cleaned_data
                )
            except ServiceError as error:
                show_service_error(form, error)
            else:
                messages.success(request, f"“{milestone}” added to the plan.")
                return redirect(_plan_url(programme, milestone))
    context = plan_page(programme) | {
        "form": form,
        "can_edit": request.user.has_perm("portfolio.change_plan", programme),
    }
    return render(request, "portfolio/plan.html", context)


def _milestone(slug: str, pk: int) -> tuple[Programme, Milestone]:
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    milestone = get_object_or_404(programme.milestones.with_context(), pk=pk)
    return programme, milestone


@require_http_methods(["GET", "POST"])
@policy("portfolio.view_programme")
def milestone_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One milestone: change it (the team), record it complete, and every move of its dates."""
    programme, milestone = _milestone(slug, pk)
    can_edit = request.user.has_perm("portfolio.change_plan", programme)
    form = MilestoneForm(request.POST or None, programme=programme, milestone=milestone)
    if request.method == "POST":
        authorise(request.user, "portfolio.change_plan", programme)
        if form.is_valid():
            try:
                milestone_save(
                    programme=programme, milestone=milestone, actor=request.user,
                    **form.cleaned_data,
                )  # fmt: skip
            except ServiceError as error:
                show_service_error(form, error)
            else:
                messages.success(request, f"“{form.cleaned_data['title']}” saved.")
                return redirect(_plan_url(programme, milestone))
    context = {
        "programme": programme,
        "milestone": milestone,
        "form": form,
        "complete_form": MilestoneCompleteForm(initial={"completed_on": timezone.localdate()}),
        "can_edit": can_edit,
        "moves": milestone_moves(milestone),
    }
    return render(request, "portfolio/milestone_edit.html", context)


@require_POST
@policy("portfolio.view_programme")
def milestone_complete_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, milestone = _milestone(slug, pk)
    authorise(request.user, "portfolio.change_plan", programme)
    form = MilestoneCompleteForm(request.POST)
    if not form.is_valid():
        context = {
            "programme": programme, "milestone": milestone, "complete_form": form,
            "form": MilestoneForm(programme=programme, milestone=milestone), "can_edit": True,
            "moves": milestone_moves(milestone),
        }  # fmt: skip
        return render(request, "portfolio/milestone_edit.html", context)
    try:
        milestone_complete(
            milestone=milestone, completed_on=form.cleaned_data["completed_on"], actor=request.user
        )
    except ServiceError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"“{milestone}” recorded as complete.")
    return redirect(_plan_url(programme, milestone))


@require_POST
@policy("portfolio.view_programme")
def milestone_move_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, milestone = _milestone(slug, pk)
    authorise(request.user, "portfolio.change_plan", programme)
    form = MilestoneMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to move the milestone up or down.")
        return redirect(_plan_url(programme))
    try:
        milestone_move(milestone=milestone, up=form.cleaned_data["direction"] == "up",
                       actor=request.user)  # fmt: skip
    except ServiceError as error:
        show_service_error(request, error)
    return redirect(_plan_url(programme, milestone))


# --- Microsoft Project import ------------------------------------------------------------------
PREVIEW_HOURS = 12  # a preview may be confirmed this long after it was shown


def _signed_rows(programme: Programme, rows: list[PlanRow]) -> str:
    return signing.dumps(
        [row.as_dict() for row in rows], salt=f"plan-import:{programme.pk}", compress=True
    )


def _unsigned_rows(programme: Programme, value: str) -> list[PlanRow] | None:
    try:
        data = signing.loads(
            value, salt=f"plan-import:{programme.pk}", max_age=PREVIEW_HOURS * 3600
        )
        return [PlanRow(**row) for row in data]
    except (signing.BadSignature, TypeError, ValueError):
        return None


def _import_page(request: HttpRequest, programme: Programme, **context) -> HttpResponse:
    context = {
        "programme": programme, "form": context.pop("form", None) or PlanImportForm(),
        "max_mb": MAX_BYTES // (1024 * 1024), "max_milestones": MAX_MILESTONES,
        "headers": HEADERS, **context,
    }  # fmt: skip
    return render(request, "portfolio/plan_import.html", context)


@require_http_methods(["GET", "POST"])
@policy("portfolio.view_programme")
def plan_import_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a Project XML plan and see what it would do: nothing is written until confirmed."""
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    authorise(request.user, "portfolio.change_plan", programme)
    form = PlanImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _import_page(request, programme, form=form)
    upload = form.cleaned_data["file"]
    kind = _upload_kind(upload)
    project = ""
    try:
        if kind == "xml":
            parsed = parse_project_xml(upload)
            rows, errors, project = parsed.rows, parsed.errors, parsed.project
        else:
            rows, errors = parse_plan_sheet(upload, is_csv=kind == "csv")
    except SpreadsheetError as error:
        return _import_page(request, programme, form=form, errors=[error.message])
    comparison = compare_plan(programme, rows)
    errors += comparison.errors
    if errors:
        return _import_page(request, programme, form=form, errors=errors, comparison=comparison)
    confirm = PlanImportConfirmForm(initial={"rows": _signed_rows(programme, rows)})
    return _import_page(request, programme, comparison=comparison, confirm=confirm, project=project)


def _upload_kind(upload) -> str:
    """ "xlsx" (a zip), "xml" (Project's XML) or "csv", from the file's first bytes."""
    head = upload.read(512)
    upload.seek(0)
    if head.startswith(b"PK"):
        return "xlsx"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "xml" if text.startswith(b"<") else "csv"


@require_GET
@policy("portfolio.view_programme")
def plan_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The plan as the sheet the import reads back (XLSX or CSV), formula-safe."""
    programme = get_object_or_404(Programme, slug=slug)
    if fmt not in FORMATS:
        raise Http404
    return download(plan_table(programme), fmt)


@require_POST
@policy("portfolio.view_programme")
def plan_import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Import the previewed plan in one transaction: all of it, or nothing."""
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    authorise(request.user, "portfolio.change_plan", programme)
    form = PlanImportConfirmForm(request.POST)
    rows = _unsigned_rows(programme, form.data.get("rows", "")) if form.is_valid() else None
    if rows is None:
        expired = "The preview has expired or was changed: upload the file again."
        return _import_page(request, programme, errors=[expired])
    try:
        result = plan_import(programme=programme, rows=rows, actor=request.user)
    except ServiceError as error:
        return _import_page(request, programme, errors=error.messages)
    messages.success(
        request,
        f"Plan imported: {len(result.create)} milestones added, {len(result.update)} updated, "
        f"{len(result.unchanged)} unchanged.",
    )
    return redirect(_plan_url(programme))

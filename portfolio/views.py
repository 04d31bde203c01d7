from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from accounts.policies import policy

from .forms import ProgrammeFilterForm
from .models import Programme
from .queries import programme_page


@require_GET
@policy("portfolio.view_programme")
def programme_list(request: HttpRequest) -> HttpResponse:
    form = ProgrammeFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    programmes = (
        Programme.objects.with_people()
        .in_portfolio(filters.get("portfolio"))
        .in_stage(filters.get("stage"))
        .in_category(filters.get("category"))
    )
    template = "portfolio/programme_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, {"form": form, "programmes": programmes})


@require_GET
@policy("portfolio.view_programme")
def programme_detail(request: HttpRequest, slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme.objects.with_people(), slug=slug)
    return render(request, "portfolio/programme_detail.html", programme_page(programme))

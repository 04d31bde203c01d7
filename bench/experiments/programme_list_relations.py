"""The programmes list's page (stage=deliver, category=A, as `make bench` asks for it) queried
and rendered as the view does for the PMO, with every relation ``with_people`` reads
(portfolio, directorate, SRO, manager) against only those the list shows (portfolio, SRO):
alternated over 60 rounds, the order swapped each round; the medians."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory

from portfolio.forms import ProgrammeFilterForm
from portfolio.models import Programme
from portfolio.views import PROGRAMMES_PER_PAGE

URL = "/programmes/?stage=deliver&category=A"
RELATIONS = {
    "portfolio, directorate, SRO, manager": ("portfolio", "directorate", "sro", "manager"),
    "portfolio, SRO (as the view reads)": ("portfolio", "sro"),
}
request = RequestFactory().get(URL)
request.user = get_user_model().objects.get(username="pmo")


def _timed(relations: tuple[str, ...]) -> float:
    started = time.perf_counter()
    form = ProgrammeFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    programmes = (
        Programme.objects.select_related(*relations)
        .in_stage(filters.get("stage"))
        .in_category(filters.get("category"))
    )
    page = Paginator(programmes, PROGRAMMES_PER_PAGE).get_page(1)
    context = {"form": form, "page": page}
    render_to_string("portfolio/programme_list.html", context, request=request)
    return time.perf_counter() - started


times: dict[str, list[float]] = {name: [] for name in RELATIONS}
for relations in RELATIONS.values():
    _timed(relations)
for i in range(60):
    for name in list(RELATIONS) if i % 2 == 0 else list(RELATIONS)[::-1]:
        times[name].append(_timed(RELATIONS[name]))
for name, seconds in times.items():
    print(f"{name}: {statistics.median(seconds) * 1000:.1f} ms")

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policies import policy
from portfolio.models import Programme
from portfolio.queries import stage_table


@require_GET
@policy("dashboard.view_home")
def home(request: HttpRequest) -> HttpResponse:
    """The landing page: the portfolio's "Where are we?" for staff, reports for scrutiny."""
    user = request.user
    if not user.has_perm("portfolio.view_portfolio"):
        return render(request, "dashboard/home_scrutiny.html")
    programmes = list(Programme.objects.with_people())
    own = [p for p in programmes if user.pk in (p.manager_id, p.sro_id)]
    return render(
        request,
        "dashboard/home.html",
        {
            "own_programmes": own,
            "table": stage_table(programmes),
            "programme_count": len(programmes),
        },
    )

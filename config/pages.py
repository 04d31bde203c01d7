"""Pages that belong to the service as a whole rather than to one app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.policies import public


@require_GET
@public
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement: public, so someone who cannot sign in can read it."""
    return render(request, "accessibility.html")

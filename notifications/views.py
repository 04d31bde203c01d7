"""The PMO's outbox page (every notification and what became of it, with "send again") and
each person's page for choosing how they are notified."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.policies import policy
from core.errors import ServiceError, show_service_error

from . import queries, services
from .forms import ChoicesForm, OutboxFilterForm
from .kinds import KINDS
from .models import Notification

PER_PAGE = 50


@require_GET
@policy("notifications.view_outbox")
def outbox_list(request: HttpRequest) -> HttpResponse:
    form = OutboxFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(queries.outbox(status), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/outbox_list.html",
        {"form": form, "page": page, "counts": queries.outbox_counts()},
    )


@require_POST
@policy("notifications.resend")
def outbox_resend(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk)
    try:
        services.notification_resend(notification=notification, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        notification.refresh_from_db()
        messages.success(
            request,
            f"“{notification.subject}” to {notification.destination} is being sent again: "
            f"its status is now {notification.get_status_display().lower()}.",
        )
    return redirect("notifications:outbox")


@require_http_methods(["GET", "POST"])
@policy("notifications.choose_own")
def choices(request: HttpRequest) -> HttpResponse:
    person = request.user
    form = ChoicesForm(request.POST or None, initial=queries.choices_of(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_choices_set(
                person=person, choices=form.cleaned_data, actor=request.user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, "Your notification choices are saved.")
            return redirect("notifications:choices")
    return render(request, "notifications/choices.html", {"form": form, "kinds": KINDS})

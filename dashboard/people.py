"""People pages for the PMO (/people/): who has which role, what each person holds, adding
someone, changing roles and boards, deactivating a leaver and handing their work on, and which
identity-provider groups give which role. They live in the dashboard app because a person's
page reads every app (programmes, boards, actions, risks)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from accounts.forms import PersonAddForm, PersonFilterForm, PersonRolesForm, RoleMappingForm
from accounts.models import RoleMapping, User
from accounts.policies import policy
from accounts.queries import people_search, person_history
from accounts.roles import Role
from core.errors import ServiceError, show_service_error
from governance import services as governance_services

from .forms import PersonBoardsForm, ReassignForm
from .queries import person_work

PEOPLE_PER_PAGE = 25


def _person(pk: int) -> User:
    return get_object_or_404(User.objects.prefetch_related("groups"), pk=pk)


def _role_values(person: User) -> list[str]:
    names = {group.name for group in person.groups.all()}
    return [role.value for role in Role if role.group_name in names]


@require_GET
@policy("accounts.view_people")
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = people_search(
        q=filters.get("q", ""), role=filters.get("role", ""), status=filters.get("status", "")
    )
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "dashboard/person_list.html", {"form": form, "page": page})


@require_GET
@policy("accounts.view_people")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    return render(
        request,
        "dashboard/person_detail.html",
        {
            "person": person,
            "work": person_work(person),
            "history": person_history(person),
            "provider_name": settings.OIDC_PROVIDER_NAME,
        },
    )


@require_http_methods(["GET", "POST"])
@policy("accounts.change_people")
def person_add(request: HttpRequest) -> HttpResponse:
    form = PersonAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = account_services.person_add(
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                username=data["username"],
                job_title=data["job_title"],
                roles=data["roles"],
                actor=request.user,
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"{person} has been added.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "dashboard/person_add.html", {"form": form})


@require_http_methods(["GET", "POST"])
@policy("accounts.change_people")
def person_roles(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = PersonRolesForm(request.POST or None, initial={"roles": _role_values(person)})
    if request.method == "POST" and form.is_valid():
        try:
            account_services.person_roles_set(
                person=person, roles=form.cleaned_data["roles"], actor=request.user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"{person}'s roles are saved.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "dashboard/person_roles.html",
        {"person": person, "form": form, "provider_name": settings.OIDC_PROVIDER_NAME},
    )


@require_http_methods(["GET", "POST"])
@policy("accounts.change_people")
def person_boards(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = PersonBoardsForm(request.POST or None, initial={"boards": list(person.boards.all())})
    if request.method == "POST" and form.is_valid():
        try:
            governance_services.person_boards_set(
                person=person, boards=list(form.cleaned_data["boards"]), actor=request.user
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"The boards {person} sits on are saved.")
            return redirect("people:detail", pk=person.pk)
    return render(request, "dashboard/person_boards.html", {"person": person, "form": form})


@require_http_methods(["GET", "POST"])
@policy("accounts.change_people")
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    error = None
    if request.method == "POST":
        try:
            account_services.person_deactivate(person=person, actor=request.user)
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{person} has been deactivated: they can no longer sign in.")
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "dashboard/person_deactivate.html",
        {
            "person": person,
            "work": person_work(person),
            "error": error,
            "error_list": [error] if error else [],
        },
        status=400 if error else 200,
    )


@require_POST
@policy("accounts.change_people")
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    try:
        account_services.person_reactivate(person=person, actor=request.user)
    except ServiceError as error:
        show_service_error(request, error)
    else:
        messages.success(request, f"{person} can sign in again.")
    return redirect("people:detail", pk=person.pk)


@require_http_methods(["GET", "POST"])
@policy("accounts.change_people")
def person_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(pk)
    form = ReassignForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            moved = governance_services.person_work_reassign(
                person=person, actor=request.user, **form.cleaned_data
            )
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(
                request,
                f"Moved from {person}: {moved['actions']} actions, {moved['risks']} risks, "
                f"{moved['managed']} programmes managed, {moved['sro']} programmes as SRO.",
            )
            return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "dashboard/person_reassign.html",
        {"person": person, "form": form, "work": person_work(person)},
    )


@require_http_methods(["GET", "POST"])
@policy("accounts.change_people")
def role_mappings(request: HttpRequest) -> HttpResponse:
    form = RoleMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mapping = account_services.role_mapping_add(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            messages.success(request, f"{mapping.claim_value} now gives the role "
                             f"{mapping.get_role_display()}.")  # fmt: skip
            return redirect("people:role_mappings")
    return render(
        request,
        "dashboard/role_mappings.html",
        {
            "form": form,
            "mappings": RoleMapping.objects.all(),
            "provider_name": settings.OIDC_PROVIDER_NAME,
            "groups_claim": settings.OIDC_GROUPS_CLAIM,
            "sso_enabled": bool(settings.OIDC_ISSUER),
        },
    )


@require_POST
@policy("accounts.change_people")
def role_mapping_delete(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = get_object_or_404(RoleMapping, pk=pk)
    account_services.role_mapping_delete(mapping=mapping, actor=request.user)
    messages.success(
        request,
        f"{mapping.claim_value} no longer gives the role {mapping.get_role_display()}: people "
        "in it lose the role at their next sign-in.",
    )
    return redirect(reverse("people:role_mappings"))

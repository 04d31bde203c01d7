"""Ids no database column can hold (2**31, 2**63, 10**30, -1) are a form error or a 404, never a
500: in every registered form's id fields and in every URL's id segment.

The cases are generated: the forms from tests/security/hostile.py's REGISTRY (and a test below
fails on any form class the apps define that is not registered), the URLs by walking the URLconf
for ``<int:…>`` segments, with the other segments taken from the permission matrix's samples.
"""

import importlib
import re

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from portfolio.models import Programme
from tests.security import figures
from tests.security.hostile import GRIDS, REGISTRY, UNREGISTERED_FORMS, HostileForm
from tests.security.matrix import EXEMPT_NAMESPACES, EXPECTATIONS, DemoObjects, actor_users
from tests.security.test_hostile_inputs import client_for

OUT_OF_RANGE = [str(2**31), str(2**63 - 1), str(2**63), str(10**30), "-1", "-" + str(2**63 + 1)]

FORM_MODULES = [
    "accounts.forms",
    "portfolio.forms",
    "governance.forms",
    "benefits.forms",
    "dashboard.forms",
    "reports.forms",
    "api.forms",
]


def app_form_classes() -> dict[str, type]:
    """Every form and formset class the apps define (not the ones they import)."""
    found: dict[str, type] = {}
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, obj in vars(module).items():
            if not isinstance(obj, type):
                continue
            if issubclass(obj, forms.BaseFormSet) and obj is not forms.BaseFormSet:
                defined_here = (
                    obj.__module__ == module_name
                    or getattr(getattr(obj, "form", None), "__module__", None) == module_name
                )
            elif issubclass(obj, forms.BaseForm):
                defined_here = obj.__module__ == module_name
            else:
                continue
            if defined_here:
                found[f"{module_name}.{name}"] = obj
    return found


def test_every_form_the_apps_define_is_in_the_hostile_registry():
    registered = {entry.form for entry in REGISTRY} | {grid.form for grid in GRIDS}
    missing = sorted(
        name
        for name, cls in app_form_classes().items()
        if cls not in registered and name not in UNREGISTERED_FORMS
    )
    assert missing == [], (
        f"Forms with no hostile-input entry: {missing}. Log each in REGISTRY or GRIDS in "
        "tests/security/hostile.py, or say in UNREGISTERED_FORMS why it needs none."
    )


def id_fields(form: forms.BaseForm) -> list[str]:
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.ModelChoiceField | forms.IntegerField)
    ]


def with_id_fields(entry: HostileForm) -> bool:
    return any(
        isinstance(field, forms.ModelChoiceField | forms.IntegerField) and name not in entry.fixed
        for name, field in entry.form.base_fields.items()
    )


FORMS_WITH_IDS = [entry for entry in REGISTRY if with_id_fields(entry)]


@pytest.mark.django_db
def test_out_of_range_ids_in_a_form_are_a_form_error_not_a_500(demo):
    """Each id or integer field of each form (fields a form adds as it is built included) gets
    each out-of-range value; the other fields are left empty."""
    assert len(FORMS_WITH_IDS) >= 15
    programme = Programme.objects.get(slug="commercial")
    objects = DemoObjects(programme=programme)
    wrong = []
    for entry in FORMS_WITH_IDS:
        form = entry.form(**entry.form_kwargs(objects))
        client = client_for(entry, programme)
        url = entry.url(objects)
        for name in id_fields(form):
            if name in entry.fixed:
                continue
            for value in OUT_OF_RANGE:
                data = {**entry.fixed, name: value}
                send = client.get if entry.method == "GET" else client.post
                status = send(url, data).status_code
                figures.out_of_range_checks += 1
                if status not in {200, 302, 400}:
                    wrong.append(f"{entry.name}: {entry.method} {url} {name}={value}: {status}")
    assert wrong == []


def int_routes(patterns=None, prefix="", namespace=None):
    """(name, route) of every named URL with an ``<int:…>`` segment."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns not in EXEMPT_NAMESPACES:
                yield from int_routes(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            route = prefix + str(pattern.pattern)
            if "<int:" in route:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route


SEGMENT = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def fill(route: str, kwargs: dict, bad_name: str, bad_value: str) -> str:
    def value(match: re.Match) -> str:
        name = match["name"]
        return bad_value if name == bad_name else str(kwargs[name])

    return "/" + SEGMENT.sub(value, route)


ROUTES = sorted(set(int_routes()))


def test_the_url_walk_finds_the_id_routes():
    assert len(ROUTES) >= 20
    assert ("benefits:profile_save", "programmes/<slug:slug>/benefits/<int:pk>/profile/") in ROUTES


@pytest.mark.django_db
def test_out_of_range_ids_in_a_url_are_a_404_not_a_500(demo):
    """Every ``<int:…>`` segment of every URL gets each out-of-range value, for every method
    the URL allows, as the PMO (who may use them all): a 404 each time."""
    programme = Programme.objects.get(slug="commercial")
    client = Client()
    client.force_login(actor_users(programme)["pmo"])
    wrong = []
    for name, route in ROUTES:
        entry = EXPECTATIONS[name]
        kwargs = entry.kwargs(DemoObjects(programme=programme))
        for segment in SEGMENT.finditer(route):
            if segment["converter"] != "int":
                continue
            for value in OUT_OF_RANGE:
                path = fill(route, kwargs, segment["name"], value)
                for method in entry.methods():
                    status = client.generic(method, path).status_code
                    figures.out_of_range_checks += 1
                    if status != 404:
                        wrong.append(f"{method} {path}: {status}")
    assert wrong == []

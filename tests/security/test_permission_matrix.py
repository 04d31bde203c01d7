"""Every named URL × every HTTP method × every actor gives the status EXPECTATIONS says.

See tests/security/matrix.py for the table and how to add a URL to it.
"""

from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portfolio.models import Programme
from tests.security import figures
from tests.security.fingerprint import watch
from tests.security.matrix import (
    ACTORS,
    EXEMPT_NAMESPACES,
    EXPECTATIONS,
    METHODS,
    DemoObjects,
    actor_users,
)

SAMPLE_PROGRAMME = "commercial"


def named_urls(patterns=None, namespace=None):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            yield from named_urls(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def unnamed_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace not in EXEMPT_NAMESPACES:
                yield from unnamed_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and not pattern.name:
            yield prefix + str(pattern.pattern)


def test_every_named_url_has_an_expectation():
    names = set(named_urls())
    missing = sorted(names - set(EXPECTATIONS))
    assert missing == [], (
        f"URLs without a permission-matrix entry: {missing}. "
        "Add each to EXPECTATIONS in tests/security/matrix.py (see its docstring)."
    )
    stale = sorted(set(EXPECTATIONS) - names)
    assert stale == [], f"EXPECTATIONS names URLs that no longer exist: {stale}"


def test_every_url_is_named_so_the_matrix_can_see_it():
    assert list(unnamed_routes()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_permission_matrix(demo, name):
    entry = EXPECTATIONS[name]
    programme = Programme.objects.select_related("manager").get(slug=SAMPLE_PROGRAMME)
    users = actor_users(programme)
    assert set(users) == set(ACTORS)
    assert users["other_manager"] is not None
    url = reverse(name, kwargs=entry.kwargs(DemoObjects(programme=programme)))

    clients = {}
    for actor, user in users.items():
        clients[actor] = Client()
        if user is not None:
            clients[actor].force_login(user)  # before watching: it sets last_login

    # Refused writes first, watched (fingerprint.watch): a refusal must write nothing at all.
    expected_methods = entry.methods()
    checks = [
        (method, actor, expected)
        for method in METHODS
        for actor, expected in (expected_methods.get(method) or entry.others).items()
    ]
    refused = [c for c in checks if c[0] != "GET" and _refusal(c[1], c[2])]
    allowed = [c for c in checks if c not in refused]

    wrong: list[str] = []
    written = watch()
    for method, actor, expected in refused:
        _check(wrong, clients[actor], name, url, method, actor, expected, entry)
    if changed := written():
        wrong.append(f"refused writes to {url} wrote to {changed}")
    for method, actor, expected in allowed:
        _check(wrong, clients[actor], name, url, method, actor, expected, entry)
    assert wrong == [], "\n".join(wrong)


def _refusal(actor: str, expected: int) -> bool:
    return expected in (403, 404, 405) or (actor == "anonymous" and expected == 302)


def _check(wrong, client, name, url, method, actor, expected, entry) -> None:
    response = client.generic(
        method,
        url,
        data=urlencode(entry.data.get(method, {}), doseq=True),
        content_type="application/x-www-form-urlencoded",
    )
    figures.record_matrix_check(name, actor, method)
    got = response.status_code
    if got != expected:
        wrong.append(f"{method} {url} as {actor}: expected {expected}, got {got}")
    elif actor == "anonymous" and got == 302 and name not in {"login", "logout"}:
        location = urlsplit(response["Location"]).path
        if location != reverse("login"):
            wrong.append(f"{method} {url} as anonymous: redirected to {location}")


# --- owners made through the database gain nothing (row 5 of the outside test) ------------------
# A scrutiny member and a user with no role, made owner of the sample benefit by writing the
# database directly (the pickers and services refuse it): on every benefits URL, every method,
# they get exactly what their role's column of the matrix gives, and a profile post with real
# money changes nothing.
OWNERS_BY_DATABASE = {"scrutiny_owner": "scrutiny", "no_role_owner": "no_role"}


@pytest.mark.django_db
def test_owners_made_through_the_database_get_only_what_their_role_gets(demo):
    from benefits.models import Benefit
    from tests.security import samples
    from tests.security.matrix import actor_users as users_for

    programme = Programme.objects.select_related("manager").get(slug=SAMPLE_PROGRAMME)
    demo_objects = DemoObjects(programme=programme)
    kwargs = samples.benefit(demo_objects)
    base = users_for(programme)
    owners = {actor: base[role] for actor, role in OWNERS_BY_DATABASE.items()}
    benefit = Benefit.objects.get(pk=kwargs["pk"])
    wrong: list[str] = []
    for actor, user in owners.items():
        Benefit.objects.filter(pk=benefit.pk).update(owner=user)
        client = Client()
        client.force_login(user)
        written = watch()
        for name, entry in sorted(EXPECTATIONS.items()):
            if not name.startswith("benefits:"):
                continue
            url = reverse(name, kwargs=entry.kwargs(demo_objects))
            role = OWNERS_BY_DATABASE[actor]
            for method, expected in entry.methods().items():
                _check(wrong, client, name, url, method, actor, expected[role], entry)
        grid = {
            "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
            "form-0-financial_year": "2020/21", "form-0-planned": "5000000",
            "form-0-forecast": "5000000", "form-0-actual": "4000000",
        }  # fmt: skip
        save = reverse("benefits:profile_save", kwargs=kwargs)
        assert client.post(save, grid).status_code == 403, actor
        mine = client.get(reverse("benefits:mine"))
        assert mine.status_code == 403, actor
        if changed := written():
            wrong.append(f"{actor}: refused requests wrote to {changed}")
    assert wrong == [], "\n".join(wrong)

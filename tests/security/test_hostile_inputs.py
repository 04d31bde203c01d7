"""Hostile values posted to every registered form and grid: never a 500, never markup echoed
unescaped, and a grid saves every cell of a post or none.

The forms and grids are registered in tests/security/hostile.py.
"""

import string

import pytest
from django import forms
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from portfolio.models import Programme
from tests.security import figures
from tests.security.hostile import GRIDS, REGISTRY, HostileForm, HostileGrid
from tests.security.matrix import DemoObjects, actor_users
from tests.support.hypothesis_profiles import EXAMPLES

# 15 and 40 under HYPOTHESIS_PROFILE=ci (what CI runs); fewer in the default `dev` profile.
EXAMPLES_PER_FORM = EXAMPLES.form
EXAMPLES_PER_GRID = EXAMPLES.grid

MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "</textarea><script>alert(document.cookie)</script>",
    '" autofocus onfocus="alert(1)',
]
NASTY_TEXT = [
    *MARKUP,
    "\x00",
    "Finance\x00<script>alert(1)</script>",
    "\u202eevil\u202c",  # right-to-left override
    "برنامج التحول",  # Arabic, right to left
    "👩🏽‍💻 💷🚀",
    "{{ request.user }}{% debug %}",
    "'; DROP TABLE accounts_user; --",
    "../../../../etc/passwd",
    "A" * 10_000,
    "\ufeff\u200b\u200d",
    " ",
]
NASTY_NUMBERS = [
    "-1",
    "-0.01",
    "-£1,000,000",
    "1e308",
    "1e-308",
    "9" * 400,
    "-" + "9" * 40,
    "NaN",
    "Infinity",
    "0x1F",
    "1,5",
    "½",
    "٣",  # Arabic-Indic digit three
]
NASTY_DATES = [
    "2024-02-30",
    "2023-02-29",
    "31/13/2024",
    "0000-00-00",
    "99999-01-01",
    "2024-04-31T25:61",
    "yesterday",
    "1899-12-31",
]

text = st.one_of(
    st.sampled_from(NASTY_TEXT),
    st.text(max_size=200),
    st.text(alphabet=string.printable, min_size=1, max_size=50).map(lambda s: f"<b>{s}</b>"),
)


def strategy_for(field: forms.Field) -> st.SearchStrategy[str]:
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return st.one_of(
            st.sampled_from(NASTY_NUMBERS),
            st.integers().map(str),
            st.decimals(allow_nan=True).map(str),
            text,
        )
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return st.one_of(st.sampled_from(NASTY_DATES), st.dates().map(str), text)
    if isinstance(field, forms.ModelChoiceField):
        return st.one_of(st.sampled_from(["1", "-1", "999999999999999999999"]), text)
    if isinstance(field, forms.ChoiceField):
        valid = [str(value) for value, _ in field.choices] or [""]
        return st.one_of(st.sampled_from(valid), text)
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", "", "false", "0"]), text)
    return text


def hostile_data(entry: HostileForm, demo: DemoObjects) -> st.SearchStrategy[dict[str, str]]:
    fields = {
        name: strategy_for(field)
        for name, field in entry.form(**entry.form_kwargs(demo)).fields.items()
        if name not in entry.fixed and not isinstance(field, forms.FileField)
    }
    return st.fixed_dictionaries(fields).map(lambda data: {**data, **entry.fixed})


def unescaped(values: dict[str, str], page: str) -> list[str]:
    """Submitted values carrying markup that come back verbatim (so not escaped)."""
    found = [v for v in values.values() if any(c in v for c in "<>\"'") and len(v) >= 6]
    found = [v for v in found if v.replace("\x00", "") in page or v in page]
    found += [m for m in MARKUP if m in page]
    return found


@pytest.fixture
def signed_in(demo, request) -> Client:
    """The client of the entry's actor, signed in once for all of the test's examples (before
    the first, so a grid example's rollback does not take its session with it)."""
    params = request.node.callspec.params
    entry = params.get("entry") or params["grid"]
    return client_for(entry, Programme.objects.get(slug="commercial"))


def client_for(entry: HostileForm | HostileGrid, programme: Programme) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.9")
    user = actor_users(programme)[entry.actor]
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("entry", REGISTRY, ids=[entry.name for entry in REGISTRY])
@settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_input_is_never_a_500_nor_echoed_unescaped(signed_in, entry, data):
    client = signed_in
    objects = DemoObjects(programme=Programme.objects.get(slug="commercial"))
    values = data.draw(hostile_data(entry, objects), label="submitted")
    url = entry.url(objects)

    response = client.get(url, values) if entry.method == "GET" else client.post(url, values)
    figures.hostile_examples[entry.name] += 1

    assert response.status_code < 500, f"{entry.method} {url} gave {response.status_code}"
    assert response.status_code in {200, 302, 400, 403}
    assert unescaped(values, response.content.decode()) == []
    follow_up = client.get(url)
    assert follow_up.status_code < 500
    assert unescaped(values, follow_up.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("grid", GRIDS, ids=[grid.name for grid in GRIDS])
@settings(
    max_examples=EXAMPLES_PER_GRID,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_hostile_grid_post_saves_every_cell_or_none_and_never_a_500(signed_in, grid, data):
    # Each example starts from the same data (its changes are rolled back), so the grid's
    # activities and people, which shape the post, are the same when hypothesis replays it.
    with transaction.atomic():
        _post_to_grid(grid, data, signed_in)
        transaction.set_rollback(True)


def _post_to_grid(grid: HostileGrid, data: st.DataObject, client: Client) -> None:
    objects = DemoObjects(programme=Programme.objects.get(slug="commercial"))
    post = data.draw(grid.post(objects), label="post")
    url = grid.url(objects)
    before = grid.stored(objects)

    response = client.post(url, post.data)
    figures.grid_examples[grid.name] += 1
    event(f"{response.status_code}, {'bad' if post.bad else 'good'} post")
    connection.check_constraints()  # a deferred foreign key the save broke fails here

    assert response.status_code < 500, f"POST {url} gave {response.status_code}"
    after = grid.stored(objects)
    page = response.content.decode()
    if response.status_code == 302:
        assert post.bad == [], f"saved a post it should have refused: {post.bad}"
        assert {key: after.get(key) for key in post.expected} == post.expected
    else:
        assert response.status_code in {200, 400}
        assert after == before, "a refused post changed the grid (partly saved)"
        assert "govuk-error-summary" in page, "refused without an error on the page"
    strings = {k: v for k, v in post.data.items() if isinstance(v, str)}
    assert unescaped(strings, page) == []
    follow_up = client.get(response["Location"] if response.status_code == 302 else url)
    assert follow_up.status_code < 500
    assert unescaped(strings, follow_up.content.decode()) == []


def test_the_unescaped_check_catches_raw_markup_and_passes_escaped_markup():
    from django.utils.html import escape

    value = '"><img src=x onerror=alert(1)>'
    assert unescaped({"q": value}, f"<p>{value}</p>") == [value, value]
    assert unescaped({"q": value}, f"<p>{escape(value)}</p>") == []

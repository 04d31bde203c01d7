"""Hostile $filter, $orderby, $top, $skip, $select and $expand values (hypothesis): the feed
answers 200 with rows or 400 with an OData error naming the option, never a 500, and a query
string changes nothing in the database."""

import string
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from api.models import AccessToken
from api.odata.entities import BY_NAME
from governance.models import Risk
from portfolio.models import Programme
from tests.api.conftest import bearer
from tests.benefits.factories import BenefitProfileFactory
from tests.governance.factories import ActionFactory, RiskFactory

SETS = ["Programmes", "Risks", "Actions", "BenefitProfileYears"]
NAMES = [
    *sorted({p.name for name in SETS for p in BY_NAME[name].properties}),
    "Password", "id", "pk", "programme__name", "Portfolio/Name", "Programme", "$it", "1", "''",
]  # fmt: skip
LITERALS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.sampled_from(
        [
            "null",
            "true",
            "false",
            "2020-01-01",
            "2020-02-30",
            "9999-12-31",
            "0000-01-01",
            "2020-01-01T00:00:00Z",
            "1e400",
            "-0",
            "INF",
            "NaN",
            "duration'P1D'",
            "geography'POINT(0 0)'",
            "12345678-1234-1234-1234-123456789012",
            "('a','b')",
            "()",
            "[1,2]",
        ]
    ),
    st.text(max_size=20).map(lambda s: "'" + s.replace("'", "''") + "'"),
    st.text(alphabet=string.printable + "\x00\u202e😀", max_size=12),
)
OPERATORS = st.sampled_from(
    ["eq", "ne", "gt", "ge", "lt", "le", "in", "has", "add", "sub", "mul", "div", "mod", "like"]
)
FUNCTIONS = st.sampled_from(
    ["contains", "startswith", "endswith", "tolower", "toupper", "year", "month", "day",
     "length", "substring", "concat", "now", "round", "cast", "isof", "geo.distance", "any"]
)  # fmt: skip
NAME = st.sampled_from(NAMES)
ATOM = st.one_of(
    st.builds(lambda n, o, v: f"{n} {o} {v}", NAME, OPERATORS, LITERALS),
    st.builds(lambda f, n, v: f"{f}({n},{v})", FUNCTIONS, NAME, LITERALS),
    st.builds(lambda f, n, o, v: f"{f}({n}) {o} {v}", FUNCTIONS, NAME, OPERATORS, LITERALS),
    st.builds(lambda n: f"{n}/any(x: x eq 1)", NAME),
    st.text(max_size=40),
)
FILTER = st.recursive(
    ATOM,
    lambda inner: st.one_of(
        st.builds(lambda a, b, op: f"{a} {op} {b}", inner, inner, st.sampled_from(["and", "or"])),
        st.builds(lambda a: f"not ({a})", inner),
        st.builds(lambda a: f"({a}", inner),
    ),
    max_leaves=6,
)
ORDERBY = st.lists(
    st.builds(
        lambda n, d: f"{n}{d}",
        NAME,
        st.sampled_from(["", " asc", " desc", " up", ",", " desc desc"]),
    ),
    max_size=4,
).map(",".join) | st.text(max_size=30)
NUMBER = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "1e3", "0x10", " 5", "5 ", "١٢", "10.5", "999999999999999999999"]),
    st.text(max_size=8),
)
OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "$filter": FILTER,
        "$orderby": ORDERBY,
        "$top": NUMBER,
        "$skip": NUMBER,
        "$skiptoken": NUMBER,
        "$select": st.lists(NAME, max_size=4).map(",".join) | st.text(max_size=20),
        "$expand": st.lists(NAME, max_size=3).map(",".join) | st.text(max_size=20),
        "$count": st.sampled_from(["true", "false", "TRUE", "1", ""]),
    },
)


@pytest.fixture
def feed(client, make_user, make_token):
    RiskFactory.create_batch(3)
    ActionFactory.create_batch(3)
    BenefitProfileFactory.create_batch(2)
    return client, bearer(make_token(make_user(Role.PMO)))


def _counts() -> tuple[int, ...]:
    return (Programme.objects.count(), Risk.objects.count(), AccessToken.objects.count())


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(set_name=st.sampled_from(SETS), options=OPTIONS)
def test_hostile_query_options_are_a_400_or_a_result_never_a_500(feed, set_name, options):
    client, headers = feed
    before = _counts()
    response = client.get(f"/odata/{set_name}?{urlencode(options)}", **headers)
    assert response.status_code in (200, 400), (
        options,
        response.status_code,
        response.content[:300],
    )
    body = response.json()
    if response.status_code == 400:
        assert body["error"]["code"] == "BadRequest"
        assert body["error"]["target"] in options or body["error"]["target"] == "$filter"
        assert body["error"]["message"]
    else:
        assert isinstance(body["value"], list)
    assert _counts() == before

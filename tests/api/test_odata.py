"""The OData feed on the demo portfolio: every entity set × every role's token, the system query
options, paging, and the 400s a query the feed cannot serve gets."""

import json
from decimal import Decimal

import pytest
from django.http import QueryDict

from accounts.models import User
from accounts.roles import Role
from api.odata.entities import ENTITY_SETS
from benefits.models import Benefit, BenefitProfile
from governance import queries
from governance.logs import LOGS
from governance.models import Action, Risk
from portfolio.models import Programme
from tests.api.conftest import basic, bearer
from tests.security.test_permission_matrix import SAMPLE_PROGRAMME

READERS = ["pmo", "manager", "sro", "board", "viewer"]


def _all(client, url, headers):
    """Every row of a feed URL, following @odata.nextLink to the end."""
    rows, pages = [], 0
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows += body["value"]
        url = body.get("@odata.nextLink")
        pages += 1
        assert pages < 1000
    return rows, pages


@pytest.mark.django_db
def test_every_entity_set_for_every_roles_token(demo, client, make_token, make_user):
    """Portfolio readers' tokens read every set in full (the pages show them every row);
    scrutiny members' and role-less people's tokens read none: 403 naming the set, and a
    service document that lists nothing."""
    users = {name: User.objects.get(username=name) for name in [*READERS, "scrutiny"]}
    users["no_role"] = make_user(username="nobody")
    for name, user in users.items():
        headers = basic(user.username, make_token(user))
        listed = {s["name"] for s in client.get("/odata/", **headers).json()["value"]}
        for entity_set in ENTITY_SETS:
            response = client.get(f"/odata/{entity_set.name}?$count=true", **headers)
            if name in READERS:
                assert response.status_code == 200, (name, entity_set.name)
                assert response.json()["@odata.count"] == entity_set.model._default_manager.count()
                assert entity_set.name in listed
            else:
                assert response.status_code == 403, (name, entity_set.name)
                assert response.json()["error"]["target"] == entity_set.name
                assert listed == set()
            count = client.get(f"/odata/{entity_set.name}/$count", **headers)
            assert count.status_code == (200 if name in READERS else 403)


@pytest.mark.django_db
def test_a_managers_token_sees_the_rows_the_pages_show(demo, client, make_token):
    manager = User.objects.get(username="manager")
    headers = bearer(make_token(manager))
    programme = Programme.objects.get(slug=SAMPLE_PROGRAMME)
    for kind, set_name in (("risks", "Risks"), ("actions", "Actions"), ("issues", "Issues")):
        _form, page_rows, _sort = queries.filtered_rows(LOGS[kind], programme, QueryDict())
        feed, _pages = _all(
            client, f"/odata/{set_name}?$filter=ProgrammeId eq {programme.pk}&$select=Id", headers
        )
        assert {r["Id"] for r in feed} == set(page_rows.values_list("pk", flat=True)), kind
    page = client.get(f"/programmes/{programme.slug}/raid/risks/")
    assert page.status_code == 302  # the token is not a session: the page wants a sign-in


@pytest.mark.django_db
def test_a_benefit_owner_without_a_role_reads_nothing(demo, client, make_token):
    """Owning a benefit is a duty only a staff role may hold (accounts.rules.DUTY_ROLES): someone
    with no role made an owner through the database reads no more than their role gives."""
    benefit = Benefit.objects.order_by("pk").first()
    owner = User.objects.create(username="owner-only")
    Benefit.objects.filter(pk=benefit.pk).update(owner=owner)
    headers = bearer(make_token(owner))
    for entity_set in ("Benefits", "BenefitProfileYears", "Programmes"):
        assert client.get(f"/odata/{entity_set}", **headers).status_code == 403


@pytest.mark.django_db
def test_query_options(demo, client, make_token):
    headers = bearer(make_token(User.objects.get(username="viewer")))
    total = BenefitProfile.objects.count()

    # Paging: bounded pages, keyset @odata.nextLink, to the end, every row once.
    rows, pages = _all(
        client, "/odata/BenefitProfileYears", {**headers, "HTTP_PREFER": "odata.maxpagesize=5"}
    )
    assert len(rows) == total
    assert len({r["Id"] for r in rows}) == total
    assert pages == -(-total // 5)
    big = client.get(
        "/odata/BenefitProfileYears", **headers, HTTP_PREFER="odata.maxpagesize=999999"
    )
    assert big.status_code == 200

    # Money is exact: Edm.Decimal numbers with pence, summed they equal the database.
    text = client.get("/odata/BenefitProfileYears?$select=Forecast", **headers).content.decode()
    forecast = json.loads(text, parse_float=Decimal)["value"]
    assert sum(r["Forecast"] for r in forecast) == sum(
        BenefitProfile.objects.values_list("forecast", flat=True)
    )
    assert '"Forecast":' in text
    assert '"Forecast":"' not in text

    # $select, $filter on decimals and years, $orderby, $top, $skip, $count.
    body = client.get(
        "/odata/BenefitProfileYears?$select=Id,Planned"
        "&$filter=Planned gt 100000.50 and FinancialYear ge 2020"
        "&$orderby=Planned desc,Id&$top=3&$skip=1&$count=true",
        **headers,
    ).json()
    expected = list(
        BenefitProfile.objects.filter(planned__gt=Decimal("100000.50"), financial_year__gte=2020)
        .order_by("-planned", "pk")
        .values_list("pk", flat=True)[1:4]
    )
    assert [r["Id"] for r in body["value"]] == expected
    assert set(body["value"][0]) == {"Id", "Planned"}
    assert (
        body["@odata.count"]
        == BenefitProfile.objects.filter(
            planned__gt=Decimal("100000.50"), financial_year__gte=2020
        ).count()
    )
    assert body["@odata.context"].endswith("$metadata#BenefitProfileYears(Id,Planned)")

    # $top beyond a page: paging stops at $top.
    rows, pages = _all(
        client,
        "/odata/BenefitProfileYears?$top=7",
        {**headers, "HTTP_PREFER": "odata.maxpagesize=3"},
    )
    assert len(rows) == 7
    assert pages == 3
    # $orderby pages by $skip, in order.
    rows, _ = _all(
        client,
        "/odata/Risks?$orderby=Title&$select=Title",
        {**headers, "HTTP_PREFER": "odata.maxpagesize=4"},
    )
    assert [r["Title"] for r in rows] == list(
        Risk.objects.order_by("title", "pk").values_list("title", flat=True)
    )

    # Dates: Edm.Date literals, not, or, contains, startswith, null.
    action = Action.objects.order_by("due_date", "pk").first()
    day = action.due_date.isoformat()
    rows, _ = _all(
        client, f"/odata/Actions?$filter=DueDate le {day} and not (Status eq 'zzz')", headers
    )
    assert {r["Id"] for r in rows} == set(
        Action.objects.filter(due_date__lte=action.due_date).values_list("pk", flat=True)
    )
    assert rows[0]["DueDate"] == Action.objects.get(pk=rows[0]["Id"]).due_date.isoformat()
    word = action.title.split()[0]
    rows, _ = _all(
        client,
        f"/odata/Actions?$filter=contains(Title,'{word}') or startswith(Title,'{word}')",
        headers,
    )
    assert action.pk in {r["Id"] for r in rows}
    rows, _ = _all(client, "/odata/Actions?$filter=CompletedOn eq null", headers)
    assert len(rows) == Action.objects.filter(completed_on__isnull=True).count()
    rows, _ = _all(
        client, "/odata/Risks?$filter=InherentScore ge 15&$select=Id,InherentScore", headers
    )
    assert all(r["InherentScore"] >= 15 for r in rows)
    assert len(rows) == sum(
        1 for r in Risk.objects.all() if r.inherent_likelihood * r.inherent_impact >= 15
    )

    # $expand one level.
    body = client.get("/odata/Milestones?$expand=Programme&$top=2", **headers).json()
    first = body["value"][0]
    assert first["Programme"]["Id"] == first["ProgrammeId"]
    assert first["Programme"]["Name"] == Programme.objects.get(pk=first["ProgrammeId"]).name


@pytest.mark.parametrize(
    ("query", "target", "words"),
    [
        ("$filter=Nope eq 1", "$filter", "no property 'Nope'"),
        ("$filter=Name eq", "$filter", "cannot be read"),
        ("$filter=Name eq 5", "$filter", "cannot be compared with a String"),
        ("$filter=CreatedAt eq 'yesterday'", "$filter", "cannot be compared"),
        ("$filter=Portfolio/Name eq 'x'", "$filter", "navigation properties cannot"),
        ("$filter=Id eq 99999999999999999999999", "$filter", "out of range"),
        ("$filter=Id add 1 eq 2", "$filter", "cannot compare arithmetic"),
        ("$filter=length(Name) eq 2", "$filter", "length"),
        ("$filter=Name", "$filter", "is not a true/false property"),
        ("$filter=LightTouch", "$filter", "LightTouch eq true"),
        ("$filter=StageEnteredAt gt 2020-02-30", "$filter", "is not a real date"),
        ("$select=Name,Password", "$select", "no property 'Password'"),
        ("$orderby=Name sideways", "$orderby", "asc|desc"),
        ("$orderby=Secret", "$orderby", "no property 'Secret'"),
        ("$top=-1", "$top", "whole number"),
        ("$top=ten", "$top", "whole number"),
        ("$skip=99999999999999", "$skip", "whole number"),
        ("$expand=Sro($select=FirstName)", "$expand", "one level"),
        ("$expand=Boards", "$expand", "no navigation property"),
        ("$search=savings", "$search", "not supported"),
        ("$format=xml", "$format", "JSON only"),
        ("$count=maybe", "$count", "true or false"),
    ],
)
@pytest.mark.django_db
def test_a_query_the_feed_cannot_serve_is_a_400_naming_the_part(
    client, make_user, make_token, query, target, words
):
    user = make_user(Role.VIEWER)
    response = client.get(f"/odata/Programmes?{query}", **bearer(make_token(user)))
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "BadRequest"
    assert error["target"] == target
    assert words in error["message"]


@pytest.mark.django_db
def test_an_unknown_entity_set_is_a_404(client, make_user, make_token):
    response = client.get("/odata/Passwords", **bearer(make_token(make_user(Role.PMO))))
    assert response.status_code == 404
    assert response.json()["error"]["target"] == "Passwords"


@pytest.mark.django_db
def test_the_documented_filter_operators_answer(client, make_user, make_token):
    from tests.governance.factories import ActionFactory

    first, second = ActionFactory(title="Alpha brief"), ActionFactory(title="beta plan")
    headers = bearer(make_token(make_user(Role.VIEWER)))

    def ids(query: str) -> set[int]:
        response = client.get(f"/odata/Actions?$filter={query}", **headers)
        assert response.status_code == 200, response.content
        return {r["Id"] for r in response.json()["value"]}

    assert ids(f"Id in ({first.pk},{second.pk})") == {first.pk, second.pk}
    assert ids("tolower(Title) eq 'alpha brief'") == {first.pk}
    assert ids("endswith(Title,'plan')") == {second.pk}
    assert ids(f"year(DueDate) eq {first.due_date.year}") >= {first.pk}
    assert ids("CreatedAt gt 2000-01-01T00:00:00Z") == {first.pk, second.pk}
    assert ids("CompletedOn ne null") == set()
    assert ids(f"Id eq {first.pk} or (Id eq {second.pk} and not (Title eq 'x'))") == {
        first.pk,
        second.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [3, 30])
def test_a_page_costs_the_same_queries_whatever_its_size(
    client, make_user, make_token, django_assert_num_queries, rows
):
    """One query for the token, its owner, the owner's roles and the throttle's lock; then the
    count, one slice and one query per navigation expanded: 5, whatever the number of rows."""
    from tests.governance.factories import RiskFactory

    RiskFactory.create_batch(rows)
    headers = bearer(make_token(make_user(Role.VIEWER)))
    client.get("/odata/", **headers)  # last_used_at is now fresh: not written again
    with django_assert_num_queries(5):
        response = client.get("/odata/Risks?$count=true&$expand=Programme,Owner", **headers)
    assert len(response.json()["value"]) == rows

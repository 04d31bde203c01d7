import pytest

from accounts.roles import Role
from portfolio.models import Stage
from tests.portfolio.factories import ProgrammeFactory


@pytest.fixture
def pmo_client(client_as, make_user):
    return client_as(make_user(Role.PMO))


@pytest.mark.django_db
def test_home_shows_the_seed_programmes_in_their_stages(demo, pmo_client):
    text = pmo_client.get("/").content.decode()
    for name in [
        "Corporate Landlord",
        "One Fleet",
        "Oxfordshire Way",
        "Strategic AI",
        "Commercial",
    ]:
        assert name in text
    assert "Strategic Outline Case (SOC)" in text
    assert "Light Touch" in text


@pytest.mark.django_db
def test_programme_list_filters_by_stage_with_a_shareable_url(demo, pmo_client):
    response = pmo_client.get("/programmes/?stage=identify")
    text = response.content.decode()
    assert "2 programmes" in text
    assert "Corporate Landlord" in text
    assert "One Fleet" in text
    assert "Commercial" not in text


@pytest.mark.django_db
def test_programme_list_filter_by_portfolio_and_category(demo, pmo_client):
    text = pmo_client.get("/programmes/?portfolio=partner-of-choice&category=A").content.decode()
    assert "Commercial" in text
    assert "SEND" in text
    assert "Oxfordshire Way" not in text


@pytest.mark.django_db
def test_programme_list_comes_a_page_at_a_time_with_the_filters_kept(pmo_client):
    from portfolio.views import PROGRAMMES_PER_PAGE as SIZE

    for i in range(SIZE + 2):
        ProgrammeFactory(name=f"Listed {i:02d}", stage=Stage.DELIVER)
    first = pmo_client.get("/programmes/?stage=deliver").content.decode()
    assert f"{SIZE + 2} programmes; showing 1 to {SIZE}" in first
    assert f"Listed {SIZE - 1:02d}" in first
    assert f"Listed {SIZE:02d}" not in first
    assert 'href="?stage=deliver&amp;page=2"' in first
    second = pmo_client.get("/programmes/?stage=deliver&page=2").content.decode()
    assert f"showing {SIZE + 1} to {SIZE + 2}" in second
    assert f"Listed {SIZE + 1:02d}" in second
    assert "Listed 00" not in second
    assert pmo_client.get("/programmes/?page=nonsense").status_code == 200


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results_fragment(demo, pmo_client):
    response = pmo_client.get("/programmes/?stage=design", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "<html" not in text
    assert "Oxfordshire Way" in text
    assert "<h1" not in text


@pytest.mark.django_db
def test_bad_filter_values_are_ignored_not_an_error(demo, pmo_client):
    response = pmo_client.get("/programmes/?stage=nonsense&portfolio=nowhere")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_programme_page_shows_registers(demo, pmo_client):
    text = pmo_client.get("/programmes/ict-strategy/").content.decode()
    assert "ICT savings over five years" in text
    assert "63% reduction" in text
    assert "Establish the ICT Transformation Programme" in text


def _seed(count: int) -> None:
    for _ in range(count):
        ProgrammeFactory(stage=Stage.DELIVER)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/programmes/", "/programmes/?stage=deliver"])
def test_query_count_does_not_grow_with_programmes(pmo_client, django_assert_max_num_queries, path):
    _seed(10)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert pmo_client.get(path).status_code == 200
    _seed(40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert pmo_client.get(path).status_code == 200

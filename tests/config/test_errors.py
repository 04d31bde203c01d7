import pytest
from django.db import OperationalError

from accounts.roles import Role
from portfolio import views as portfolio_views


@pytest.mark.django_db
def test_database_unreachable_gives_a_clear_503_page_not_a_traceback(
    client_as, make_user, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(portfolio_views.Programme.objects, "listed", unreachable)
    client = client_as(make_user(Role.PMO))
    response = client.get("/programmes/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "Delivery Hub cannot reach its database" in text
    assert "Traceback" not in text


@pytest.mark.django_db
def test_unknown_page_is_a_gov_uk_404(client_as, make_user):
    response = client_as(make_user(Role.VIEWER)).get("/programmes/no-such-programme/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()

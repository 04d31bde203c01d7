import pytest

from accounts.roles import Role
from tests.portfolio.factories import DirectorateFactory, PortfolioFactory


@pytest.fixture
def people(make_user):
    return {
        "pmo": make_user(Role.PMO, username="pmo-onboard"),
        "manager": make_user(Role.PROGRAMME_MANAGER, username="manager-onboard"),
        "sro": make_user(Role.SRO, username="sro-onboard"),
        "viewer": make_user(Role.VIEWER, username="viewer-onboard"),
    }


@pytest.fixture
def places(db):
    return {
        "portfolio": PortfolioFactory(name="Partner of Choice", slug="partner-of-choice"),
        "directorate": DirectorateFactory(name="Resources", slug="resources"),
    }


@pytest.fixture
def pmo_client(people, places, client_as):
    return client_as(people["pmo"])


@pytest.fixture
def upload(pmo_client, django_capture_on_commit_callbacks):
    """Upload ``data`` as ``name`` the way the page does, the check run (eagerly, on commit);
    returns the upload row."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from onboarding.models import OnboardingUpload

    def send(data: bytes, name: str = "onboarding.xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            response = pmo_client.post("/onboarding/", {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 302, response.content.decode()[:2000]
        return OnboardingUpload.objects.get(pk=int(response["Location"].split("/")[-2]))

    return send


@pytest.fixture
def confirm(pmo_client, django_capture_on_commit_callbacks):
    def send(upload):
        with django_capture_on_commit_callbacks(execute=True):
            response = pmo_client.post(f"/onboarding/uploads/{upload.pk}/confirm/")
        assert response.status_code == 302
        upload.refresh_from_db()
        return upload

    return send


@pytest.fixture
def template(pmo_client):
    response = pmo_client.get("/onboarding/template.xlsx")
    assert response.status_code == 200
    return b"".join(response.streaming_content)

"""One base class for what services refuse, shown one way by every view."""

import importlib
import inspect

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from core.errors import ServiceError, show_service_error

SERVICE_MODULES = [
    "accounts.services", "portfolio.services", "benefits.services", "governance.services",
    "reports.services",
]  # fmt: skip


def test_every_error_a_service_module_defines_is_a_service_error():
    found = []
    for name in SERVICE_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name:
                found.append(cls)
                assert issubclass(cls, ServiceError), f"{name}.{cls.__name__}"
    names = {cls.__name__ for cls in found}
    assert {"GateError", "DocumentError", "SectionConflict", "AlreadyDecided"} <= names
    assert "ReportLocked" in names


def test_a_service_error_reads_as_its_sentence():
    assert str(ServiceError("Give the reasons for the decision.")) == (
        "Give the reasons for the decision."
    )
    assert str(ServiceError(["One.", "Two."])) == "One. Two."


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False)


def test_on_a_form_a_message_for_a_field_goes_on_that_field_and_the_rest_in_the_summary():
    form = ReasonForm({"reason": ""})
    assert form.is_valid()
    show_service_error(form, ServiceError({"reason": "Give the reason.", "other": "Elsewhere."}))
    assert form.errors["reason"] == ["Give the reason."]
    assert form.non_field_errors() == ["Elsewhere."]


def test_on_a_form_a_list_of_messages_goes_in_the_summary():
    form = ReasonForm({})
    assert form.is_valid()
    show_service_error(form, ServiceError(["First row is wrong.", "Second row is wrong."]))
    assert form.non_field_errors() == ["First row is wrong.", "Second row is wrong."]


def test_on_a_page_the_messages_are_flashed_as_one_error():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    show_service_error(request, ServiceError(["Not now.", "Try later."]))
    [message] = list(get_messages(request))
    assert message.level_tag == "error"
    assert str(message) == "Not now. Try later."


@pytest.mark.django_db
def test_a_pause_refused_by_the_service_is_shown_in_the_forms_error_summary(client_as, make_user):
    from accounts.roles import Role
    from governance.models import BoardKind
    from tests.governance.factories import BoardFactory
    from tests.portfolio.factories import ProgrammeFactory

    pmo = make_user(Role.PMO)
    programme = ProgrammeFactory(stage="paused")
    board = BoardFactory(kind=BoardKind.DELIVERY, members=[pmo])
    response = client_as(pmo).post(
        f"/programmes/{programme.slug}/status/",
        {"move": "pause", "board": board.pk, "reasons": "Funding paused."},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "govuk-error-summary" in text
    assert f"A programme in {programme.stage_label} cannot be paused." in text

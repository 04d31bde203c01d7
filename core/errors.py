"""One base class for what a service refuses, and one way for a view to show it.

A service raises ``ServiceError`` (or a subclass: ``GateError``, ``DocumentError``,
``AlreadyDecided``, ``ReportLocked``...) when a write cannot happen; its messages are written for
the person who asked, and nothing was changed (the service is atomic). It is a Django
``ValidationError``, so messages may be one sentence, a list, or keyed by form field.

A view catches ``ServiceError`` and calls ``show_service_error`` with the form the request
posted (the messages go on its fields or in the error summary) or with the request (the
messages are flashed on the page the view redirects to).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import HttpRequest


class ServiceError(ValidationError):
    """A write a service refuses; the messages are for the user. Nothing was changed."""

    def __str__(self) -> str:
        return " ".join(self.messages)


def full_clean(instance: models.Model, **kwargs: Any) -> None:
    """``instance.full_clean()`` whose refusal is a ``ServiceError`` (fields kept)."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        raise ServiceError(error) from error


def show_service_error(target: forms.BaseForm | HttpRequest, error: ValidationError) -> None:
    """Show a service's refusal: on a form (each message on its field when the form has it,
    otherwise in the error summary), or as an error message on the request's next page."""
    if isinstance(target, HttpRequest):
        messages.error(target, " ".join(error.messages))
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            on_form = field in target.fields and field != NON_FIELD_ERRORS
            target.add_error(field if on_form else None, errors)
        return
    target.add_error(None, error.messages)

"""The hostile-input registry: every form a user can submit, with who submits it and where.

test_hostile_inputs.py generates hostile values for each registered form's fields by field type
(huge and negative numbers, unicode with RTL and emoji, NUL bytes, HTML/JS, bad dates,
over-long strings), submits them, and asserts the response is never a 500 and no hostile markup
comes back unescaped, in that response or in the next GET of the page.

Registering a form is one entry in REGISTRY:

    HostileForm(
        "RAID risk",                               # the name printed in failures
        url=lambda demo: reverse("governance:risk_add", kwargs={"slug": demo.programme.slug}),
        form=RiskForm,                             # its fields choose the strategies
        actor="own_manager",                       # anonymous, pmo, own_manager, viewer, ...
    ),

``fixed`` pins fields that must not be generated (e.g. a version number); ``form_kwargs``
gives the arguments a form needs to be built (e.g. ``lambda demo: {"programme": demo.programme}``)
so its fields can be read; ``method`` is "GET" for filter forms. File fields are left out
(XLSX imports get their own malformed-file tests).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.urls import reverse

from accounts.forms import ThrottledAuthenticationForm
from dashboard.report_forms import NarrativeForm, ProgressForm, QuarterForm, SectionForm
from portfolio.forms import ProgrammeFilterForm


@dataclass(frozen=True)
class HostileForm:
    name: str
    url: Callable[[Any], str]
    form: type[forms.BaseForm]
    actor: str = "pmo"
    method: str = "POST"
    fixed: dict[str, Any] = field(default_factory=dict)
    form_kwargs: Callable[[Any], dict[str, Any]] = lambda demo: {}


REGISTRY: list[HostileForm] = [
    HostileForm(
        "sign-in",
        url=lambda demo: reverse("login"),
        form=ThrottledAuthenticationForm,
        actor="anonymous",
    ),
    HostileForm(
        "programme filter",
        url=lambda demo: reverse("portfolio:programme_list"),
        form=ProgrammeFilterForm,
        actor="viewer",
        method="GET",
    ),
    HostileForm(
        "quarterly report: open a quarter",
        url=lambda demo: reverse("reports:report_list"),
        form=QuarterForm,
    ),
    HostileForm(
        "quarterly report: narrative",
        url=lambda demo: reverse("reports:report_edit", kwargs={"quarter": "2019-20-q3"}),
        form=NarrativeForm,
        fixed={"version": "0"},
    ),
    HostileForm(
        "quarterly report: programme progress",
        url=lambda demo: reverse(
            "reports:progress_edit",
            kwargs={
                "quarter": "2019-20-q3",
                "pk": _report_progress_pk(),
            },
        ),
        form=ProgressForm,
    ),
    HostileForm(
        "quarterly report: section or annex",
        url=lambda demo: reverse("reports:section_add", kwargs={"quarter": "2019-20-q3"}),
        form=SectionForm,
    ),
]


def _report_progress_pk() -> int:
    from dashboard.models import ProgrammeProgress

    return ProgrammeProgress.objects.filter(report__financial_year=2019).order_by("pk").first().pk

"""Rows 8, 9, 10 and 11 of the outside test, each reproduced and now refused or handled.

8: a programme name with a newline made the gate email's subject a BadHeaderError (a 500 after
   the review was committed, and approvers never emailed).
9: a programme named "New" got the slug ``new`` and could not be reached under /programmes/.
10: a 1 MB risk cause made the quarterly report 491 pages long.
11: ``form-TOTAL_FORMS=100000`` on the profile and cost grids built 1,060 forms into a 1.38 MB
    error page.
"""

import pytest
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
from django.urls import reverse

from accounts.roles import Role
from benefits.forms import GRID_MAX_ROWS
from benefits.models import BenefitProfile, OneOffCost
from core.limits import LONG_TEXT, SHORT_TEXT
from governance.forms import RiskForm
from governance.models import Risk
from governance.services import gate_review_submit, log_entry_save
from notifications.render import header_safe
from portfolio.models import Stage
from portfolio.services import programme_create, reserved_programme_slugs
from tests.benefits.factories import BenefitFactory
from tests.governance.conftest import make_programme, world, write_document  # noqa: F401
from tests.portfolio.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

MEGABYTE = "x" * 1_000_000


# --- row 8: newline-safe email subjects ------------------------------------------------------


def test_header_safe_makes_one_line_of_any_name():
    assert header_safe("Waste\r\nBcc: someone@example.com\tand\x0bmore") == (
        "Waste Bcc: someone@example.com and more"
    )
    assert len(header_safe("a" * 1000)) == 200


def test_a_programme_name_with_a_newline_still_emails_the_approvers(
    world,  # noqa: F811
    make_programme,  # noqa: F811
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    programme = make_programme(stage=Stage.DEFINE, category="B", name="Waste\r\nBcc: x@example.com")
    write_document(programme, "initial-brief", world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        gate_review_submit(programme=programme, actor=world.manager)
    assert [m.to for m in mailoutbox] == [[world.sro.email]]
    subject = mailoutbox[0].subject
    assert "\n" not in subject
    assert "\r" not in subject
    assert "Waste Bcc: x@example.com" in subject
    assert mailoutbox[0].message()["Bcc"] is None


# --- row 9: reserved slugs -----------------------------------------------------------------------


def test_a_programme_named_after_a_fixed_path_segment_gets_another_slug(make_user, client_as):
    pmo = make_user(Role.PMO)
    reserved = reserved_programme_slugs()
    assert "new" in reserved
    for segment in sorted(reserved):
        programme = programme_create(name=segment.title(), actor=pmo, description="An idea")
        assert programme.slug not in reserved
        response = client_as(pmo).get(reverse("portfolio:programme_detail", args=[programme.slug]))
        assert response.status_code == 200
        assert segment.title() in response.content.decode()


# --- row 10: text-field length limits ----------------------------------------------------------


def test_a_megabyte_risk_cause_is_refused_by_the_form_and_the_service(make_user):
    form = RiskForm(data={"cause": MEGABYTE})
    assert not form.is_valid()
    assert f"at most {SHORT_TEXT}" in " ".join(form.errors["cause"])
    programme = ProgrammeFactory()
    scores = dict.fromkeys(
        ["inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact",
         "target_likelihood", "target_impact"], 2,
    )  # fmt: skip
    risk = Risk(title="Too long", cause=MEGABYTE, **scores)
    with pytest.raises(ValidationError):
        log_entry_save(instance=risk, programme=programme, actor=make_user(Role.PMO))
    assert not Risk.objects.exists()


def test_the_risk_form_shows_the_limit(client_as, make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    programme = ProgrammeFactory(manager=manager)
    page = client_as(manager).get(reverse("governance:risks_add", args=[programme.slug]))
    text = page.content.decode()
    assert f"You can enter up to {SHORT_TEXT} characters" in text
    assert f'maxlength="{SHORT_TEXT}"' in text


def test_the_quarterly_reports_narrative_is_capped():
    from reports.models import QuarterlyReport

    field = QuarterlyReport._meta.get_field("executive_summary")
    assert field.max_length == LONG_TEXT
    report = QuarterlyReport(financial_year=2019, quarter_number=3, executive_summary=MEGABYTE)
    others = [f.name for f in QuarterlyReport._meta.fields if f.name != "executive_summary"]
    with pytest.raises(ValidationError) as refused:
        report.full_clean(exclude=others)
    assert "executive_summary" in refused.value.message_dict


# --- row 11: formsets capped ---------------------------------------------------------------------


@pytest.mark.parametrize("grid", ["profile", "costs"])
def test_a_grid_claiming_a_hundred_thousand_rows_gets_a_short_error_and_builds_no_rows(
    grid, client_as, make_user, monkeypatch
):
    """Refused without building the claimed rows' forms (what made such a post slow), counted
    rather than timed: a timed yardstick failed on a loaded machine."""
    pmo = make_user(Role.PMO)
    benefit = BenefitFactory()
    programme = benefit.programme
    url = (
        reverse("benefits:profile_save", args=[programme.slug, benefit.pk])
        if grid == "profile"
        else reverse("benefits:one_off_costs", args=[programme.slug])
    )
    data = {
        "form-TOTAL_FORMS": "100000", "form-INITIAL_FORMS": "0", "form-MAX_NUM_FORMS": "60",
        "form-0-financial_year": "2020/21", "form-0-planned": "1", "form-0-budget": "1",
    }  # fmt: skip
    client = client_as(pmo)
    built: list[int] = []
    construct = BaseFormSet._construct_form

    def counted(self, i, **kwargs):
        built.append(i)
        return construct(self, i, **kwargs)

    monkeypatch.setattr(BaseFormSet, "_construct_form", counted)
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code in (200, 400)
    assert f"The grid can have at most {GRID_MAX_ROWS} rows" in page
    assert len(response.content) < 250_000
    assert built == []  # no form for any row it claims (BaseGridFormSet.total_form_count)
    assert not BenefitProfile.objects.exists()
    assert not OneOffCost.objects.exists()

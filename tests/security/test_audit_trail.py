"""Every change made through a view is attributable in history: who (history_user is the
actor), when, before and after. Decisions cannot be edited or deleted through the admin."""

import itertools

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from benefits.forms import BenefitForm
from benefits.models import Benefit, BenefitType
from governance import forms as log_forms
from governance.forms import BoardForm
from governance.models import Action, Board, Decision, Risk
from portfolio.models import DocumentSection, Programme
from portfolio.services import document_is_editable
from tests.security.forms_data import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def commercial(demo):
    return Programme.objects.select_related("manager").get(slug="commercial")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_attributed(row, actor, field: str, before, after) -> None:
    """The record that made ``field`` go from ``before`` to ``after`` names ``actor``."""
    records = list(row.history.order_by("history_date", "history_id"))
    change = next(
        (new, old)
        for old, new in itertools.pairwise(records)
        if getattr(old, field) == before and getattr(new, field) == after
    )
    new, old = change
    assert new.history_user == actor
    assert new.history_date is not None
    assert field in {c.field for c in new.diff_against(old).changes}


def test_a_risk_edited_by_its_programme_manager_is_attributed_to_them(commercial):
    risk = commercial.risks.order_by("pk").first()
    before = risk.title
    data = form_data(log_forms.RiskForm(instance=risk), title="Market not tested before launch")
    url = reverse("governance:risks_edit", kwargs={"slug": commercial.slug, "pk": risk.pk})
    response = signed_in(commercial.manager).post(url, data)
    assert response.status_code == 302
    assert_attributed(
        Risk.objects.get(pk=risk.pk), commercial.manager, "title", before,
        "Market not tested before launch",
    )  # fmt: skip


def test_an_action_edited_through_the_log_is_attributed(commercial):
    action = commercial.actions.order_by("pk").first()
    before = action.title
    data = form_data(log_forms.ActionForm(instance=action), title="Price the first offering")
    url = reverse("governance:actions_edit", kwargs={"slug": commercial.slug, "pk": action.pk})
    response = signed_in(commercial.manager).post(url, data)
    assert response.status_code == 302
    assert_attributed(
        Action.objects.get(pk=action.pk), commercial.manager, "title", before,
        "Price the first offering",
    )  # fmt: skip


def test_a_benefit_edit_is_attributed(commercial):
    benefit = Benefit.objects.create(
        programme=commercial, title="Income from offerings", type=BenefitType.INCOME
    )
    data = form_data(BenefitForm(instance=benefit), title="Income from the first offerings")
    url = reverse("benefits:benefit_edit", kwargs={"slug": commercial.slug, "pk": benefit.pk})
    response = signed_in(commercial.manager).post(url, data)
    assert response.status_code == 302
    assert_attributed(
        Benefit.objects.get(pk=benefit.pk), commercial.manager, "title",
        "Income from offerings", "Income from the first offerings",
    )  # fmt: skip


def test_a_board_edit_is_attributed_to_the_pmo(commercial):
    pmo = User.objects.get(username="pmo")
    board = Board.objects.order_by("pk").first()
    before = board.purpose
    data = form_data(BoardForm(instance=board), purpose="Oversees the whole programme portfolio.")
    response = signed_in(pmo).post(
        reverse("governance:board_edit", kwargs={"slug": board.slug}), data
    )
    assert response.status_code == 302
    assert_attributed(
        Board.objects.get(pk=board.pk), pmo, "purpose", before,
        "Oversees the whole programme portfolio.",
    )  # fmt: skip


def editable_section() -> DocumentSection:
    """A section of a draft the programme's stage lets its manager edit (not locked for a gate)."""
    return next(
        section
        for section in DocumentSection.objects.select_related(
            "document__programme__manager"
        ).order_by("pk")
        if not section.document.locked
        and document_is_editable(section.document.programme, section.document.kind)
    )


def test_a_document_section_save_is_attributed(demo):
    section = editable_section()
    programme = section.document.programme
    before = section.text
    url = reverse(
        "portfolio:section_update",
        kwargs={"slug": programme.slug, "document": section.document.kind, "key": section.key},
    )
    response = signed_in(programme.manager).post(
        url, {"text": "A new strategic case.", "version": section.version}
    )
    assert response.status_code == 302
    assert_attributed(
        DocumentSection.objects.get(pk=section.pk), programme.manager, "text", before,
        "A new strategic case.",
    )  # fmt: skip


def test_a_programme_status_decision_is_attributed_to_the_pmo(commercial):
    pmo = User.objects.get(username="pmo")
    board = log_forms.ProgrammeStatusForm().fields["board"].queryset.first()
    before = commercial.stage
    response = signed_in(pmo).post(
        reverse("governance:programme_status", kwargs={"slug": commercial.slug}),
        {"move": "pause", "board": board.pk, "reasons": "Market test delayed."},
    )
    assert response.status_code == 302
    programme = Programme.objects.get(pk=commercial.pk)
    assert programme.stage != before
    assert_attributed(programme, pmo, "stage", before, programme.stage)


# --- decisions are read-only in the admin ---------------------------------------------------------


@pytest.fixture
def superuser_client(make_user):
    user = make_user(is_staff=True, is_superuser=True)
    return signed_in(user)


def test_the_admin_shows_a_decision_but_cannot_change_it(demo, superuser_client):
    decision = Decision.objects.order_by("pk").first()
    before = Decision.objects.filter(pk=decision.pk).values().get()
    url = reverse("admin:governance_decision_change", args=[decision.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200  # view-only
    assert b'name="_save"' not in page.content
    response = superuser_client.post(url, {"summary": "Rewritten", "decision": "Rewritten"})
    assert response.status_code == 403
    assert Decision.objects.filter(pk=decision.pk).values().get() == before


def test_the_admin_cannot_delete_or_add_a_decision(demo, superuser_client):
    decision = Decision.objects.order_by("pk").first()
    count = Decision.objects.count()
    delete_url = reverse("admin:governance_decision_delete", args=[decision.pk])
    assert superuser_client.get(delete_url).status_code == 403
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:governance_decision_changelist")
    bulk = superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [decision.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)
    assert superuser_client.get(reverse("admin:governance_decision_add")).status_code == 403
    assert Decision.objects.count() == count


def test_no_view_edits_or_deletes_a_decision():
    names = {p.name for p in __import__("governance.urls", fromlist=["urlpatterns"]).urlpatterns}
    assert not {
        n for n in names if n and n.startswith("decision") and n.endswith(("_edit", "_delete"))
    }

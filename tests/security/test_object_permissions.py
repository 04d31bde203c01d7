"""A manager of one programme cannot change another programme's rows, whether by using the
other programme's URL (403) or by putting the other programme's id into their own URL (404).
Nothing changes: the whole portfolio, history included, has the same fingerprint after."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from benefits.models import Benefit, BenefitType
from governance.models import Action, ChangeRequest, GateReview
from portfolio.models import DocumentSection, Programme
from tests.security.fingerprint import portfolio_fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_programmes(demo):
    """(A, B): B is Commercial (it has risks, actions, a draft and gate reviews); A is a
    programme whose manager does not manage or sponsor Commercial. A's manager attacks B."""
    theirs = Programme.objects.select_related("manager").get(slug="commercial")
    mine = first(
        Programme.objects.select_related("manager")
        .exclude(manager=theirs.manager)
        .exclude(manager=theirs.sro)
        .exclude(manager=None)
    )
    Benefit.objects.get_or_create(
        programme=theirs, title="Their benefit", defaults={"type": BenefitType.INCOME}
    )
    Action.objects.get_or_create(
        programme=theirs,
        title="Their action",
        defaults={
            "owner": theirs.manager,
            "created_by": theirs.manager,
            "due_date": date(2026, 1, 5),
        },
    )
    return mine, theirs


def first(qs):
    return qs.order_by("pk").first()


def attempts(mine: Programme, theirs: Programme) -> list[tuple[str, str, dict]]:
    """(what, url, body): each is a write A's manager must not be able to make to B."""
    risk, action, benefit = first(theirs.risks), first(theirs.actions), first(theirs.benefits)
    section = first(
        DocumentSection.objects.filter(document__programme=theirs).select_related("document")
    )
    review = first(GateReview.objects.exclude(programme=mine))
    change = first(ChangeRequest.objects.exclude(programme=mine))
    body = {"title": "Changed by the wrong manager", "text": "Changed", "version": "0"}
    decide = {"outcome": "approved", "move": "approve"}
    A, B = {"slug": mine.slug}, {"slug": theirs.slug}
    rows = [
        ("their risk, their URL", "governance:risks_edit", B | {"pk": risk.pk}, body),
        ("their risk, my URL", "governance:risks_edit", A | {"pk": risk.pk}, body),
        ("their risk as an issue", "governance:risk_issue", B | {"pk": risk.pk}, {}),
        ("their risk as an issue, my URL", "governance:risk_issue", A | {"pk": risk.pk}, {}),
        ("their action, their URL", "governance:actions_edit", B | {"pk": action.pk}, body),
        ("their action, my URL", "governance:actions_edit", A | {"pk": action.pk}, body),
        ("add a risk to their log", "governance:risks_add", B, body),
        ("their RACI", "governance:raci_edit", B, {}),
        ("a change request on their programme", "governance:change_request_add", B, body),
        ("a decision on their programme", "governance:decision_add", B, body),
        ("their benefit", "benefits:benefit_edit", B | {"pk": benefit.pk}, body),
        ("their benefit, my URL", "benefits:benefit_edit", A | {"pk": benefit.pk}, body),
        ("their benefit profile", "benefits:profile_save", B | {"pk": benefit.pk}, {}),
        ("their benefit profile, my URL", "benefits:profile_save", A | {"pk": benefit.pk}, {}),
        ("their one-off costs", "benefits:one_off_costs", B, {}),
        ("submit their gate", "governance:review_submit", B, {}),
        ("their RAID import", "governance:raid_import", B, {}),
    ]
    if section is not None:
        kwargs = B | {"document": section.document.kind, "key": section.key}
        rows.append(("their document section", "portfolio:section_update", kwargs, body))
    if review is not None:
        rows.append(("withdraw their gate", "governance:review_withdraw", {"pk": review.pk}, {}))
        rows.append(("decide their gate", "governance:review_detail", {"pk": review.pk}, decide))
    if change is not None:
        kwargs = {"pk": change.pk}
        rows.append(("decide their change", "governance:change_request_detail", kwargs, decide))
    return [(what, reverse(name, kwargs=kwargs), data) for what, name, kwargs, data in rows]


def test_a_manager_cannot_change_another_programmes_rows(two_programmes):
    mine, theirs = two_programmes
    client = Client()
    client.force_login(mine.manager)
    before = portfolio_fingerprint()
    allowed = []
    for what, url, body in attempts(mine, theirs):
        status = client.post(url, body).status_code
        if status not in (403, 404):
            allowed.append(f"{what}: POST {url} gave {status}")
    assert allowed == []
    changed = [label for label, value in portfolio_fingerprint().items() if before[label] != value]
    assert changed == []

"""The fingerprint the matrix and the refusal tests compare (tests/security/fingerprint.py)
sees a change to one field of one row, and only there; the same data gives the same one."""

import pytest

from governance.models import Risk
from tests.security.fingerprint import portfolio_fingerprint


@pytest.mark.django_db
def test_one_changed_field_changes_that_models_fingerprint_alone_and_putting_it_back_restores_it(
    demo,
):
    before = portfolio_fingerprint()
    assert before == portfolio_fingerprint()
    risk = Risk.objects.order_by("pk").first()
    Risk.objects.filter(pk=risk.pk).update(title=risk.title + ".")
    after = portfolio_fingerprint()
    assert [label for label in before if before[label] != after[label]] == ["governance.Risk"]
    assert after["governance.Risk"]["count"] == before["governance.Risk"]["count"]
    Risk.objects.filter(pk=risk.pk).update(title=risk.title)
    assert portfolio_fingerprint() == before


@pytest.mark.django_db
def test_a_deleted_row_changes_the_count(demo):
    before = portfolio_fingerprint()
    Risk.objects.order_by("pk").last().delete()
    after = portfolio_fingerprint()
    assert after["governance.Risk"]["count"] == before["governance.Risk"]["count"] - 1
    assert len(before) == len(after) > 40

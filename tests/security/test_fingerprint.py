"""The fingerprint the matrix and the refusal tests compare (tests/security/fingerprint.py)
sees a change to one field of one row, and only there; the same data gives the same one. ``watch``
names the models written since it started, on either database."""

import pytest
from django.db import connection

from benefits.models import Benefit
from governance.models import Risk
from tests.security.fingerprint import portfolio_fingerprint, watch


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


@pytest.mark.django_db
def test_watch_names_the_models_written_since_it_started_and_nothing_else(demo):
    written = watch()
    assert written() == []
    Risk.objects.order_by("pk").last().delete()  # its history row, its portfolio's count
    benefit = Benefit.objects.order_by("pk").first()
    Benefit.objects.filter(pk=benefit.pk).update(title=benefit.title + ".")
    assert written() == [
        "benefits.Benefit", "governance.HistoricalRisk", "governance.Risk", "governance.RiskTally",
    ]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL counts each row written")
def test_on_postgresql_watch_sees_a_write_that_put_back_the_same_value(demo):
    written = watch()
    risk = Risk.objects.order_by("pk").first()
    Risk.objects.filter(pk=risk.pk).update(title=risk.title)
    assert written() == ["governance.Risk"]

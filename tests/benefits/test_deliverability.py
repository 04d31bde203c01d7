"""The one deliverability rule: each colour and its boundaries."""

from decimal import Decimal

import pytest

from benefits.deliverability import AMBER_FLOOR, derive, rate
from benefits.models import Deliverability

D = Decimal
TARGET = D("100000.00")


@pytest.mark.parametrize(
    ("forecast", "actual", "expected"),
    [
        (D("0"), D("100000.00"), Deliverability.BLUE),  # actual reached the target exactly
        (D("150000"), D("120000"), Deliverability.BLUE),
        (D("100000.00"), D("99999.99"), Deliverability.GREEN),  # forecast exactly at target
        (D("99999.99"), D("0"), Deliverability.AMBER),  # a penny short
        (D("90000.00"), D("0"), Deliverability.AMBER),  # exactly 90%: still amber
        (D("89999.99"), D("0"), Deliverability.RED),  # just under 90%
        (D("0"), D("0"), Deliverability.RED),
        (D("0"), D("95000"), Deliverability.AMBER),  # actual counts as the least expected
    ],
)
def test_rule_gives_each_colour_at_its_boundaries(forecast, actual, expected):
    assert derive(target=TARGET, forecast=forecast, actual=actual) == expected


def test_no_target_has_no_rating_and_never_divides():
    assert derive(target=D("0"), forecast=D("5"), actual=D("5")) is None
    assert derive(target=D("-1"), forecast=D("0"), actual=D("0")) is None


def test_amber_floor_is_a_decimal_not_a_float():
    assert isinstance(AMBER_FLOOR, Decimal)


class Obj:
    rating_override = ""
    rating_override_reason = ""
    rating_override_by = None
    rating_override_at = None


def test_pmo_override_wins_and_keeps_the_derived_rating():
    obj = Obj()
    obj.rating_override = "red"
    obj.rating_override_reason = "Savings depend on a restructure not yet agreed"
    rating = rate(obj, target=TARGET, forecast=TARGET, actual=D("0"))
    assert rating.rating == Deliverability.RED
    assert rating.derived == Deliverability.GREEN
    assert rating.is_overridden
    assert rating.reason.startswith("Savings depend")
    assert rating.short_label == "Red"


def test_without_override_the_rule_rating_shows():
    rating = rate(Obj(), target=TARGET, forecast=D("95000"), actual=D("0"))
    assert rating.rating == Deliverability.AMBER
    assert rating.tag_class == "govuk-tag--yellow"
    assert rate(Obj(), target=D("0"), forecast=D("0"), actual=D("0")).label == "No target"

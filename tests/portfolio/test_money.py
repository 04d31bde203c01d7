from decimal import Decimal

import pytest

from portfolio.templatetags.money import gbp, gbp_m


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("180000.00"), "£180,000"),
        (Decimal("0.50"), "£1"),
        (Decimal("-2500"), "−£2,500"),
        (None, "—"),
        ("not money", "—"),
    ],
)
def test_gbp(value, expected):
    assert gbp(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("180000"), "£0.18m"),
        (Decimal("17900000"), "£17.90m"),
        (Decimal("2110000"), "£2.11m"),
        (Decimal("-1900000"), "−£1.90m"),
    ],
)
def test_gbp_m(value, expected):
    assert gbp_m(value) == expected

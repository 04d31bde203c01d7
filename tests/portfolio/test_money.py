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
        (Decimal("17900000"), "£17.9m"),
        (Decimal("2110000"), "£2.11m"),
        (Decimal("-1900000"), "−£1.9m"),
    ],
)
def test_gbp_m(value, expected):
    assert gbp_m(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # No trailing zero, as the council's papers write it: £7.9m, £20.1m; whole: £20m.
        (Decimal("7900000.00"), "£7.9m"),
        (Decimal("20100000"), "£20.1m"),
        (Decimal("20000000"), "£20m"),
        (Decimal("10000000"), "£10m"),
        (Decimal("100000000"), "£100m"),
        (Decimal("500000"), "£0.5m"),
        (Decimal("30000"), "£0.03m"),
        # Rounded half up to the nearest £10,000; what rounds to nothing is £0m, unsigned.
        (Decimal("5000"), "£0.01m"),
        (Decimal("4999.99"), "£0m"),
        (Decimal("-4999.99"), "£0m"),
        (Decimal("0"), "£0m"),
        (Decimal("19995000"), "£20m"),
        (Decimal("-20100000"), "−£20.1m"),
        # Thousands separators before the point.
        (Decimal("1234560000"), "£1,234.56m"),
        (Decimal("1000000000"), "£1,000m"),
        # Text that is a number is read as one; anything else is a dash.
        ("2500000", "£2.5m"),
        ("", "—"),
        (None, "—"),
        ("£1m", "—"),
    ],
)
def test_gbp_m_has_no_trailing_zero_at_its_edges(value, expected):
    assert gbp_m(value) == expected

"""core.numbers.whole_number: the digits 0-9 only, up to a maximum."""

import pytest

from core.numbers import MAX_ID, whole_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("42", 42), ("0042", 42), (str(MAX_ID), MAX_ID)],
)
def test_digits_0_to_9_are_a_whole_number(text, expected):
    assert whole_number(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", " 1", "-1", "+1", "1.0", "1e3", "²", "①", "٣", "12²", str(MAX_ID + 1), "9" * 5000],
)
def test_anything_else_is_none_and_never_an_error(text):
    assert whole_number(text) is None


def test_the_maximum_is_inclusive():
    assert whole_number("5", 5) == 5
    assert whole_number("6", 5) is None
    assert whole_number("10", 5) is None

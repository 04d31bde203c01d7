"""Whole numbers that people type, post or upload: ids in a form or a query string, risk scores
and row numbers in a spreadsheet.

``str.isdigit`` is true of digits ``int`` refuses ("²", "①"): a check made with it let a posted
"²" through to ``int`` and a 500 (found by tests/security/test_hostile_inputs.py). Every such
check goes through ``whole_number``, which takes the digits 0-9 only.
"""

MAX_ID = 2**63 - 1  # the largest value a bigint primary key can hold


def whole_number(text: str, maximum: int = MAX_ID) -> int | None:
    """``text`` as a whole number from 0 to ``maximum``, or None if it is anything else: an
    empty string, a sign, a space, a digit outside 0-9, or more than ``maximum``."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if number <= maximum else None

"""Financial years and quarters, the council's way.

A financial year runs 1 April to 31 March and is labelled ``2019/20``; it is stored as the
calendar year it starts in (2019). Quarters: Q1 April–June, Q2 July–September,
Q3 October–December, Q4 January–March (of the following calendar year).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_FY_PATTERN = re.compile(r"^\s*(\d{4}|\d{2})\s*[/-]\s*(\d{2}|\d{4})\s*$")
_QUARTER_PATTERN = re.compile(r"^\s*Q([1-4])\s+(.+)$", re.IGNORECASE)
_QUARTER_SLUG_PATTERN = re.compile(r"^(\d{4})-(\d{2})-q([1-4])$")

QUARTER_MONTHS = {1: (4, 6), 2: (7, 9), 3: (10, 12), 4: (1, 3)}
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@dataclass(frozen=True, order=True)
class FinancialYear:
    start_year: int

    @classmethod
    def from_date(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """``2019/20``, ``19/20`` or ``2019-20``; the second year must follow the first."""
        match = _FY_PATTERN.match(str(text))
        if not match:
            raise ValueError(f"“{text}” is not a financial year: write it like 2019/20.")
        first, second = match.groups()
        start = int(first) if len(first) == 4 else 2000 + int(first)
        end = int(second) % 100
        if (start + 1) % 100 != end:
            raise ValueError(
                f"“{text}” is not a financial year: {first} is not followed by {second}."
            )
        return cls(start)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def __str__(self) -> str:
        return self.label

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> FinancialYear:
        return FinancialYear(self.start_year + 1)

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    @property
    def quarters(self) -> list[Quarter]:
        return [Quarter(self, number) for number in (1, 2, 3, 4)]


def financial_years(first: int, last: int) -> list[FinancialYear]:
    """The financial years starting in ``first`` to ``last``, inclusive."""
    return [FinancialYear(year) for year in range(first, last + 1)]


@dataclass(frozen=True, order=True)
class Quarter:
    financial_year: FinancialYear
    number: int

    def __post_init__(self) -> None:
        if self.number not in QUARTER_MONTHS:
            raise ValueError(f"A quarter is Q1 to Q4, not Q{self.number}.")

    @classmethod
    def from_date(cls, day: date) -> Quarter:
        fy = FinancialYear.from_date(day)
        number = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3}.get(day.month, 4)
        return cls(fy, number)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``Q3 2019/20`` or the URL form ``2019-20-q3``."""
        slug = _QUARTER_SLUG_PATTERN.match(str(text).strip().lower())
        if slug:
            return cls(FinancialYear.parse(f"{slug[1]}/{slug[2]}"), int(slug[3]))
        match = _QUARTER_PATTERN.match(str(text))
        if not match:
            raise ValueError(f"“{text}” is not a quarter: write it like Q3 2019/20.")
        return cls(FinancialYear.parse(match[2]), int(match[1]))

    @property
    def calendar_year(self) -> int:
        start = self.financial_year.start_year
        return start + 1 if self.number == 4 else start

    @property
    def start(self) -> date:
        first_month, _ = QUARTER_MONTHS[self.number]
        return date(self.calendar_year, first_month, 1)

    @property
    def end(self) -> date:
        _, last_month = QUARTER_MONTHS[self.number]
        last_day = 30 if last_month in (6, 9) else 31
        return date(self.calendar_year, last_month, last_day)

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.financial_year.label}"

    @property
    def months_label(self) -> str:
        first_month, last_month = QUARTER_MONTHS[self.number]
        return (
            f"{MONTH_NAMES[first_month - 1]} to {MONTH_NAMES[last_month - 1]} {self.calendar_year}"
        )

    @property
    def long_label(self) -> str:
        return f"{self.label} — {self.months_label}"

    @property
    def slug(self) -> str:
        start = self.financial_year.start_year
        return f"{start}-{(start + 1) % 100:02d}-q{self.number}"

    def __str__(self) -> str:
        return self.label

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.financial_year.previous(), 4)
        return Quarter(self.financial_year, self.number - 1)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.financial_year.next(), 1)
        return Quarter(self.financial_year, self.number + 1)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, kept within the month (31 January + 1 is the
    last day of February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))

"""Return on investment and payback: pure functions on Decimals, computed, never typed.

ROI is savings less investment (in pounds) and, when there is an investment, that net gain as
a ratio of it. Payback is the time, in years from the first year with any flow, until
cumulative savings catch up with cumulative investment, interpolated within the year it
happens; None when they never do. No division by zero, no float.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal("0")


def roi(*, savings: Decimal, investment: Decimal) -> Decimal:
    return savings - investment


def roi_ratio(*, savings: Decimal, investment: Decimal) -> Decimal | None:
    """Net gain per pound invested (1.82 is 182%); None when nothing is invested."""
    if investment <= 0:
        return None
    return (savings - investment) / investment


def payback_years(
    *, investment: Mapping[int, Decimal], savings: Mapping[int, Decimal]
) -> Decimal | None:
    """Years until cumulative savings reach cumulative investment, interpolated in the year.

    Both mappings are keyed by financial year (start calendar year). Zero investment pays back
    at once (0 years); savings that never catch up give None.
    """
    if sum(investment.values(), ZERO) <= 0:
        return ZERO
    years = sorted(set(investment) | set(savings))
    balance = invested = ZERO
    for elapsed, year in enumerate(range(years[0], years[-1] + 1)):
        spent, saved = investment.get(year, ZERO), savings.get(year, ZERO)
        invested += spent
        after = balance + saved - spent
        if invested > 0 and after >= 0:
            if balance < 0:  # crossed zero this year: saved - spent > 0
                return Decimal(elapsed) + (-balance / (saved - spent))
            shortfall = spent - balance  # this year's investment not already covered
            return Decimal(elapsed) + (shortfall / saved if shortfall > 0 else ZERO)
        balance = after
    return None


@dataclass(frozen=True)
class BusinessCase:
    """A programme's investment (one-off cost budget) against its planned savings."""

    investment: Decimal
    savings: Decimal
    payback: Decimal | None

    @property
    def has_investment(self) -> bool:
        """With no investment recorded there is no return to show."""
        return self.investment > 0

    @property
    def roi(self) -> Decimal:
        return roi(savings=self.savings, investment=self.investment)

    @property
    def roi_ratio(self) -> Decimal | None:
        return roi_ratio(savings=self.savings, investment=self.investment)

    @property
    def roi_percent(self) -> Decimal | None:
        ratio = self.roi_ratio
        return None if ratio is None else (ratio * 100).quantize(Decimal("1"))

    @property
    def payback_label(self) -> str:
        if self.payback is None:
            return "Does not pay back within the profile"
        return f"{self.payback.quantize(Decimal('0.1'))} years"


def business_case(
    *, investment: Mapping[int, Decimal], savings: Mapping[int, Decimal]
) -> BusinessCase:
    return BusinessCase(
        investment=sum(investment.values(), ZERO),
        savings=sum(savings.values(), ZERO),
        payback=payback_years(investment=investment, savings=savings),
    )

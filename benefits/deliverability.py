"""Savings deliverability: THE one place the Blue/Green/Amber/Red rule is written.

For an MTFP line the target is the sum of its MTFP targets; for a benefit it is the sum of its
planned profile. "Expected" is the larger of the forecast and what has actually been delivered.

- **Blue — delivered**: actual savings have reached the target.
- **Green — on track**: expected savings reach the target.
- **Amber — needs further activity**: expected savings are short of the target by no more
  than 10% (they reach at least 90% of it).
- **Red — at risk**: expected savings are short of the target by more than 10%.

With no target (nothing, or £0, to deliver) there is no rating. The PMO may override the
derived rating with a reason; who and when are recorded, and the override wins until cleared.
Comparisons only, on Decimals: nothing divides, nothing becomes float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .models import Deliverability

AMBER_FLOOR = Decimal("0.90")

# GOV.UK tag colours for each rating.
TAG_CLASSES = {
    Deliverability.BLUE: "govuk-tag--blue",
    Deliverability.GREEN: "govuk-tag--green",
    Deliverability.AMBER: "govuk-tag--yellow",
    Deliverability.RED: "govuk-tag--red",
}

RULE = [
    (Deliverability.BLUE, "actual savings have reached the target"),
    (Deliverability.GREEN, "forecast savings reach the target"),
    (Deliverability.AMBER, "forecast savings reach at least 90% of the target"),
    (Deliverability.RED, "forecast savings are more than 10% short of the target"),
]


def rule_rows() -> list[dict[str, str]]:
    """The rule as the MTFP page shows it: colour, meaning, when."""
    rows = []
    for rating, when in RULE:
        name, meaning = rating.label.split(": ")
        rows.append({"tag": TAG_CLASSES[rating], "name": name, "meaning": meaning, "when": when})
    return rows


def derive(*, target: Decimal, forecast: Decimal, actual: Decimal) -> Deliverability | None:
    """The rating the rule gives; None when there is no target to rate against."""
    if target <= 0:
        return None
    expected = max(forecast, actual)
    if actual >= target:
        return Deliverability.BLUE
    if expected >= target:
        return Deliverability.GREEN
    if expected >= target * AMBER_FLOOR:
        return Deliverability.AMBER
    return Deliverability.RED


@dataclass(frozen=True)
class Rating:
    """A derived rating and the override (if any) that replaces it."""

    derived: Deliverability | None
    override: Deliverability | None = None
    reason: str = ""
    by: object = None
    at: datetime | None = None

    @property
    def rating(self) -> Deliverability | None:
        return self.override or self.derived

    @property
    def is_overridden(self) -> bool:
        return self.override is not None

    @property
    def label(self) -> str:
        return self.rating.label if self.rating else "No target"

    @property
    def short_label(self) -> str:
        return self.rating.label.split(":")[0] if self.rating else "No target"

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self.rating] if self.rating else "govuk-tag--grey"


def rate(obj, *, target: Decimal, forecast: Decimal, actual: Decimal) -> Rating:
    """The rating of an MTFP line or benefit (anything carrying the override fields)."""
    override = Deliverability(obj.rating_override) if obj.rating_override else None
    return Rating(
        derived=derive(target=target, forecast=forecast, actual=actual),
        override=override,
        reason=obj.rating_override_reason if override else "",
        by=obj.rating_override_by if override else None,
        at=obj.rating_override_at if override else None,
    )

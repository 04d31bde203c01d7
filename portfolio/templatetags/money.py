"""Money in templates: ``{{ amount|gbp }}`` → £1,234,567 and ``{{ amount|gbp_m }}`` → £1.23m.

Amounts are Decimal; nothing here turns them into float.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

MILLION = Decimal("1000000")


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def gbp(value: object) -> str:
    """Whole pounds with thousands separators; negative amounts as −£1,000."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    pounds = amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    sign = "−" if pounds < 0 else ""
    return f"{sign}£{abs(pounds):,}"


@register.filter
def gbp_m(value: object) -> str:
    """Millions to at most two places, as the council's papers write them, with no trailing
    zero: £0.18m, £7.9m, £20.1m, £20m."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    millions = (amount / MILLION).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "−" if millions < 0 else ""
    digits = f"{abs(millions):,.2f}".rstrip("0").rstrip(".")
    return f"{sign}£{digits}m"

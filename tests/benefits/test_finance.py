"""ROI and payback: computed from Decimals, never typed, never divided by zero."""

from decimal import Decimal

from benefits.finance import business_case, payback_years, roi, roi_ratio
from devdata import loader

D = Decimal
ICT = next(e for e in loader.read("benefits") if e.get("programme") == "ict-strategy")
ICT_INVESTMENT = loader.by_year(ICT["investment"])
ICT_SAVINGS = loader.by_year(ICT["savings"]["by_year"])


def test_ict_business_case_pays_back_in_2_2_years_with_roi_of_4m():
    case = business_case(investment=ICT_INVESTMENT, savings=ICT_SAVINGS)
    assert case.investment == D("2200000")
    assert case.savings == D("6200000")
    assert case.roi == D("4000000")
    assert case.payback == D("2.2")
    assert case.payback_label == "2.2 years"
    assert case.roi_percent == D("182")


def test_payback_is_interpolated_within_the_year():
    # £100 invested in the first year, £40 a year back from the second: 1 + 100/40 years.
    savings = {2021: D("40"), 2022: D("40"), 2023: D("40")}
    assert payback_years(investment={2020: D("100")}, savings=savings) == D("3.5")
    # Paid back within the year it was invested: the share of that year's savings it took.
    assert payback_years(investment={2020: D("100")}, savings={2020: D("100")}) == D("1")
    assert payback_years(investment={2020: D("100")}, savings={2020: D("400")}) == D("0.25")


def test_zero_investment_pays_back_at_once_and_has_no_ratio():
    assert payback_years(investment={}, savings={2020: D("10")}) == D("0")
    assert payback_years(investment={2020: D("0")}, savings={}) == D("0")
    assert roi_ratio(savings=D("10"), investment=D("0")) is None
    assert roi(savings=D("10"), investment=D("0")) == D("10")
    assert business_case(investment={}, savings={}).roi_percent is None


def test_savings_that_never_catch_up_never_pay_back():
    case = business_case(investment={2020: D("1000")}, savings={2021: D("100"), 2022: D("100")})
    assert case.payback is None
    assert case.payback_label == "Does not pay back within the profile"
    assert case.roi == D("-800")


def test_a_year_with_no_net_flow_does_not_divide_by_zero():
    assert payback_years(investment={2020: D("50"), 2021: D("50")}, savings={2021: D("50")}) is None


def test_results_are_decimal_never_float():
    case = business_case(investment=ICT_INVESTMENT, savings=ICT_SAVINGS)
    assert all(isinstance(v, Decimal) for v in (case.roi, case.roi_ratio, case.payback))

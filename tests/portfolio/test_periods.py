from datetime import date

import pytest

from portfolio.periods import FinancialYear, Quarter, financial_years


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2020, 3, 31), "2019/20"),
        (date(2020, 4, 1), "2020/21"),
        (date(2019, 4, 1), "2019/20"),
        (date(2020, 2, 29), "2019/20"),
        (date(2024, 2, 29), "2023/24"),
        (date(1999, 12, 31), "1999/00"),
        (date(2000, 1, 1), "1999/00"),
    ],
)
def test_financial_year_of_a_date_at_the_edges(day, label):
    assert FinancialYear.from_date(day).label == label


def test_financial_year_runs_1_april_to_31_march():
    fy = FinancialYear(2019)
    assert (fy.start, fy.end) == (date(2019, 4, 1), date(2020, 3, 31))
    assert date(2020, 3, 31) in fy
    assert date(2020, 4, 1) not in fy


@pytest.mark.parametrize("text", ["2019/20", "19/20", "2019-20", " 2019 / 20 ", "2019/2020"])
def test_parse_financial_year_forms(text):
    assert FinancialYear.parse(text) == FinancialYear(2019)


@pytest.mark.parametrize("text", ["2019/21", "2019", "twenty", "", "2019/19", "Q3 2019/20"])
def test_parse_rejects_what_is_not_a_financial_year(text):
    with pytest.raises(ValueError, match="financial year"):
        FinancialYear.parse(text)


def test_format_and_parse_round_trip():
    for year in range(1995, 2035):
        fy = FinancialYear(year)
        assert FinancialYear.parse(fy.label) == fy


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (date(2019, 4, 1), "Q1 2019/20"),
        (date(2019, 6, 30), "Q1 2019/20"),
        (date(2019, 7, 1), "Q2 2019/20"),
        (date(2019, 12, 31), "Q3 2019/20"),
        (date(2020, 1, 1), "Q4 2019/20"),
        (date(2020, 3, 31), "Q4 2019/20"),
        (date(2020, 4, 1), "Q1 2020/21"),
    ],
)
def test_quarter_of_a_date(day, label):
    assert Quarter.from_date(day).label == label


def test_quarter_three_is_october_to_december():
    q3 = Quarter.parse("Q3 2019/20")
    assert (q3.start, q3.end) == (date(2019, 10, 1), date(2019, 12, 31))
    assert q3.long_label == "Q3 2019/20 — October to December 2019"
    assert q3.slug == "2019-20-q3"
    assert Quarter.parse("2019-20-q3") == q3


def test_quarter_four_is_in_the_next_calendar_year():
    q4 = Quarter(FinancialYear(2019), 4)
    assert (q4.start, q4.end) == (date(2020, 1, 1), date(2020, 3, 31))
    assert q4.next() == Quarter(FinancialYear(2020), 1)
    assert Quarter(FinancialYear(2020), 1).previous() == q4


@pytest.mark.parametrize("text", ["Q5 2019/20", "Q0 2019/20", "Q3", "2019-20-q9"])
def test_parse_rejects_bad_quarters(text):
    with pytest.raises(ValueError, match=r"quarter|financial year"):
        Quarter.parse(text)


def test_financial_years_range_is_inclusive():
    assert [fy.label for fy in financial_years(2019, 2021)] == ["2019/20", "2020/21", "2021/22"]


def test_leap_day_falls_in_q4_of_the_year_that_started_the_april_before():
    assert date(2024, 2, 29) in FinancialYear(2023)
    assert date(2024, 2, 29) in Quarter(FinancialYear(2023), 4)
    assert Quarter(FinancialYear(2023), 4).end == date(2024, 3, 31)


def test_next_and_previous_cross_the_year_boundary():
    assert FinancialYear(2019).next().label == "2020/21"
    assert FinancialYear(2000).previous().label == "1999/00"
    q4 = Quarter.parse("Q4 2019/20")
    assert q4.next().label == "Q1 2020/21"
    assert q4.next().previous() == q4
    assert Quarter.parse("2019-20-q1").previous().label == "Q4 2018/19"

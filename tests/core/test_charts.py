from datetime import date
from decimal import Decimal

from core.charts import Series, grouped_bar_chart, nice_ceiling, timeline_chart


def test_nice_ceiling_picks_a_tidy_axis_maximum():
    assert nice_ceiling(Decimal("180000")) == Decimal("200000")
    assert nice_ceiling(Decimal("2110000")) == Decimal("2500000")
    assert nice_ceiling(Decimal("5000001")) == Decimal("10000000")
    assert nice_ceiling(Decimal("0")) == Decimal("1")


def test_bars_are_proportional_and_stay_decimal():
    series = [Series("target", "MTFP target"), Series("actual", "Actual")]
    chart = grouped_bar_chart(
        [("2019/20", {"target": Decimal("200000"), "actual": Decimal("100000")})],
        series, height=240,
    )  # fmt: skip
    target, actual = chart.groups[0].bars
    assert isinstance(target.height, Decimal)
    assert target.height == Decimal(chart.plot_bottom - chart.plot_top)
    assert actual.height * 2 == target.height
    assert target.y + target.height == chart.plot_bottom


def test_negative_values_draw_no_bar_and_empty_chart_has_an_axis():
    chart = grouped_bar_chart([("2019/20", {"actual": Decimal("-5")})], [Series("actual", "A")])
    assert chart.groups[0].bars[0].height == 0
    empty = grouped_bar_chart([], [Series("actual", "A")])
    assert [t.value for t in empty.ticks][-1] == Decimal("1")


def test_a_timeline_heads_each_quarter_and_each_year_once_shortened_where_it_is_narrow():
    periods = [
        ("Q4 2025/26", date(2026, 1, 1), date(2026, 3, 31)),
        *[
            (f"Q{q} 2026/27", date(2026, 3 * q + 1, 1), date(2026, 3 * q + 3, 28))
            for q in (1, 2, 3)
        ],
    ]
    rows = [("Strategy agreed", date(2026, 2, 4), date(2026, 1, 31), "done")]
    wide = timeline_chart(periods, rows)
    assert [(c.label, c.group) for c in wide.columns] == [
        ("Q4", "2025/26"), ("Q1", "2026/27"), ("Q2", ""), ("Q3", ""),
    ]  # fmt: skip
    narrow = timeline_chart(periods, rows, width=420)  # quarters about 45px wide
    assert narrow.columns[0].group == "25/26"
    assert narrow.columns[1].group == "2026/27"  # three quarters together are wide enough
    tiny = timeline_chart(periods, rows, width=330)  # about 24px a quarter
    assert tiny.columns[0].group == ""
    assert tiny.plot_height == tiny.plot_bottom - tiny.plot_top

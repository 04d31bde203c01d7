from decimal import Decimal

from core.charts import Series, grouped_bar_chart, nice_ceiling


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

"""Server-rendered SVG charts: accessible, printable, and the same in the browser and the PDF.

Geometry is computed with Decimal (money never becomes float); the template draws rectangles
from the numbers here. Every chart sits beside a text table with the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

PX = Decimal("0.1")


@dataclass(frozen=True)
class Series:
    key: str
    label: str


@dataclass(frozen=True)
class Bar:
    series: Series
    value: Decimal
    x: Decimal
    y: Decimal
    width: Decimal
    height: Decimal


@dataclass(frozen=True)
class Group:
    label: str
    x: Decimal
    width: Decimal
    bars: list[Bar]


@dataclass(frozen=True)
class Tick:
    value: Decimal
    y: Decimal


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_bottom: int
    groups: list[Group]
    ticks: list[Tick]
    series: list[Series]


def _px(value: Decimal) -> Decimal:
    return value.quantize(PX, rounding=ROUND_HALF_UP)


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5 or 5 × 10^n at or above ``value`` (a tidy axis maximum)."""
    if value <= 0:
        return Decimal("1")
    exponent = value.adjusted()
    for step in (Decimal("1"), Decimal("2"), Decimal("2.5"), Decimal("5"), Decimal("10")):
        candidate = step.scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal("10").scaleb(exponent)  # pragma: no cover - the loop always returns


def grouped_bar_chart(
    groups: list[tuple[str, dict[str, Decimal]]],
    series: list[Series],
    *,
    width: int = 720,
    height: int = 320,
    ticks: int = 4,
) -> BarChart:
    """Bars for each series within each group (e.g. target/planned/forecast/actual per year).

    Negative values are drawn as zero-height bars; the table beside the chart carries them.
    """
    plot_left, plot_top, plot_bottom, right = 100, 16, height - 40, 8  # room for "£10,000.00m"
    plot_height = Decimal(plot_bottom - plot_top)
    keys = [item.key for item in series]
    largest = max(
        (Decimal(values.get(k, 0)) for _, values in groups for k in keys), default=Decimal("0")
    )
    top = nice_ceiling(Decimal(largest))
    group_width = Decimal(width - plot_left - right) / max(len(groups), 1)
    bar_width = group_width * Decimal("0.8") / max(len(series), 1)
    drawn = []
    for index, (label, values) in enumerate(groups):
        x0 = Decimal(plot_left) + group_width * index + group_width * Decimal("0.1")
        bars = []
        for position, item in enumerate(series):
            value = Decimal(values.get(item.key, Decimal("0")))
            bar_height = max(value, Decimal("0")) / top * plot_height
            bars.append(
                Bar(
                    series=item, value=value, x=_px(x0 + bar_width * position),
                    y=_px(Decimal(plot_bottom) - bar_height), width=_px(bar_width * Decimal("0.9")),
                    height=_px(bar_height),
                )
            )  # fmt: skip
        drawn.append(
            Group(label=label, x=_px(x0 + bar_width * len(series) / 2), width=_px(group_width),
                  bars=bars)
        )  # fmt: skip
    axis = [
        Tick(value=top * i / ticks, y=_px(Decimal(plot_bottom) - plot_height * i / ticks))
        for i in range(ticks + 1)
    ]
    return BarChart(width, height, plot_left, plot_top, plot_bottom, drawn, axis, series)


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    points: list[tuple[Decimal, Decimal]]

    @property
    def svg_points(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_bottom: int
    x_labels: list[tuple[Decimal, str]]
    ticks: list[Tick]
    lines: list[Line]


def line_chart(
    x_labels: list[str],
    series: list[tuple[str, str, list[Decimal | None]]],
    *,
    low: Decimal,
    high: Decimal,
    tick_labels: dict[int, str] | None = None,
    width: int = 720,
    height: int = 260,
) -> LineChart:
    """Lines over the same x positions (e.g. a portfolio's mean delivery confidence per
    snapshot); a missing value (None) leaves a gap in that line's points."""
    plot_left, plot_top, plot_bottom, right = 110, 16, height - 40, 24
    plot_height = Decimal(plot_bottom - plot_top)
    span = Decimal(max(len(x_labels) - 1, 1))
    step = Decimal(width - plot_left - right) / span

    def x_at(index: int) -> Decimal:
        return _px(Decimal(plot_left) + step * index)

    def y_at(value: Decimal) -> Decimal:
        return _px(Decimal(plot_bottom) - (value - low) / (high - low) * plot_height)

    lines = [
        Line(key, label, [(x_at(i), y_at(v)) for i, v in enumerate(values) if v is not None])
        for key, label, values in series
    ]
    ticks = [Tick(value=Decimal(v), y=y_at(Decimal(v))) for v in range(int(low), int(high) + 1)]
    return LineChart(
        width, height, plot_left, plot_top, plot_bottom,
        [(x_at(i), label) for i, label in enumerate(x_labels)], ticks, lines,
    )  # fmt: skip


@dataclass(frozen=True)
class Column:
    label: str
    x: Decimal
    width: Decimal
    group: str = ""  # the year above a quarter, where it starts (so narrow columns never overlap)


@dataclass(frozen=True)
class TimelineRow:
    """One milestone: a diamond at its forecast (or actual) date, a tick at its baseline."""

    label: str
    y: Decimal
    x: Decimal
    baseline_x: Decimal | None
    state: str  # the template's modifier: "done", "late" or "on-track"

    @property
    def diamond(self) -> str:
        x, y, r = self.x, self.y, Decimal(7)
        return f"{x},{y - r} {x + r},{y} {x},{y + r} {x - r},{y}"


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_bottom: int
    columns: list[Column]
    rows: list[TimelineRow]

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top


ROW_HEIGHT = 26
GROUP_SHORT_PX = 64  # narrower than this, "2025/26" is written "25/26"
GROUP_NONE_PX = 42  # and narrower than this, not at all


def _fit_groups(columns: list[Column]) -> list[Column]:
    """A year heading spans its quarters: shortened ("25/26") or left out where they are too
    narrow to hold it."""
    fitted = []
    for i, column in enumerate(columns):
        if column.group:
            span = column.width
            for later in columns[i + 1 :]:
                if later.group:
                    break
                span += later.width
            if span < GROUP_SHORT_PX:
                short = column.group[2:] if span >= GROUP_NONE_PX else ""
                column = Column(column.label, column.x, column.width, short)
        fitted.append(column)
    return fitted


def timeline_chart(
    periods: list[tuple[str, date, date]],
    rows: list[tuple[str, date, date | None, str]],
    *,
    width: int = 720,
    label_width: int = 220,
) -> Timeline:
    """Milestones over periods (e.g. quarters): ``periods`` are (label, first day, last day) in
    order; ``rows`` are (label, date drawn, baseline date or None, state). A date outside the
    periods is drawn at the nearer edge; the table beside the chart carries the exact dates. A
    period labelled "Q4 2025/26" is headed "Q4", with "2025/26" above the first column of each
    year, so even a narrow quarter's heading fits its column."""
    plot_left, plot_top, right = label_width, 44, 12
    plot_bottom = plot_top + ROW_HEIGHT * max(len(rows), 1)
    first, last = periods[0][1], periods[-1][2]
    days = Decimal((last - first).days + 1)
    span = Decimal(width - plot_left - right)

    def x_at(day: date) -> Decimal:
        offset = min(max((day - first).days, 0), (last - first).days + 1)
        return _px(Decimal(plot_left) + span * offset / days)

    columns: list[Column] = []
    previous_group = None
    for label, start, end in periods:
        short, _, group = label.partition(" ")
        columns.append(
            Column(short if group else label, x_at(start),
                   _px(x_at(end) - x_at(start) + span / days),
                   group if group != previous_group else "")
        )  # fmt: skip
        previous_group = group
    columns = _fit_groups(columns)
    drawn = [
        TimelineRow(
            label=label, y=Decimal(plot_top + ROW_HEIGHT * i + ROW_HEIGHT // 2), x=x_at(day),
            baseline_x=x_at(baseline) if baseline and baseline != day else None, state=state,
        )
        for i, (label, day, baseline, state) in enumerate(rows)
    ]  # fmt: skip
    return Timeline(width, plot_bottom + 8, plot_left, plot_top, plot_bottom, columns, drawn)

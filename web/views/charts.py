"""Geometry of the dashboard's server-rendered SVG charts: bars and lines with their axes.

The templates draw what these functions compute (no JavaScript chart library): every chart
has a y axis with round ticks, dates under the x axis and a title on each bar or point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from portal.dashboard import DashboardStats

# Small charts sit three abreast; the wide one spans the page (and scrolls on a phone).
WIDTH, HEIGHT, WIDE = 400, 220, 640
LEFT, RIGHT, TOP, BOTTOM = 44, 24, 26, 36


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis (SVG coordinates)."""

    at: float
    label: str


@dataclass(frozen=True)
class Mark:
    """One bar or point: where it is drawn and what its tooltip says."""

    x: float
    y: float
    width: float
    height: float
    label: str  # the date or category
    value: float | None
    text: str  # the value as shown


@dataclass(frozen=True)
class Chart:
    """A drawable chart: the plot area, its marks, its axes' ticks and the line through points."""

    marks: list[Mark]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    path: str = ""  # the polyline of a line chart ("" for bars)
    empty: bool = field(default=False)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at least `value` (1 for nothing), for round ticks."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power


def _fmt(value: float, unit: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return f"{text}{unit}"


def _y_ticks(top_value: float, unit: str) -> list[Tick]:
    span = (HEIGHT - BOTTOM) - TOP
    return [Tick((HEIGHT - BOTTOM) - span * i / 4, _fmt(top_value * i / 4, unit)) for i in range(5)]


def _count_ceiling(value: float) -> float:
    """A top for counts that gives whole-number ticks in quarters (4, 8, 20, 40 …)."""
    return 4 * math.ceil(nice_ceiling(value) / 4) if value > 4 else 4.0


def _x_ticks(labels: list[str], xs: list[float], every: int) -> list[Tick]:
    last = len(labels) - 1
    return [
        Tick(x, label[5:] if len(label) == 10 else label)  # 2026-03-09 → 03-09
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == (last % every)  # the latest date always has its label
    ]


def bar_chart(
    series: list[tuple[str, float]], *, unit: str = "", every: int = 5, width: int = WIDE
) -> Chart:
    """Vertical bars of counts over dates (or categories), with whole-number ticks from zero."""
    top_value = _count_ceiling(max((v for _, v in series), default=0))
    plot_w = (width - RIGHT) - LEFT
    plot_h = (HEIGHT - BOTTOM) - TOP
    slot = plot_w / max(len(series), 1)
    marks = []
    for i, (label, value) in enumerate(series):
        h = plot_h * value / top_value
        marks.append(
            Mark(
                x=LEFT + i * slot + slot * 0.15,
                y=(HEIGHT - BOTTOM) - h,
                width=slot * 0.7,
                height=h,
                label=label,
                value=value,
                text=_fmt(value, unit),
            )
        )
    centres = [m.x + m.width / 2 for m in marks]
    return Chart(
        marks=marks,
        y_ticks=_y_ticks(top_value, unit),
        x_ticks=_x_ticks([m.label for m in marks], centres, every),
        width=width,
        right=width - RIGHT,
        empty=not any(v for _, v in series),
    )


def line_chart(
    series: list[tuple[str, float | None]], *, unit: str = "", scale: float = 1.0, every: int = 2
) -> Chart:
    """Points joined by a line over dates; a missing value leaves a gap, not a zero."""
    values = [v * scale for _, v in series if v is not None]
    top_value = nice_ceiling(max(values, default=0))
    plot_w = (WIDTH - RIGHT) - LEFT
    plot_h = (HEIGHT - BOTTOM) - TOP
    step = plot_w / max(len(series) - 1, 1)
    marks, path, pen_down = [], [], False
    for i, (label, raw) in enumerate(series):
        x = LEFT + i * step
        if raw is None:
            marks.append(Mark(x, HEIGHT - BOTTOM, 0, 0, label, None, "–"))
            pen_down = False
            continue
        value = raw * scale
        y = (HEIGHT - BOTTOM) - plot_h * value / top_value
        marks.append(Mark(x, y, 0, 0, label, value, _fmt(round(value, 1), unit)))
        path.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return Chart(
        marks=marks,
        y_ticks=_y_ticks(top_value, unit),
        x_ticks=_x_ticks([m.label for m in marks], [m.x for m in marks], every),
        path=" ".join(path),
        empty=not values,
    )


def dashboard_charts(stats: DashboardStats) -> dict[str, Chart]:
    """The dashboard's time charts: requests per day, and the weekly service levels."""
    weeks = [w.week_start for w in stats.weekly]
    return {
        "per_day": bar_chart(list(stats.submitted_per_day.items()), every=5),
        "first_response": line_chart(
            list(zip(weeks, [w.median_first_response_hours for w in stats.weekly], strict=True)),
            unit="h",
        ),
        "resolution": line_chart(
            list(zip(weeks, [w.median_resolution_hours for w in stats.weekly], strict=True)),
            unit="h",
        ),
        "breach_rate": line_chart(
            list(zip(weeks, [w.breach_rate for w in stats.weekly], strict=True)),
            unit="%",
            scale=100,
        ),
    }

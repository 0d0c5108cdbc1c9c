"""The picture: memory and answer latency against passages, as a plain SVG (no plotting library)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH, HEIGHT = 540, 320  # one panel
MARGIN = {"left": 64, "right": 16, "top": 36, "bottom": 96}
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


@dataclass(frozen=True)
class Series:
    """One line: a name for the legend and its (x, y) points."""

    name: str
    points: tuple[tuple[float, float], ...]
    color: str = COLORS[0]
    dashed: bool = False


@dataclass(frozen=True)
class Panel:
    """One chart: a title, the y axis's unit and its lines (x is always passages)."""

    title: str
    unit: str
    series: tuple[Series, ...]


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `high` (1, 2 or 5 times a power of ten apart)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(math.ceil(high / step - 1e-9) + 1)]


def _label(value: float, thousands: bool = False) -> str:
    if thousands and value >= 1000 and value % 1000 == 0:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _panel(panel: Panel, left: float) -> list[str]:
    points = [p for s in panel.series for p in s.points]
    xs = nice_ticks(max((x for x, _ in points), default=1.0))
    ys = nice_ticks(max((y for _, y in points), default=1.0))
    plot_w = WIDTH - MARGIN["left"] - MARGIN["right"]
    plot_h = HEIGHT - MARGIN["top"] - MARGIN["bottom"]
    x0, y0 = left + MARGIN["left"], MARGIN["top"] + plot_h

    def at(x: float, y: float) -> tuple[float, float]:
        return x0 + x / xs[-1] * plot_w, y0 - y / ys[-1] * plot_h

    out = [f'<text x="{x0}" y="22" font-weight="bold">{escape(panel.title)}</text>']
    for y in ys:
        _, py = at(0, y)
        out.append(
            f'<line x1="{x0}" y1="{py:.1f}" x2="{x0 + plot_w}" y2="{py:.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{x0 - 6}" y="{py + 4:.1f}" text-anchor="end">{_label(y)}</text>')
    for x in xs:
        px, _ = at(x, 0)
        tick = _label(x, thousands=True)
        out.append(f'<text x="{px:.1f}" y="{y0 + 16}" text-anchor="middle">{tick}</text>')
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x0 + plot_w}" y2="{y0}" stroke="#333"/>')
    out.append(f'<line x1="{x0}" y1="{MARGIN["top"]}" x2="{x0}" y2="{y0}" stroke="#333"/>')
    out.append(f'<text x="{x0 + plot_w / 2}" y="{y0 + 34}" text-anchor="middle">passages</text>')
    out.append(
        f'<text transform="translate({left + 16},{MARGIN["top"] + plot_h / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(panel.unit)}</text>'
    )
    for i, series in enumerate(panel.series):
        coordinates = [at(x, y) for x, y in sorted(series.points)]
        dash = ' stroke-dasharray="6 4"' if series.dashed else ""
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        stroke = f'stroke="{series.color}" stroke-width="2"{dash}'
        out.append(f'<polyline points="{path}" fill="none" {stroke}/>')
        out += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{series.color}"/>'
            for x, y in coordinates
        ]
        ly = y0 + 52 + 16 * (i // 2)
        lx = x0 + (i % 2) * plot_w / 2
        out.append(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 24}" y2="{ly - 4}" stroke="{series.color}" '
            f'stroke-width="2"{dash}/>'
        )
        out.append(f'<text x="{lx + 30}" y="{ly}">{escape(series.name)}</text>')
    return out


def svg(panels: Sequence[Panel], caption: str = "") -> str:
    """The panels side by side in one SVG document, with an optional caption line."""
    width = WIDTH * max(1, len(panels))
    # The legends (two entries a row, under each plot) may need more room than one panel.
    rows = max((len(p.series) + 1) // 2 for p in panels) if panels else 0
    bottom = max(HEIGHT, HEIGHT - MARGIN["bottom"] + 52 + 16 * max(rows - 1, 0) + 10)
    height = bottom + (20 if caption else 0)
    body: list[str] = []
    for i, panel in enumerate(panels):
        body += _panel(panel, i * WIDTH)
    if caption:
        body.append(f'<text x="8" y="{bottom + 12}" fill="#555">{escape(caption)}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">\n'
        f'<rect width="{width}" height="{height}" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n"
    )


MEMORY = (
    ("idle", ("memory_mb", "idle", "VmRSS")),
    ("after 100 questions", ("memory_mb", "after_questions", "VmRSS")),
    ("peak (VmHWM)", ("memory_mb", "end", "VmHWM")),
)
LATENCY = (
    ("p50", ("answer_ms", "p50")),
    ("p95", ("answer_ms", "p95")),
    ("query embedding", ("query_embedding_ms", "p50")),
)


def _value(result: dict[str, Any], keys: Sequence[str]) -> float | None:
    value: Any = result
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return None if value is None else float(value)


def scale_panels(results: Iterable[dict[str, Any]]) -> list[Panel]:
    """Memory and latency panels from scale results, one set of lines per label (before/after)."""
    by_label: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        if result.get("passages"):
            by_label.setdefault(result.get("label") or "current", []).append(result)
    panels: list[Panel] = []
    for title, unit, metrics in (
        ("One served worker's resident memory", "MB", MEMORY),
        ("Answer over HTTP (POST /api/v1/chat)", "ms", LATENCY),
    ):
        lines = []
        for label, runs in sorted(by_label.items()):
            for m, (name, keys) in enumerate(metrics):
                points = tuple(
                    (float(r["passages"]), v) for r in runs if (v := _value(r, keys)) is not None
                )
                # One colour per metric; the code before a change is dashed.
                color = COLORS[(m + 3 * (label not in ("before", "after"))) % len(COLORS)]
                lines.append(Series(f"{name} ({label})", points, color, label == "before"))
        panels.append(Panel(title, unit, tuple(lines)))
    return panels

"""Small line charts as inline SVG text: PR curves and loss curves, no plotting library."""

from __future__ import annotations

import html
import math
from typing import Sequence

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def nice_ticks(low: float, high: float, count: int = 5, integer: bool = False) -> list[float]:
    """About ``count`` round tick values covering [low, high]; whole numbers only when ``integer``."""
    if high <= low:
        high = low + 1.0
    raw = (high - low) / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if m * step >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(low / step) * step
    return [round(first + i * step, 10) for i in range(int((high - first) / step + 1e-9) + 1)]


def line_chart(series: Sequence[dict], *, title: str, x_label: str, y_label: str,
               x_range: tuple[float, float] | None = None, y_range: tuple[float, float] | None = None,
               width: int = 320, height: int = 220, integer_x: bool = False, legend: str = "top-right") -> str:
    """An SVG line chart of ``series``: dicts with ``name``, ``x``, ``y`` and optional ``dash``/``color``.

    Points render as a polyline, single points as dots; a legend names each series.

    Args:
        series: the lines: ``x`` and ``y`` equally long lists, ``dash`` a bool, ``color`` a CSS colour
            (default from PALETTE).
        title: heading above the plot, also the chart's aria-label.
        x_label, y_label: the axis titles.
        x_range, y_range: (low, high) of the axes; default the data's, y from 0 or below.
        width, height: the SVG's size in pixels.
        integer_x: keep x ticks on whole numbers (epochs).
        legend: "top-right" or "bottom-left" inside the plot.
    """
    xs = [x for s in series for x in s["x"]]
    ys = [y for s in series for y in s["y"]]
    x0, x1 = x_range or ((min(xs), max(xs)) if xs else (0.0, 1.0))
    y0, y1 = y_range or ((min(0.0, min(ys)), max(ys)) if ys else (0.0, 1.0))
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    left, right, top, bottom = 44, 10, 22, 34
    plot_w, plot_h = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return round(left + (x - x0) / (x1 - x0) * plot_w, 1)

    def py(y: float) -> float:
        return round(top + plot_h - (y - y0) / (y1 - y0) * plot_h, 1)

    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="{width / 2}" y="14" text-anchor="middle" class="chart-title">{html.escape(title)}</text>']
    for tick in nice_ticks(x0, x1, integer=integer_x):
        parts.append(f'<line x1="{px(tick)}" y1="{top}" x2="{px(tick)}" y2="{top + plot_h}" class="grid"/>'
                     f'<text x="{px(tick)}" y="{top + plot_h + 13}" text-anchor="middle">{tick:g}</text>')
    for tick in nice_ticks(y0, y1):
        parts.append(f'<line x1="{left}" y1="{py(tick)}" x2="{left + plot_w}" y2="{py(tick)}" class="grid"/>'
                     f'<text x="{left - 4}" y="{py(tick) + 4}" text-anchor="end">{tick:g}</text>')
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" class="frame"/>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle">{html.escape(x_label)}</text>')
    parts.append(f'<text transform="translate(11 {top + plot_h / 2}) rotate(-90)" text-anchor="middle">'
                 f'{html.escape(y_label)}</text>')
    for k, s in enumerate(series):
        color = s.get("color", PALETTE[k % len(PALETTE)])
        dash = ' stroke-dasharray="5 3"' if s.get("dash") else ""
        points = " ".join(f"{px(x)},{py(y)}" for x, y in zip(s["x"], s["y"]))
        if len(s["x"]) == 1:
            parts.append(f'<circle cx="{px(s["x"][0])}" cy="{py(s["y"][0])}" r="3" fill="{color}"/>')
        elif points:
            parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.8"{dash}/>')
        lx = left + plot_w - 70 if legend == "top-right" else left + 6
        ly = top + 12 + 13 * k if legend == "top-right" else top + plot_h - 6 - 13 * (len(series) - 1 - k)
        parts.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 14}" y2="{ly - 4}" '
                     f'stroke="{color}" stroke-width="2"{dash}/>'
                     f'<text x="{lx + 18}" y="{ly}" class="legend">{html.escape(s["name"])}</text>')
    parts.append("</svg>")
    return "".join(parts)

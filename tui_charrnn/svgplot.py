"""A line chart as an SVG file, written by hand: axes, ticks, labels, one polyline per
series, a legend. No plotting library: SVG is a few lines of XML, and a dependency the
size of matplotlib for one kind of chart would weigh more than the whole app.

No UI library here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
WIDTH, HEIGHT = 800, 450
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 55  # margins around the plot area
LEGEND_LINE = 16  # pixels per legend entry
CHAR_WIDTH = 6.7  # pixels: about the widest average character of a 12 px sans-serif font


@dataclass
class Series:
    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    color: str = PALETTE[0]
    dashed: bool = False
    dots: bool = False  # a dot at each point as well


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) covering [low, high]."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = [round(first, 12)]
    while ticks[-1] < high - step * 1e-9:  # up to the first tick at or past high
        ticks.append(round(first + len(ticks) * step, 12))
    return ticks if len(ticks) > 1 else [first, first + step]


def _label(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 or float(v).is_integer() else f"{v:g}"


def line_chart(series: list[Series], title: str, xlabel: str, ylabel: str) -> str:
    """The SVG document (text) of the series on shared axes."""
    pts = [(x, y) for s in series for x, y in zip(s.xs, s.ys, strict=True) if math.isfinite(y)]
    xs_all = [p[0] for p in pts] or [0.0, 1.0]
    ys_all = [p[1] for p in pts] or [0.0, 1.0]
    xt = nice_ticks(min(xs_all), max(xs_all))
    yt = nice_ticks(min(ys_all), max(ys_all))
    x0, x1, y0, y1 = xt[0], xt[-1], yt[0], yt[-1]
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def sx(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return TOP + ph - (y - y0) / (y1 - y0) * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>',
    ]
    for t in xt:
        out.append(
            f'<line x1="{sx(t):.1f}" y1="{TOP}" x2="{sx(t):.1f}" y2="{TOP + ph}" stroke="#e5e5e5"/>'
        )
        out.append(
            f'<text x="{sx(t):.1f}" y="{TOP + ph + 18}" text-anchor="middle">{_label(t)}</text>'
        )
    for t in yt:
        out.append(
            f'<line x1="{LEFT}" y1="{sy(t):.1f}" x2="{LEFT + pw}" y2="{sy(t):.1f}"'
            ' stroke="#e5e5e5"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{_label(t)}</text>')
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="black"/>'
    )
    out.append(
        f'<text x="{LEFT + pw / 2}" y="{HEIGHT - 12}" text-anchor="middle">{escape(xlabel)}</text>'
    )
    out.append(
        f'<text x="16" y="{TOP + ph / 2}" text-anchor="middle"'
        f' transform="rotate(-90 16 {TOP + ph / 2})">{escape(ylabel)}</text>'
    )
    for s in series:
        points = " ".join(
            f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(s.xs, s.ys, strict=True) if math.isfinite(y)
        )
        if not points:
            continue
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<polyline fill="none" stroke="{s.color}" stroke-width="1.5"{dash}'
            f' points="{points}"><title>{escape(s.label)}</title></polyline>'
        )
        if s.dots:
            out.extend(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{s.color}"/>'
                for x, y in zip(s.xs, s.ys, strict=True)
                if math.isfinite(y)
            )
    # the legend ends at the plot's right edge: long labels (model, size, corpus) move it left
    widest = max((len(s.label) for s in series), default=0) * CHAR_WIDTH
    x = max(LEFT + 6, LEFT + pw - 40 - round(widest))
    for i, s in enumerate(series):
        y = TOP + 14 + i * LEGEND_LINE
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(
            f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{s.color}"'
            f' stroke-width="2"{dash}/>'
        )
        out.append(
            f"<text x={quoteattr(str(x + 30))} y={quoteattr(str(y))}>{escape(s.label)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"

"""The loss chart: training loss as bars, validation points (●) on the same scale, and a
bottom row marking live setting changes (▲) with a legend for the latest. The y axis is
labelled in a gutter on the left (top and bottom of the scale, nats/char); the pane
labels the x axis underneath with axis_row (first and last iteration, what is shown).

The same chart draws several labelled curves instead (show_curves: the compare screen's
held-out losses of several runs), each in its own glyph and colour, on a shared linear x
axis, with one legend row per curve under the plot.

Bars work as Textual's Sparkline does (eighth-blocks, several rows tall, points averaged
into one column each when there are more points than columns, stretched otherwise), but
drawn here so the validation points and the markers land in the column of their
iteration. Pure layout functions (column_of, bar_cell, marker_row) are tested alone.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

BARS = "▁▂▃▄▅▆▇█"
VAL_GLYPH = "●"
MARK_GLYPH = "▲"
CURVE_GLYPHS = "●◆■▲✚○"  # one shape per curve: told apart without colour too
BETWEEN_GLYPH = "·"  # the line between two points of a curve


@dataclass(frozen=True)
class Curve:
    """One labelled line of a chart of several: (x, nats/char) points, x ascending."""

    label: str
    points: Sequence[tuple[float, float]]


def column_starts(iterations: Sequence[int], width: int) -> list[int]:
    """The iteration of the first point shown in each column."""
    P = len(iterations)
    return [iterations[c * P // width] for c in range(width)]


def column_values(values: Sequence[float], width: int) -> list[float]:
    """One value per column: the mean of the points in it (or the stretched point)."""
    P = len(values)
    if P >= width:
        out = []
        for c in range(width):
            part = values[c * P // width : (c + 1) * P // width]
            out.append(sum(part) / len(part))
        return out
    return [values[c * P // width] for c in range(width)]


def column_of(iteration: int, starts: list[int]) -> int | None:
    """The column whose points cover `iteration`; None left of the chart (scrolled off)."""
    if not starts or iteration < starts[0]:
        return None
    return bisect_right(starts, iteration) - 1


def level(value: float, lo: float, hi: float, rows: int) -> int:
    """0 (bottom) .. 8 * rows - 1 (top): the height of a value in eighths of a row."""
    extent = hi - lo or 1.0
    ratio = min(max((value - lo) / extent, 0.0), 1.0)
    return int(ratio * (8 * rows - 1))


def x_column(x: float, x0: float, x1: float, width: int) -> int:
    """The column of x on a linear axis from x0 (column 0) to x1 (the last column)."""
    return 0 if x1 <= x0 else round((x - x0) / (x1 - x0) * (width - 1))


def curve_cells(
    points: Sequence[tuple[float, float]],
    x_range: tuple[float, float],
    scale: tuple[float, float],
    width: int,
    rows: int,
) -> dict[int, tuple[int, bool]]:
    """column -> (row, 0 = bottom; True where a point is) of one curve: the mean of its
    points in each column, and the columns between two of them on the straight line."""
    by_column: dict[int, list[float]] = {}
    for x, y in points:
        by_column.setdefault(x_column(x, *x_range, width), []).append(y)
    means = sorted((c, sum(ys) / len(ys)) for c, ys in by_column.items())
    lo, hi = scale
    cells = {c: (level(y, lo, hi, rows) // 8, True) for c, y in means}
    for (c0, y0), (c1, y1) in pairwise(means):
        for c in range(c0 + 1, c1):
            y = y0 + (y1 - y0) * (c - c0) / (c1 - c0)
            cells[c] = (level(y, lo, hi, rows) // 8, False)
    return cells


def bar_cell(lv: int, row: int) -> str:
    """The glyph of a bar of height lv in row `row` (0 = bottom)."""
    if lv < 8 * row:
        return " "
    if lv >= 8 * (row + 1):
        return "█"
    return BARS[lv % 8]


def y_label(value: float) -> str:
    """A y-axis label in at most 4 characters for the losses a chart shows (nats/char)."""
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def axis_row(width: int, gutter: int, first: str, last: str, titles: Sequence[str]) -> str:
    """The row under the chart: `first` under its first column (after the gutter), `last`
    ending at the right edge, and between them the first title that fits with two
    spaces either side, centred. Cut to `width` if even the labels do not fit."""
    left = " " * gutter + first
    room = width - len(left) - len(last)
    for title in titles:
        if room >= len(title) + 4:
            pad = room - len(title)
            return f"{left}{' ' * (pad // 2)}{title}{' ' * (pad - pad // 2)}{last}"
    return (left + " " * max(room, 1) + last)[:width]


def marker_row(
    width: int, columns: Sequence[int], label: str, anchor: int | None = None
) -> tuple[str, int | None]:
    """The bottom row: MARK_GLYPH at the columns, and the label on blank cells with a
    blank cell either side: next to the marker at column `anchor` ("▲ label", else
    "label ▲"), else right-aligned, else left-aligned, else left out.
    Returns (text, where the label starts)."""
    cells = [" "] * width
    for c in columns:
        if 0 <= c < width:
            cells[c] = MARK_GLYPH
    n = len(label)
    starts = [width - n, 0]  # right first: the latest changes are on the right
    if anchor is not None:
        starts[:0] = [anchor + 2, anchor - 1 - n]
    for start in starts if n else ():
        end = start + n
        margin = cells[max(start - 1, 0) : end + 1]
        if start >= 0 and end <= width and all(ch == " " for ch in margin):
            cells[start:end] = label
            return "".join(cells), start
    return "".join(cells), None


class LossChart(Widget):
    """Bars of the training loss, ● validation points, ▲ setting changes underneath; or
    several labelled curves (show_curves)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "loss-chart--bar",
        "loss-chart--val",
        "loss-chart--mark",
        "loss-chart--legend",
        *(f"loss-chart--curve-{i}" for i in range(len(CURVE_GLYPHS))),
    }
    DEFAULT_CSS = """
    LossChart { height: 1fr; min-height: 3; }
    LossChart > .loss-chart--bar { color: $primary; }
    LossChart > .loss-chart--val { color: $accent; text-style: bold; }
    LossChart > .loss-chart--mark { color: $warning; text-style: bold; }
    LossChart > .loss-chart--legend { color: $text-muted; }
    LossChart > .loss-chart--curve-0 { color: $accent; text-style: bold; }
    LossChart > .loss-chart--curve-1 { color: $success; text-style: bold; }
    LossChart > .loss-chart--curve-2 { color: $warning; text-style: bold; }
    LossChart > .loss-chart--curve-3 { color: $error; text-style: bold; }
    LossChart > .loss-chart--curve-4 { color: $primary; text-style: bold; }
    LossChart > .loss-chart--curve-5 { color: $secondary; text-style: bold; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.points: list[tuple[int, float]] = []
        self.vals: list[tuple[int, float]] = []
        self.marks: list[int] = []
        self.curves: list[Curve] = []  # drawn instead of the bars when there are any
        self.legend = ""  # next to the latest marker (or the chart's key if there is none)
        self.scale: tuple[float, float] = (0.0, 1.0)
        self.labels = ("", "")  # (top, bottom) of the y axis
        self._gutter = 0  # columns left of the bars: the y labels and a tick

    def show(
        self,
        points: Sequence[tuple[int, float]],
        vals: Sequence[tuple[int, float]],
        marks: Sequence[int],
        legend: str,
    ) -> None:
        """Training points (iteration, nats/char), validation points, marker iterations."""
        self.points, self.vals, self.marks = list(points), list(vals), list(marks)
        self.legend, self.curves = legend, []
        self._scale([v for _, v in self.points] + [v for _, v in self.vals])

    def show_curves(self, curves: Sequence[Curve]) -> None:
        """Several labelled curves on one scale, at most len(CURVE_GLYPHS)."""
        self.curves = list(curves[: len(CURVE_GLYPHS)])
        self.points, self.vals, self.marks, self.legend = [], [], [], ""
        self._scale([y for curve in self.curves for _, y in curve.points])

    def _scale(self, values: list[float]) -> None:
        self.scale = (min(values), max(values)) if values else (0.0, 1.0)
        lo, hi = self.scale
        self.labels = (y_label(hi), y_label(lo)) if values else ("", "")
        self._gutter = max(map(len, self.labels)) + 1 if values else 0
        self.refresh()

    @property
    def x_range(self) -> tuple[float, float]:
        """The curves' first and last x (the compare screen labels the axis with them)."""
        xs = [x for curve in self.curves for x, _ in curve.points]
        return (min(xs), max(xs)) if xs else (0.0, 0.0)

    @property
    def gutter(self) -> int:
        """Columns taken by the y labels (none when the chart is too narrow for them)."""
        return self._gutter if self.size.width > 2 * self._gutter + 10 else 0

    def render(self) -> Text:
        gutter, height = self.gutter, self.size.height
        width = self.size.width - gutter
        if width < 1 or height < 2:
            return Text("")
        if self.curves:
            rows = max(height - len(self.curves), 1)  # a legend row per curve underneath
            text = self._frame(self._curve_lines(width, rows), gutter)
            self._curve_legend(text, gutter)
            return text
        rows = height - 1  # the bottom row is for the markers
        lines, starts = self._bar_lines(width, rows)
        text = self._frame(lines, gutter)
        if gutter:
            text.append(" " * gutter)
        self._marker_line(text, width, starts)
        return text

    def _bar_lines(self, width: int, rows: int) -> tuple[list[list[tuple]], list[int]]:
        """The grid of bars and ● points (top row first), and each column's first iteration."""
        bar = self.get_component_rich_style("loss-chart--bar")
        val = self.get_component_rich_style("loss-chart--val")
        lines = [[(" ", None)] * width for _ in range(rows)]  # top row first
        starts: list[int] = []
        if self.points:
            starts = column_starts([i for i, _ in self.points], width)
            lo, hi = self.scale
            for c, v in enumerate(column_values([v for _, v in self.points], width)):
                lv = level(v, lo, hi, rows)
                for r in range(rows):
                    cell = bar_cell(lv, r)
                    lines[rows - 1 - r][c] = (cell, bar if cell != " " else None)
            for it, v in self.vals:
                c = column_of(it, starts)
                if c is None:
                    continue
                r = level(v, lo, hi, rows) // 8
                under = lines[rows - 1 - r][c][0] == "█"  # inside the bar: keep it solid
                style = val + Style(bgcolor=bar.color) if under else val
                lines[rows - 1 - r][c] = (VAL_GLYPH, style)
        return lines, starts

    def _curve_lines(self, width: int, rows: int) -> list[list[tuple]]:
        """The grid of the curves (top row first): a later curve is drawn over an earlier
        one, and a point over the line between points."""
        lines = [[(" ", None)] * width for _ in range(rows)]
        x_range = self.x_range
        for i, curve in enumerate(self.curves):
            style = self.get_component_rich_style(f"loss-chart--curve-{i}")
            cells = curve_cells(curve.points, x_range, self.scale, width, rows)
            for c, (r, point) in sorted(cells.items(), key=lambda item: item[1][1]):
                lines[rows - 1 - r][c] = (CURVE_GLYPHS[i] if point else BETWEEN_GLYPH, style)
        return lines

    def _frame(self, lines: list[list[tuple]], gutter: int) -> Text:
        """The grid with the y labels in the gutter, one text line per row."""
        text = Text(no_wrap=True, overflow="crop")
        muted = self.get_component_rich_style("loss-chart--legend")
        top, bottom = self.labels
        for r, line in enumerate(lines):
            if gutter:
                label = top if r == 0 else bottom if r == len(lines) - 1 else ""
                tick = "┤" if label else "│"
                text.append(f"{label:>{gutter - 1}}{tick}", muted)
            for ch, style in line:
                text.append(ch, style)
            text.append("\n")
        return text

    def _curve_legend(self, text: Text, gutter: int) -> None:
        """One row per curve under the plot: its glyph, in its colour, and its label."""
        for i, curve in enumerate(self.curves):
            style = self.get_component_rich_style(f"loss-chart--curve-{i}")
            text.append(" " * gutter)
            text.append(f"{CURVE_GLYPHS[i]} ", style)
            text.append(curve.label + ("\n" if i < len(self.curves) - 1 else ""))

    def _marker_line(self, text: Text, width: int, starts: list[int]) -> None:
        columns = [c for m in self.marks if (c := column_of(m, starts)) is not None]
        anchor = column_of(self.marks[-1], starts) if self.marks else None
        row, at = marker_row(width, columns, self.legend, anchor)
        mark = self.get_component_rich_style("loss-chart--mark")
        muted = self.get_component_rich_style("loss-chart--legend")
        val = self.get_component_rich_style("loss-chart--val")
        for i, ch in enumerate(row):
            in_legend = at is not None and at <= i < at + len(self.legend)
            style = {MARK_GLYPH: mark, VAL_GLYPH: val}.get(ch, muted if in_legend else None)
            text.append(ch, style)

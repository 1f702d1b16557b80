"""Compare runs: the held-out loss curves of the runs marked in the runs browser and of
the run being trained, on one chart (widgets/loss_chart.py's curves), against the
characters trained (first: runs with other batch sizes or sequence lengths compare only
per character) or the iteration (x switches).

The saved runs' curves are read from their metrics.csv once, in a thread; the current
run's comes from the app's loss pane every second, so it grows while it trains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label

from ..labels import count, distinct, run_label
from ..lossplot import HeldOut, held_out
from ..run_folder import RunFolder
from ..storage import RunInfo
from ..widgets.dialogs import Dialog
from ..widgets.footer import Footer
from ..widgets.loss_chart import CURVE_GLYPHS, Curve, LossChart, axis_row

X_AXES = ("chars", "iteration")
X_TITLES = {
    "chars": ("characters trained · held-out nats/char · x: iterations", "chars · x: iters"),
    "iteration": ("iterations · held-out nats/char · x: characters", "iters · x: chars"),
}
REDRAW_S = 1.0
MAX_SAVED = len(CURVE_GLYPHS) - 1  # the current run takes one glyph


def x_label(x: float, axis: str) -> str:
    """An end of the x axis: 1.2M (characters) or 12,400 (iterations)."""
    return count(round(x)) if axis == "chars" else f"{x:,.0f}"


class CompareScreen(Dialog):
    """The held-out curves of `runs` and of the current run (`current()`, None when there is
    none yet) on one chart."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("x", "x_axis", "Characters / iterations"),
    ]

    def __init__(self, runs: list[RunInfo], current: Callable[[], HeldOut | None]) -> None:
        super().__init__()
        self.runs = runs[:MAX_SAVED]
        self.current = current
        self.saved: list[HeldOut] = []  # read in a thread
        self.x = X_AXES[0]
        self.chart = LossChart(id="compare-chart")
        self.axis = Label("", id="compare-axis")
        self.hint = Label("Reading the runs' metrics...", id="compare-hint")

    def compose(self) -> ComposeResult:
        with Vertical(id="compare"):
            yield self.chart
            yield self.axis
            yield self.hint
        yield Footer(compact=True)  # this screen's keys, over the main screen's stale footer

    def on_mount(self) -> None:
        box = self.query_one("#compare")
        box.border_title = "Compare runs: held-out loss"
        box.border_subtitle = "x: characters / iterations · esc: back"
        self._load()
        self.set_interval(REDRAW_S, self.redraw)
        self.redraw()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        runs = self.runs
        labels = [run_label(r.net, r.corpus) for r in runs]
        labels = distinct(labels, [r.path.name for r in runs])
        curves = [held_out(RunFolder(r.path), lab) for r, lab in zip(runs, labels, strict=True)]
        self.app.call_from_thread(self._loaded, curves)

    def _loaded(self, curves: list[HeldOut]) -> None:
        self.saved = curves
        empty = [c.label for c in curves if not c.points]
        self.hint.update(
            f"No held-out loss in the metrics of: {'; '.join(empty)}"
            if empty
            else "Curves: the held-out (validation) loss of each run, as it was saved"
        )
        self.redraw()

    def held_outs(self) -> list[HeldOut]:
        """The curves drawn: the saved runs', then the current run's."""
        now = self.current()
        return [*self.saved, *([now] if now is not None else [])]

    def redraw(self) -> None:
        curves = [Curve(h.label, h.along(self.x)) for h in self.held_outs()]
        self.chart.show_curves(curves)
        self.call_after_refresh(self._axis)  # the chart's gutter is known once it is drawn

    def _axis(self) -> None:
        first, last = self.chart.x_range
        width = self.axis.size.width
        row = axis_row(
            width, self.chart.gutter, x_label(first, self.x), x_label(last, self.x),
            X_TITLES[self.x],
        )  # fmt: skip
        self.axis.update(row)

    def action_x_axis(self) -> None:
        self.x = X_AXES[1 - X_AXES.index(self.x)]
        self.redraw()

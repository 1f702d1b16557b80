"""Loss pane: a scrolling sparkline of the smooth loss over a recent window, with numbers.

The plot is in nats per character (smooth loss / seq_length), so it stays comparable when
seq_length changes live; the labels also give the seed's number, the loss summed over one
sequence of seq_length characters.
"""

from __future__ import annotations

import math
from collections import deque

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, Sparkline

from ..events import Progress

STRIDE = 50  # one point every STRIDE iterations
WINDOW = 400  # points kept: the last STRIDE * WINDOW iterations


def _mean(values) -> float:
    return sum(values) / len(values)


class LossPane(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.points: deque[float] = deque(maxlen=WINDOW)  # nats/char
        self._next_point = 0
        self.best: float = math.inf  # nats/char
        self.best_iteration = 0
        self.vocab = 0
        self._latest: Progress | None = None  # not drawn yet
        self._shown: Progress | None = None

    def compose(self) -> ComposeResult:
        yield Label("", id="loss-now")
        yield Sparkline([], summary_function=_mean, id="loss-spark")
        yield Label("", id="loss-axis")

    def on_mount(self) -> None:
        self.border_title = "Loss"

    def restart(self, iteration: int, smooth_loss: float, seq_length: int, V: int) -> None:
        """A new run: forget the old curve."""
        self.points.clear()
        self._next_point = iteration
        self.best, self.best_iteration = math.inf, iteration
        self.vocab = V
        self.add(Progress(iteration, smooth_loss, ((iteration, smooth_loss),), 0, 0, seq_length))
        self.redraw()

    def add(self, p: Progress) -> None:
        """Record a progress report (cheap); redraw() shows it."""
        T = p.seq_length
        for iteration, loss in p.losses:
            if iteration >= self._next_point:
                self.points.append(loss / T)
                self._next_point = iteration - iteration % STRIDE + STRIDE
        npc = p.smooth_loss / T
        if npc < self.best:
            self.best, self.best_iteration = npc, p.iteration
        self._latest = p

    def redraw(self) -> None:
        p, self._latest = self._latest, None
        if p is None:
            return
        self._shown = p
        self.query_one(Sparkline).data = list(self.points)
        self._labels(p)

    def on_resize(self) -> None:
        if self._shown is not None:
            self._labels(self._shown)

    def _labels(self, p: Progress) -> None:
        """The numbers under the curve, long forms when they fit, short ones otherwise."""
        T, npc, width = p.seq_length, p.smooth_loss / p.seq_length, self.content_size.width
        start = math.log(self.vocab) if self.vocab else float("nan")
        best, at = self.best, self.best_iteration

        def fit(long: str, short: str) -> str:
            return long if Content.from_markup(long).cell_length <= width else short

        now = fit(
            f"now [b]{p.smooth_loss:.2f}[/] per {T} chars = [b]{npc:.3f}[/] nats/char"
            f"   at iter [b]{p.iteration:,}[/]",
            f"now [b]{p.smooth_loss:.2f}[/]/{T} ch = [b]{npc:.3f}[/] nats/ch",
        )
        best_line = fit(
            f"best {best * T:.2f} = {best:.3f} nats/char at iter {at:,}"
            f"   start: ln V = {start:.2f} (a uniform guess)",
            f"best {best:.3f} @ {at:,} · start ln V {start:.2f}",
        )
        # fixed heights: repaint only, no relayout of the whole screen
        self.query_one("#loss-now", Label).update(f"{now}\n{best_line}", layout=False)
        if self.points:
            lo, hi = min(self.points), max(self.points)
            span = (len(self.points) - 1) * STRIDE
            axis = fit(
                f"last {span:,} iterations: {hi:.3f} (top) .. {lo:.3f} (bottom) nats/char",
                f"last {span:,} its: {hi:.2f} .. {lo:.2f} nats/ch",
            )
            self.query_one("#loss-axis", Label).update(axis, layout=False)

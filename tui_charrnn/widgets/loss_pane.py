"""Loss pane: a sparkline of the smooth loss, the whole run at first, then a scrolling
window of the recent past (so the early ln V plateau does not flatten what follows).

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

WINDOW = 400  # points kept. One point every `stride` iterations: the stride starts at 1 and
MAX_STRIDE = 64  # doubles each time the window fills, up to MAX_STRIDE; then it scrolls,
# showing the last WINDOW * MAX_STRIDE (~25,000) iterations.


def _mean(values) -> float:
    return sum(values) / len(values)


class LossPane(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.points: deque[tuple[int, float]] = deque(maxlen=WINDOW)  # (iteration, nats/char)
        self.stride = 1
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

    def restart(
        self, iteration: int, smooth_loss: float, seq_length: int, V: int, history=()
    ) -> None:
        """A new run: forget the old curve. A resumed one draws its saved history first:
        (iteration, smooth loss) pairs, oldest first, the iteration as the seed numbers it."""
        self.points.clear()
        self.stride = 1
        self._next_point = history[0][0] + 1 if history else iteration
        self.best, self.best_iteration = math.inf, iteration
        self.vocab = V
        if history:  # plotted after the iteration was trained, as live points are
            losses = tuple((n + 1, loss) for n, loss in history)
            self.add(Progress(losses[-1][0], losses[-1][1], losses, 0, 0, seq_length))
            at, best = min(losses, key=lambda t: t[1])
            self.best, self.best_iteration = best / seq_length, at
        self.add(Progress(iteration, smooth_loss, ((iteration, smooth_loss),), 0, 0, seq_length))
        self.redraw()

    def add(self, p: Progress) -> None:
        """Record a progress report (cheap); redraw() shows it."""
        T = p.seq_length
        points = self.points
        for iteration, loss in p.losses:
            if iteration >= self._next_point and math.isfinite(loss):  # NaN: a divergence
                if len(points) == WINDOW and self.stride < MAX_STRIDE:
                    points = self.points = deque(list(points)[1::2], maxlen=WINDOW)
                    self.stride *= 2
                points.append((iteration, loss / T))
                self._next_point = iteration - iteration % self.stride + self.stride
        npc = p.smooth_loss / T
        if npc < self.best:
            self.best, self.best_iteration = npc, p.iteration
        self._latest = p

    def redraw(self) -> None:
        p, self._latest = self._latest, None
        if p is None:
            return
        self._shown = p
        self.query_one(Sparkline).data = [v for _, v in self.points]
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
            values = [v for _, v in self.points]
            lo, hi = min(values), max(values)
            first, last = self.points[0][0], self.points[-1][0]
            axis = fit(
                f"iterations {first:,}..{last:,}: {hi:.3f} (top) .. {lo:.3f} (bottom) nats/char",
                f"it {first:,}..{last:,}: {hi:.2f} .. {lo:.2f} nats/ch",
            )
            self.query_one("#loss-axis", Label).update(axis, layout=False)

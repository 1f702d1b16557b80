"""Loss pane: a chart of the smooth loss, of the whole run or of its recent past (w).

Two downsampled series are kept (loss_series.py): the whole run in at most WHOLE points
(the stride doubles as the run grows, with no limit), and a window of the recent past in
at most WINDOW points (the stride doubles up to MAX_STRIDE, then the window scrolls; it
keeps the early ln V plateau from flattening what follows). The whole run is shown first;
w switches, and the row under the chart says which is shown, its iterations, and w.

The plot is in nats per character (smooth loss / seq_length), so it stays comparable when
seq_length changes live; the labels also give the original min-char-rnn's number, the
loss summed over one sequence of seq_length characters. The validation loss (held-out
tail, validation.py) is drawn as ● points on the same scale and given with its best in
its own line; each live setting change is a ▲ under the chart at its iteration
(widgets/loss_chart.py); both are kept for the whole run and shown on both views.
"""

from __future__ import annotations

import math
from collections import deque

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label

from ..events import Progress, Validated
from .loss_chart import MARK_GLYPH, VAL_GLYPH, LossChart, axis_row
from .loss_series import Series

WINDOW = 400  # points of the recent window: one every `stride` iterations, the stride
MAX_STRIDE = 64  # doubling up to MAX_STRIDE, then the window scrolls (the last ~25,000)
WHOLE = 512  # points of the whole run
VIEWS = ("whole", "recent")


SHORT = {"learning_rate": "lr", "seq_length": "seq", "temperature": "temp"}  # legend names


def _value(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


class LossPane(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.recent = Series(WINDOW, MAX_STRIDE)  # (iteration, nats/char)
        self.whole = Series(WHOLE)
        self.view = VIEWS[0]
        self.best: float = math.inf  # nats/char
        self.best_iteration = 0
        self.vocab = 0
        self._latest: Progress | None = None  # not drawn yet
        self._shown: Progress | None = None
        self.vals: list[tuple[int, float]] = []  # (iteration, nats/char) validation points
        self.val: Validated | None = None  # the latest evaluation
        self.val_best: tuple[float, int] | None = None  # (nats/char, iteration)
        self.val_note = ""  # what is held out (SessionStarted.val_note)
        self.marks: list[tuple[int, str, object, object]] = []  # (iteration, name, old, new)
        self._first = 0  # the first iteration of the run (a resumed one: of its history)
        self._changed = False  # a validation or marker arrived: redraw even without progress
        # Kept as attributes, not queried when drawing: at shutdown children are removed
        # before their parent, and a redraw tick in between would find no LossChart.
        self.now_label = Label("", id="loss-now")
        self.chart = LossChart(id="loss-chart")
        self.axis_label = Label("", id="loss-axis")

    def compose(self) -> ComposeResult:
        yield self.now_label
        yield self.chart
        yield self.axis_label

    def on_mount(self) -> None:
        self.border_title = "Loss"

    @property
    def points(self) -> deque[tuple[int, float]]:
        """The points of the view shown."""
        return (self.whole if self.view == "whole" else self.recent).points

    def shown_points(self) -> list[tuple[int, float]]:
        """The points of the view shown, ending with the latest iteration drawn."""
        points = list(self.points)
        p = self._shown
        if p is not None and points and p.iteration > points[-1][0]:
            npc = p.smooth_loss / p.seq_length
            if math.isfinite(npc):
                points.append((p.iteration, npc))
        return points

    @property
    def stride(self) -> int:
        return self.recent.stride

    def toggle_view(self) -> str:
        self.view = VIEWS[1 - VIEWS.index(self.view)]
        self._changed = True
        self.redraw()
        return self.view

    def restart(
        self,
        iteration: int,
        smooth_loss: float,
        seq_length: int,
        V: int,
        history=(),
        *,
        vals=(),
        changes=(),
        val_note: str | None = None,
    ) -> None:
        """A new run: forget the old curve. A resumed one draws its saved history first:
        (iteration, smooth loss) pairs, oldest first, the iteration as the seed numbers it;
        vals: (iteration trained, nats/char) validation points; changes: (iteration, name,
        old, new) live setting changes."""
        self.vals = list(vals)
        self.val = None
        self.val_best = min(((v, i) for i, v in self.vals), default=None)
        self.marks = [tuple(c) for c in changes]
        if val_note is not None:
            self.val_note = val_note
        first = history[0][0] + 1 if history else iteration
        self.recent.clear(first)
        self.whole.clear(first)
        self._first = first
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
        recent, whole = self.recent.add, self.whole.add
        for iteration, loss in p.losses:
            if math.isfinite(loss):  # NaN: a divergence
                recent(iteration, loss / T)
                whole(iteration, loss / T)
        npc = p.smooth_loss / T
        if npc < self.best:
            self.best, self.best_iteration = npc, p.iteration
        self._latest = p

    def validated(self, e: Validated) -> None:
        """A validation loss (cheap); redraw() shows it."""
        if not math.isfinite(e.loss):  # a diverged step: the rollback follows
            return
        self.vals.append((e.iteration, e.loss))
        self.val = e
        if self.val_best is None or e.best <= self.val_best[0]:
            self.val_best = (e.best, e.best_iteration)
        self._changed = True

    def mark(self, iteration: int, settings: dict, previous: dict) -> None:
        """Live settings took effect at `iteration`: a marker for each real change."""
        for name, new in settings.items():
            old = previous.get(name)
            if old != new:
                self.marks.append((iteration, name, old, new))
                self._changed = True

    def rolled_back(self, iteration: int) -> None:
        """A divergence rolled the run back to `iteration` (events.Diverged): what was
        plotted after it never happened, as the recorder forgets its rows and samples.
        Training points, validation points and markers past it go; the iterations
        trained again are plotted as they come."""
        self.recent.rolled_back(iteration)
        self.whole.rolled_back(iteration)
        self.vals = [v for v in self.vals if v[0] <= iteration]
        if self.val is not None and self.val.iteration > iteration:
            self.val = None
        self.marks = [m for m in self.marks if m[0] <= iteration]
        self._changed = True

    def redraw(self) -> None:
        p, self._latest = self._latest, None
        if p is None and self._changed:
            p = self._shown
        if p is None:
            return
        self._shown, self._changed = p, False
        chart, points = self.chart, self.shown_points()
        first = points[0][0] if self.view == "recent" and points else self._first
        vals = [v for v in self.vals if v[0] >= first]  # the window's, on the recent view
        marks = [m for m in self.marks if m[0] >= first]
        chart.show(points, vals, [m[0] for m in marks], self._legend(chart, marks))
        self._labels(p)

    def _legend(self, chart: LossChart, marks: list) -> str:
        """The latest marker in words, or the chart's key while there is none."""
        if marks:
            at, name, old, new = marks[-1]
            short = SHORT.get(name, name.replace("_", " "))
            return f"{short} {_value(old)}→{_value(new)} @ {at:,}"  # beside its ▲
        key = f"{VAL_GLYPH} validation  {MARK_GLYPH} setting change"
        if self._val_off():
            key = f"{MARK_GLYPH} live setting change"
        return key if chart.size.width - chart.gutter >= len(key) + 2 else ""

    def _val_off(self) -> bool:
        return self.val_note.startswith("validation: off")  # validation.val_note's words

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
        val_line = self._val_line(fit)
        # fixed heights: repaint only, no relayout of the whole screen
        self.now_label.update(f"{now}\n{best_line}\n{val_line}", layout=False)
        points = self.shown_points()
        if points:
            first, last = points[0][0], points[-1][0]
            if self.view == "whole":
                titles = ("whole run · nats/char · w: recent", "whole run · w: recent", "w")
            else:
                span = f"last {last - first:,} iterations"
                titles = (f"{span} · nats/char · w: whole run", f"{span} · w: whole")
                titles += ("recent · w: whole", "w")
            row = axis_row(width, self.chart.gutter, f"{first:,}", f"{last:,}", titles)
            self.axis_label.update(row, layout=False)

    def _val_line(self, fit) -> str:
        """The validation loss and its best (● marks it on the chart), or why there is none."""
        v, best = self.val, self.val_best
        if v is None and best is None:
            short = "val: not evaluated yet"
            if self._val_off():
                zero = "val_fraction 0" in self.val_note
                short = "val off (val_fraction 0)" if zero else "val off"
            return fit(
                f"[$text-muted]{self.val_note or 'validation: not evaluated yet'}[/]",
                f"[$text-muted]{short}[/]",
            )
        figure = f" [b]{v.loss:.3f}[/b]" if v else ""  # a resumed run: only its past best
        now = f"[$accent]{VAL_GLYPH} val{figure}[/]"
        b, at = best if best is not None else (v.loss, v.iteration)
        held = f" on {v.chars:,} held-out chars" if v else ""
        return fit(
            f"{now} nats/char{held}   best [b]{b:.3f}[/] at iter {at:,}",
            f"{now} · best {b:.3f} @ {at:,}",
        )

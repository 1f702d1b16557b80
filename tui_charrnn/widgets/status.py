"""Status bar: state, iteration, loss, speed, elapsed time, corpus and the model in force
(cell, layers, size, parameters, optimiser), on one line: shorter forms, then fewer
parts, when the terminal is narrow."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label

from ..events import Progress

STATES = ("starting", "training", "paused", "error", "stopped")


def fmt_elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def fmt_rate(x: float) -> str:
    return f"{x / 1000:.1f}k" if x >= 10_000 else f"{x:,.0f}"


class StatusBar(Horizontal):
    """Repainted (never re-laid out) on each progress report: cheap at 15 updates/s."""

    state: reactive[str] = reactive("starting")
    corpus_name: reactive[str] = reactive("")

    def __init__(self, deterministic: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.deterministic = deterministic  # hide clock-dependent numbers (snapshots)
        self.progress: Progress | None = None
        self.elapsed0 = 0.0  # training time of a resumed run before this session
        self.model = ("", "")  # the model in force: (short, long), "lstm 128" and the rest
        # references, not queries at draw time: at shutdown the labels go before the bar
        self.state_label = Label(id="state")
        self.stats_label = Label(id="stats")

    def compose(self) -> ComposeResult:
        yield self.state_label
        yield self.stats_label

    def on_mount(self) -> None:
        self.show(None)

    def watch_state(self, state: str) -> None:
        label = self.state_label
        for s in STATES:
            label.set_class(s == state, f"-{s}")
        label.update(f" {state.upper()} ", layout=False)

    def watch_corpus_name(self) -> None:
        if self.is_mounted:
            self.show(self.progress)

    def show(self, p: Progress | None) -> None:
        self.progress = p
        short, long = self.model
        if p is None:
            candidates = [[f"corpus: {self.corpus_name}", long], [self.corpus_name, short]]
        else:
            if self.deterministic:
                speed, elapsed = "- ch/s", "-:--:--"
            else:
                speed = f"{fmt_rate(p.chars_per_s)} ch/s"
                elapsed = fmt_elapsed(self.elapsed0 + p.elapsed_s)
            it, loss = f"iter {p.iteration:,}", f"loss {p.smooth_loss:.2f}"
            nats = f"{loss} ({p.nats_per_char:.3f} nats/ch)"
            candidates = [  # the first that fits; narrow: the loss pane has nats/char
                [it, nats, speed, elapsed, self.corpus_name, long],
                [it, loss, speed, elapsed, self.corpus_name, long],
                [it, loss, speed, elapsed, self.corpus_name, short],
                [it, loss, speed, self.corpus_name, short],
                [it, loss, speed, self.corpus_name],
            ]
        texts = [" · ".join(part for part in parts if part) for parts in candidates]
        room = self.size.width - 12
        text = next((t for t in texts if len(t) <= room), texts[-1])
        self.stats_label.update(text, layout=False)

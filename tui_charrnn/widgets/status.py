"""Status bar: state, iteration, loss, speed, elapsed time and corpus, on one line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label

STATES = ("starting", "training", "paused", "error", "stopped")


def fmt_elapsed(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class StatusBar(Horizontal):
    state: reactive[str] = reactive("starting")
    iteration: reactive[int] = reactive(0)
    smooth_loss: reactive[float] = reactive(0.0)
    seq_length: reactive[int] = reactive(25)
    chars_per_s: reactive[float] = reactive(0.0)
    elapsed_s: reactive[float] = reactive(0.0)
    corpus_name: reactive[str] = reactive("")

    def __init__(self, deterministic: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.deterministic = deterministic  # hide clock-dependent numbers (snapshots)

    def compose(self) -> ComposeResult:
        yield Label(id="state")
        yield Label(id="stats")

    def on_mount(self) -> None:
        self._refresh_all()

    def watch_state(self, state: str) -> None:
        label = self.query_one("#state", Label)
        for s in STATES:
            label.set_class(s == state, f"-{s}")
        label.update(f" {state.upper()} ")

    def _watch_any(self) -> None:
        self._refresh_all()

    watch_iteration = watch_smooth_loss = watch_chars_per_s = _watch_any
    watch_elapsed_s = watch_corpus_name = watch_seq_length = _watch_any

    def _refresh_all(self) -> None:
        if not self.is_mounted:
            return
        if self.deterministic:
            speed, elapsed = "- chars/s", "-:--:--"
        else:
            speed = f"{self.chars_per_s:,.0f} chars/s"
            elapsed = fmt_elapsed(self.elapsed_s)
        npc = self.smooth_loss / max(self.seq_length, 1)
        self.query_one("#stats", Label).update(
            f"iter {self.iteration:,}  loss {self.smooth_loss:.2f} ({npc:.3f} nats/char)"
            f"  {speed}  {elapsed}  corpus: {self.corpus_name}"
        )

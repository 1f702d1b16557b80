"""Sample viewer: every sample of the run in a scrolling log, newest at the bottom."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog

from ..events import Sample

MAX_LINES = 50_000  # display bound; every sample stays in .samples for saving


class SamplePane(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.samples: list[Sample] = []

    def compose(self) -> ComposeResult:
        yield RichLog(wrap=True, markup=False, highlight=False, max_lines=MAX_LINES, id="log")

    def on_mount(self) -> None:
        self.border_title = "Samples"

    def clear(self) -> None:
        self.samples.clear()
        self.query_one(RichLog).clear()

    def add(self, sample: Sample, seq_length: int) -> None:
        self.samples.append(sample)
        colors = self.app.get_css_variables()
        npc = sample.loss / max(seq_length, 1)
        head = Text(
            f"── iter {sample.iteration:,} · loss {sample.loss:.2f} ({npc:.3f} nats/char)"
            f" · temperature {sample.temperature:g} ──",
            style=Style(color=colors.get("accent"), bold=True),
        )
        log = self.query_one(RichLog)
        log.write(head)
        log.write(Text(sample.text))
        self.border_subtitle = f"{len(self.samples):,} samples"

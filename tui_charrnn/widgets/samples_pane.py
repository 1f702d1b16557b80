"""Sample viewer: the run's latest samples in a scrolling log, newest at the bottom.

The log follows the new samples while it is scrolled to the bottom. Scrolled up (to
read), it stays put: new samples wait, and the pane's subtitle says how many are below;
End, or scrolling back to the bottom, shows them and follows again."""

from __future__ import annotations

from collections import deque

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import RichLog

from ..events import Sample
from .textual_private import update_scrollbars_only

# Memory bounds. A line of a RichLog costs ~3.4 KB (a Strip with its segments and seven
# small caches), ~7 KB once it has been on screen (the cropped copy it caches): 50,000
# lines were up to ~350 MB, filled after ~10 minutes of training at the default
# sample_every. Older samples stay in the run folder's samples.jsonl; the s key saves them
# all from there (RunKeeper.save_samples).
MAX_LINES = 1_500  # lines of scrollback in the log (~10 MB at most; 100-200 samples)
MAX_SAMPLES = 1_000  # the latest samples kept in .samples (~0.5 KB each): s adds those
# not yet in samples.jsonl (flushed every 2 s), so up to 500 samples a second
MAX_PER_FLUSH = 40  # samples written to the log per flush (about one a second)
BOTTOM_SLACK = 3  # rows above the bottom that still count as the bottom (the notice line)


class SampleLog(RichLog):
    """A RichLog whose growth repaints only itself.

    Widget.virtual_size is a layout reactive, so every write to a RichLog re-lays out
    and repaints the whole screen; at a few writes a second that costs the trainer
    (same GIL) about a tenth of its speed. Growing a log changes nothing outside it, so
    here a new virtual size only updates the scrollbar and repaints the log, unless
    the scrollbar has to appear or disappear (with Textual's private methods, in
    textual_private.update_scrollbars_only).
    """

    virtual_size = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, old: Size, new: Size) -> None:
        if self.is_mounted and update_scrollbars_only(self, new):
            self.refresh(layout=True)


class SamplePane(Vertical):
    """Samples arrive up to ~15 a second at the original min-char-rnn's settings; add()
    queues them and flush() writes them in one batch (each write re-lays out the screen)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.samples: deque[Sample] = deque(maxlen=MAX_SAMPLES)  # the latest ones
        self.count = 0  # samples of this run so far, including those not kept
        self._pending: list[Text] = []
        self._skipped = 0  # samples dropped from _pending unshown (more than one screenful)
        self.following = True  # the log is at its bottom: new samples are written at once
        self._head_style: Style | None = None  # the theme's accent colour, looked up once
        # a reference, not a query at flush time: at shutdown the log goes before its pane
        self.log_view = SampleLog(
            wrap=True, markup=False, highlight=False, max_lines=MAX_LINES, min_width=16, id="log"
        )

    def compose(self) -> ComposeResult:
        yield self.log_view

    def on_mount(self) -> None:
        self.border_title = "Samples"
        self.watch(self.log_view, "scroll_y", self._scrolled, init=False)

    def _scrolled(self, old: float, new: float) -> None:
        """The user scrolled (or the log followed its end): follow only at the bottom."""
        if self._at_bottom(new):
            if not self.following:
                self.following = True
                self.flush()  # what waited below
        elif new < old:  # up: to read; the log stays put
            self.following = False

    def _at_bottom(self, y: float) -> bool:
        """At the bottom, give or take the rows the notice line takes from the log when it
        shows (it runs later than the scroll it reports: the height may have changed)."""
        return y >= self.log_view.max_scroll_y - BOTTOM_SLACK

    def clear(self) -> None:
        self.samples.clear()
        self.count = 0
        self._pending.clear()
        self._skipped = 0
        self.log_view.clear()
        self.following = True
        self.border_subtitle = ""

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)
        self.count += 1
        if self._head_style is None:
            self._head_style = Style(color=self.app.get_css_variables().get("accent"), bold=True)
        head = Text(
            f"── iter {sample.iteration:,} · loss {sample.loss:.2f}"
            f" · temp {sample.temperature:g} ──",
            style=self._head_style,
        )
        self._pending.append(Text("\n").join([head, Text(sample.text)]))
        if len(self._pending) > 2 * MAX_PER_FLUSH:  # waiting (scrolled up): keep it bounded
            self._skipped += len(self._pending) - MAX_PER_FLUSH
            del self._pending[:-MAX_PER_FLUSH]

    def flush(self) -> None:
        if not self._pending:
            return
        waiting = len(self._pending) + self._skipped
        if not self.following and self._at_bottom(self.log_view.scroll_y):
            self.following = True  # back at the bottom (the watcher may have missed it)
        if not self.following:  # scrolled up to read: nothing moves under the reader
            self.border_subtitle = f"{self.count:,} samples · ↓ {waiting:,} new below (End)"
            return
        shown = self._pending[-MAX_PER_FLUSH:]
        skipped = waiting - len(shown)
        if skipped:  # a tiny model with a small sample_every: more than anyone can read
            note = f"… {skipped:,} more samples (kept: s saves them all)"
            shown.insert(0, Text(note, style=self._head_style or ""))
        text = Text("\n").join(shown)
        self._pending.clear()
        self._skipped = 0
        self.log_view.write(text)
        self.border_subtitle = f"{self.count:,} samples"

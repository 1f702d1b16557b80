"""Tips pane: what to look at and what to try, shown when the terminal is tall enough."""

from __future__ import annotations

from textual.widgets import Static

TIPS = """\
[b]What you see[/]
Loss starts at ln V nats/char:
a uniform guess over the V
characters. As it falls,
samples go from noise to
letters, words, layout.

[b]Try[/]
space pause · n one step
learning_rate 1 Enter: bumpy
hidden_size 200, r: bigger
model lstm, r: a gated cell
temperature 0.5 or 1.5
? the full help"""


class TipsPane(Static):
    MIN_SCREEN_HEIGHT = 45  # below this the tips would push the settings out of view

    def __init__(self, **kwargs) -> None:
        super().__init__(TIPS, **kwargs)

    def on_mount(self) -> None:
        self.border_title = "Tips"
        self.fit(self.app.size.height)

    def fit(self, screen_height: int) -> None:
        """Called by the app on every resize: a hidden pane gets no resize events of its
        own, so it could never come back when the terminal grows."""
        self.display = screen_height >= self.MIN_SCREEN_HEIGHT

"""Pilot test helpers: a seeded paused app, and waiting and typing while a training
thread keeps the app busy.

`pilot.pause()` alone proves nothing there (a busy worker makes it return at once or late),
so tests poll an explicit condition with a deadline (waiting.until), and post key events
the way the terminal driver does (Pilot.press waits for an idle app, which never comes
while training).
"""

from __future__ import annotations

from textual import events
from waiting import until as until  # the one polling helper (tests import it from waiting)

from tui_charrnn.app import CharRNNApp
from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.opening import new_run

SNAPSHOT_HP = Hyperparams(hidden_size=24, seq_length=16, sample_every=5, sample_length=60, seed=7)


def paused_app(tmp_path, text: str, hp: Hyperparams = SNAPSHOT_HP) -> CharRNNApp:
    """The app on `text`, started paused, with clock-dependent numbers hidden: what the
    snapshot tests step by hand into a deterministic state."""

    def factory():
        return new_run(Corpus.from_text(text, "fox-and-crow"), hp)

    return CharRNNApp(
        factory, hp, "fox-and-crow", tmp_path / "runs", start_paused=True, deterministic=True
    )


async def press(pilot, *keys: str) -> None:
    """Post key events as the terminal driver does (printable keys carry their character),
    a short pause between keys as a fast typist leaves."""
    for key in keys:
        char = key if len(key) == 1 else " " if key == "space" else None
        pilot.app.post_message(events.Key(key, char))
        await pilot.pause(0.02)

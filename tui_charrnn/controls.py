"""The Trainer's controls: called from the UI thread, run by the training loop.

No UI library here. Every method is safe to call from any thread: it only sets a flag or
queues a command (deque append is atomic) and wakes the loop, which applies commands
BETWEEN two iterations (trainer.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from .corpus import Corpus
from .hparams import SPECS, Hyperparams, validate
from .opening import OpenedRun


class Controls:
    """The flags and the command queue shared by the UI and the loop (Trainer's base)."""

    def __init__(self, start_paused: bool = False) -> None:
        self._paused = start_paused
        self._stop = False
        self._single_steps = 0
        self._commands: deque[tuple[str, Any]] = deque()  # append/popleft are atomic
        self._wake = threading.Event()
        self._lock = threading.Lock()  # guards _single_steps
        self._ui_busy_until = 0.0  # perf_counter time until which the loop holds
        self._insight = False  # an insight view is shown: post InsightSnapshot events

    # -- controls: safe to call from any thread ---------------------------------------

    def pause(self) -> None:
        self._paused = True
        self._commands.append(("state", None))
        self._wake.set()

    def resume(self) -> None:
        self._paused = False
        self._commands.append(("state", None))
        self._wake.set()

    def toggle_pause(self) -> bool:
        """Pause or resume; returns True if now paused."""
        if self._paused:
            self.resume()
        else:
            self.pause()
        return self._paused

    @property
    def paused(self) -> bool:
        return self._paused

    def step_once(self) -> None:
        """Train exactly one iteration (while paused; ignored while training)."""
        if not self._paused:
            return
        with self._lock:
            self._single_steps += 1
        self._wake.set()

    def sample_now(self) -> None:
        self._commands.append(("sample", None))
        self._wake.set()

    def stop(self) -> None:
        self._stop = True
        self._wake.set()

    def reset(self, hp: Hyperparams, corpus: Corpus | None = None) -> None:
        """Start a new session with `hp` (and another corpus if given)."""
        self._commands.append(("reset", (hp, corpus)))
        self._wake.set()

    def open(self, opener: Callable[[], OpenedRun]) -> None:
        """Save the current run, then train the run opener() opens (a saved one)."""
        self._commands.append(("reset", (None, None, opener)))
        self._wake.set()

    def save_checkpoint(self) -> None:
        """Save the run (checkpoint and logs) between iterations; reports CheckpointSaved."""
        self._commands.append(("save", None))
        self._wake.set()

    def export_samples(self) -> None:
        """Write samples.txt (every sample so far); reports SamplesExported."""
        self._commands.append(("export", None))
        self._wake.set()

    def write_plot(self) -> None:
        """Write loss.svg (the whole run's loss curves) into the run folder; reports
        PlotWritten."""
        self._commands.append(("plot", None))
        self._wake.set()

    def set_insight(self, active: bool) -> None:
        """Post InsightSnapshot events (~2/s, one at once) while active; none otherwise."""
        self._insight = active
        self._commands.append(("insight", active))
        self._wake.set()

    def yield_to_ui(self, seconds: float = 0.15) -> None:
        """Hold training for up to `seconds` (the UI has a key press to show).

        Both threads share one GIL; while training, a repaint takes twice as long as it
        would alone. Holding the loop briefly on user input keeps keys snappy at no
        noticeable cost to training. ui_done() ends the hold early.
        """
        self._ui_busy_until = time.perf_counter() + seconds

    def ui_done(self) -> None:
        self._ui_busy_until = 0.0

    def set_live(self, **settings: Any) -> None:
        """Queue live settings; raises ValueError at once for a bad or non-live one."""
        clean = {}
        for name, value in settings.items():
            spec = SPECS.get(name)
            if spec is None or not spec.live:
                raise ValueError(f"{name} is not a live setting; it applies on reset")
            clean[name] = validate(name, value)
        self._commands.append(("live", clean))
        self._wake.set()

    # -- the loop's side ------------------------------------------------------------------

    def _take_single_step(self) -> bool:
        with self._lock:
            if self._single_steps > 0:
                self._single_steps -= 1
                return True
            return False

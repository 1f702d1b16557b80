"""Shared by the tests that drive a Trainer in a thread: a small corpus and settings, an
event recorder, and a marker command that shows the loop has handled what came before."""

from __future__ import annotations

import threading

from waiting import wait_for

from tui_charrnn import events
from tui_charrnn.hparams import Hyperparams

TEXT = "the quick brown fox jumps over the lazy dog. " * 40
HP = Hyperparams(hidden_size=8, seq_length=10, sample_every=50, sample_length=20)


class Recorder:
    """The trainer's events, in order (the on_event callback; thread-safe)."""

    def __init__(self):
        self.events: list[object] = []
        self.lock = threading.Lock()

    def __call__(self, event):
        with self.lock:
            self.events.append(event)

    def of(self, kind):
        with self.lock:
            return [e for e in self.events if isinstance(e, kind)]

    def last(self, kind):
        found = self.of(kind)
        return found[-1] if found else None

    def since(self, start: int, kind=object) -> list:
        """The events of `kind` recorded after the first `start` events."""
        with self.lock:
            return [e for e in self.events[start:] if isinstance(e, kind)]


def queue_marker(trainer) -> None:
    """Queue a command that changes nothing (the temperature set to its own value). The
    loop handles commands in order between iterations and reports this one
    (SettingsApplied, with the iteration it was handled at): once that is seen, every
    command queued before it has been handled."""
    trainer.set_live(temperature=trainer.session.hp.temperature)


def loop_went_round(trainer, rec: Recorder, turns: int = 2) -> events.SettingsApplied:
    """Queue a marker and wait until it is reported, `turns` times in a row. Two turns:
    whatever the loop was about to do when the first marker was handled (a single step
    already asked for, a save) has been done before the second is. Returns the last
    marker's report."""
    for _ in range(turns):
        seen = len(rec.of(events.SettingsApplied))
        queue_marker(trainer)
        wait_for(
            lambda seen=seen: len(rec.of(events.SettingsApplied)) > seen,
            what="the trainer to handle a marker command",
        )
    return rec.last(events.SettingsApplied)

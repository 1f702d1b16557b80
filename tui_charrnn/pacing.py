"""Sharing one GIL between the UI thread and the trainer thread when the user types.

No UI library here. A key or a click holds the training loop briefly (Controls.
yield_to_ui) so the UI repaints at once, but at most once every YIELD_GAP_S: a flood of
keys (a paste without brackets, a stuck key, a test posting 20,000) would otherwise hold
training for as long as the flood lasts. In a flood (keys closer than FLOOD_GAP_S) the UI
thread, which would keep the GIL throughout, sleeps FLOOD_BREATH_S every FLOOD_SLICE_S,
so training goes on at about a third of its speed meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Callable

YIELD_GAP_S = 0.5  # a key holds the trainer (~0.15 s) at most once in this time
FLOOD_GAP_S = 0.005  # keys closer than this are a flood
FLOOD_SLICE_S, FLOOD_BREATH_S = 0.02, 0.01


class KeyPacer:
    def __init__(self, hold: Callable[[], None], release_after_refresh: Callable[[], None]):
        self._hold = hold  # e.g. trainer.yield_to_ui
        self._release = release_after_refresh  # e.g. call_after_refresh(trainer.ui_done)
        self._next_hold = 0.0  # (monotonic) when a key may hold the trainer again
        self._next_breath = 0.0  # when a flood next lets the trainer run
        self._last = 0.0  # the last key

    def key(self) -> None:
        """Call in the UI thread for every key or click, before it is handled."""
        now = time.monotonic()
        if now >= self._next_hold:
            self._next_hold = now + YIELD_GAP_S
            self._hold()
            self._release()
        elif now - self._last < FLOOD_GAP_S and now >= self._next_breath:
            self._next_breath = now + FLOOD_SLICE_S
            time.sleep(FLOOD_BREATH_S)
        self._last = now

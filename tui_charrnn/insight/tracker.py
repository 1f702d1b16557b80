"""Bookkeeping behind the insight views (plain Python, no numpy needed, no textual).

Units: every loss is kept in nats per character and converted only for display.
Baselines: the n-gram levels are held-out losses (counted on the training part, scored on
the held-out tail), so the RNN is compared on the same text: the iteration where its
validation loss first goes below each level by at least BEAT_MARGIN (an untrained network
scores ln V give or take noise, which must not count as beating the uniform guess),
announced once per run: a resumed run's validation history settles the ones it had beaten.
Settings markers: each live change as (iteration, name, from, to).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..hparams import Hyperparams

BEAT_MARGIN = 0.01  # nats/char
UNITS = ("nats/char", "bits/char", "perplexity", "per sequence")
BASELINE_NAMES = {
    "uniform": "ln V (uniform)",
    "unigram": "unigram",
    "bigram": "bigram",
    "trigram": "trigram",
}


def convert(nats_per_char: float, unit: str, seq_length: int) -> float:
    """A loss in nats/char expressed in `unit` ("per sequence" is the seed's number,
    the sum over seq_length characters; perplexity is exp(nats/char))."""
    if unit == "nats/char":
        return nats_per_char
    if unit == "bits/char":
        return nats_per_char / math.log(2)
    if unit == "perplexity":
        return math.exp(min(nats_per_char, 700.0))
    if unit == "per sequence":
        return nats_per_char * seq_length
    raise ValueError(f"unknown unit {unit!r}")


def fmt(value: float | None, unit: str) -> str:
    if value is None or value != value:
        return "–"
    if unit == "per sequence" or unit == "perplexity":
        return f"{value:.2f}"
    return f"{value:.3f}"


@dataclass
class Marker:
    iteration: int
    name: str
    old: object
    new: object


@dataclass
class Tracker:
    """What the insight views remember about the current run (UI thread only)."""

    hp: Hyperparams = field(default_factory=Hyperparams)  # in force, live changes included
    baselines: dict[str, float] | None = None  # nats/char of each n-gram model
    beaten: dict[str, int] = field(default_factory=dict)  # name -> first iteration below it
    markers: list[Marker] = field(default_factory=list)
    best_val: tuple[float, int] | None = None  # (nats/char, iteration)
    unit: str = UNITS[0]
    earlier: list[tuple[int, float]] = field(default_factory=list)  # resumed run's record lows

    def started(self, hp: Hyperparams) -> None:
        """A new run: forget the old baselines, beats, markers and validation."""
        self.hp = hp
        self.baselines = None
        self.beaten.clear()
        self.markers.clear()
        self.best_val = None
        self.earlier = []

    def resumed(self, history) -> None:
        """A resumed run's validation losses, (iteration, nats/char) oldest first: the baselines
        it had beaten are recorded at their iterations, never announced again. Only the
        record lows are kept (the first point below a level is always one of them); they
        are settled against the baselines once those are computed."""
        lows: list[tuple[int, float]] = []
        for iteration, npc in history:
            if math.isfinite(npc) and (not lows or npc < lows[-1][1]):
                lows.append((iteration, npc))
        self.earlier = lows
        self._settle()

    def _settle(self) -> None:
        if self.baselines and self.earlier:
            for iteration, npc in self.earlier:
                for name, level in self.baselines.items():
                    if name not in self.beaten and npc < level - BEAT_MARGIN:
                        self.beaten[name] = iteration
            self.earlier = []

    def next_unit(self) -> str:
        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        return self.unit

    def progress(self, iteration: int, nats_per_char: float) -> list[str]:
        """A validation loss: the baselines it went below for the first time (names)."""
        if not self.baselines:
            return []
        self._settle()
        new = [
            name
            for name, level in self.baselines.items()
            if name not in self.beaten and nats_per_char < level - BEAT_MARGIN
        ]
        for name in new:
            self.beaten[name] = iteration
        return new

    def settings(self, iteration: int, settings: dict) -> None:
        """Record the live settings now in force, with a marker for each real change."""
        for name, value in settings.items():
            old = getattr(self.hp, name)
            if old != value:
                self.markers.append(Marker(iteration, name, old, value))
        self.hp = self.hp.with_(**settings)

    def validation(self, iteration: int, loss: float | None) -> None:
        if loss is None or loss != loss:
            return
        if self.best_val is None or loss < self.best_val[0]:
            self.best_val = (loss, iteration)

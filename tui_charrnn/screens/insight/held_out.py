"""The held-out passage the surprisal and neuron tabs colour."""

from __future__ import annotations

from ... import events
from ...corpus import Corpus, train_val_split

PASSAGE = 360  # held-out characters coloured by surprisal / activation


def held_out(corpus: Corpus, val_fraction: float) -> slice:
    """The session's validation slice (its last val_fraction, never trained on); the
    whole corpus, i.e. training text, when that is (nearly) empty."""
    _, val = train_val_split(corpus.N, val_fraction)
    return val if val.stop - val.start > 3 else slice(0, corpus.N)


def val_fraction(snap: events.InsightSnapshot) -> float:
    return snap.hp.val_fraction

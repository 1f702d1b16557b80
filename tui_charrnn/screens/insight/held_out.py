"""The held-out passage the surprisal and neuron tabs colour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...insight.split import train_val_split
from ...trainer import VAL_FRACTION

if TYPE_CHECKING:
    from ...corpus import Corpus

PASSAGE = 360  # held-out characters coloured by surprisal / activation


def held_out(corpus: Corpus) -> slice:
    """The validation slice (last VAL_FRACTION); the whole corpus when that is empty."""
    _, val = train_val_split(corpus.N, VAL_FRACTION)
    return val if val.stop - val.start > 3 else slice(0, corpus.N)

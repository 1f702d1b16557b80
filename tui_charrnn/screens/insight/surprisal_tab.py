"""Surprisal tab: a passage coloured by the model's probability of each character, and
the top-5 next-character distribution at the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from textual.content import Content

from ... import events
from ...insight.surprisal import buckets, surprisal
from ..insight_text import SURPRISE_LEGEND, SURPRISE_STYLES, show_char, styled
from .held_out import PASSAGE, held_out, val_fraction

if TYPE_CHECKING:
    from ...corpus import Corpus


class Scored(NamedTuple):
    """A passage scored by the model (computed in a thread worker)."""

    chars: list[str]
    probs: np.ndarray  # p of each character given the ones before it
    top: np.ndarray  # (T, 5) the most likely next characters (vocabulary indices)
    top_p: np.ndarray  # (T, 5) their probabilities
    label: str  # "held-out text" or "latest sample"
    vocab: list[str]


def compute(snap: events.InsightSnapshot, corpus: Corpus, sample: str | None) -> Scored:
    """The held-out passage (sample None) or the start of a sample, from a blank state."""
    if sample is None:
        val = held_out(corpus, val_fraction(snap))
        ixs = corpus.data[val.start : val.start + PASSAGE]
        label = "held-out text" if val.start > 0 else "training text (nothing held out)"
    else:
        ixs = corpus.encode(sample[:PASSAGE]) if sample else corpus.data[:0]
        label = "latest sample"
    probs, top, top_p = surprisal(snap.params, ixs, snap.params.zero_state())
    chars = [corpus.chars[i] for i in ixs]
    return Scored(chars, probs, top, top_p, label, list(corpus.chars))


def render(scored: Scored, cursor: int) -> Content | str:
    chars, probs, top, top_p, label, vocab = scored
    if len(chars) < 2:
        return "No sample yet: press p for the held-out text."
    legend: list[str | tuple[str, str]] = [(f"{label}, p of each char: ", "$text-muted")]
    for st, lab in zip(SURPRISE_STYLES, SURPRISE_LEGEND, strict=True):
        legend += [(f" {lab} ", st)]
    legend += ["\n"]
    styles = [SURPRISE_STYLES[b] for b in buckets(probs)]
    styles[0] = "$text-muted"
    c = cursor
    guesses: list[str | tuple[str, str]] = [
        f"\n\n#{c} {show_char(chars[c])} p={probs[c]:.3f}  expected "
    ]
    for ix, p in zip(top[c], top_p[c], strict=True):
        if ix >= 0:
            st = "bold $success" if vocab[ix] == chars[c] else "bold"
            guesses += [(show_char(vocab[ix]), st), f" {p:.0%}  "]
    guesses.append(("\n←/→ move · p: sample / held-out · from a blank state", "$text-muted"))
    return Content.assemble(*legend, styled(chars, styles, c), *guesses)

"""Neurons tab: the units of one part of the state (h, or h1, c1, h2... from
Net.state_parts()) ranked by how well they track simple features, and a held-out passage
coloured by the selected unit's activation.

Hidden states h lie in [-1, 1] and are coloured as they are; other carries (an LSTM's
cell c) are unbounded and are coloured by tanh(c), as in Karpathy, Johnson & Fei-Fei
(2015); the ranking correlates the raw values either way."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from textual.content import Content

from ... import events
from ...insight.neurons import activations, features, rank_units
from ..insight_text import ACT_STYLES, act_level, styled
from .held_out import PASSAGE, held_out, val_fraction

if TYPE_CHECKING:
    from ...corpus import Corpus

NEURON_CHARS = 2000  # held-out characters the units are ranked on
FEATURES = {
    "in_quotes": "inside quotes",
    "bracket_depth": "bracket depth",
    "line_position": "position in line",
    "after_newline": "after a newline",
}

# feature -> the best 3 (unit, correlation); none for a feature that does not vary
Ranked = dict[str, list[tuple[int, float]]]


class Neurons(NamedTuple):
    """The held-out passage through the network (computed in a thread worker)."""

    text: str
    acts: np.ndarray  # (T, S) the full state after each character
    parts: list[tuple[str, slice]]  # Net.state_parts(): "h", or "h1", "c1", "h2"...
    ranked: dict[str, Ranked]  # part label -> its units ranked per feature


def compute(snap: events.InsightSnapshot, corpus: Corpus) -> Neurons:
    """The held-out text, the states after each of its characters and, for every part
    of the state, its units ranked per feature."""
    val = held_out(corpus, val_fraction(snap))
    ixs = corpus.data[val.start : val.start + NEURON_CHARS]
    text = corpus.decode(ixs)
    acts = activations(snap.params, ixs, snap.params.zero_state())  # (T, S)
    parts = snap.params.net.state_parts()
    feats = features(text)
    ranked = {label: rank_features(acts[:, sl], feats) for label, sl in parts}
    return Neurons(text, acts, parts, ranked)


def rank_features(acts: np.ndarray, feats: dict[str, np.ndarray]) -> Ranked:
    """The best 3 units of acts (T, H) per feature; a feature constant here (no brackets,
    say) ranks no unit."""
    return {name: rank_units(acts, f)[:3] if np.ptp(f) > 0 else [] for name, f in feats.items()}


def unit_list(ranked: Ranked) -> list[int]:
    """The ranked units, once each, in the order the tab lists them."""
    units: list[int] = []
    for name in FEATURES:
        for u, _ in ranked[name]:
            if u not in units:
                units.append(u)
    return units


def render(n: Neurons, part: int, unit: int) -> Content:
    """Part `part` (an index into n.parts) with unit `unit` of it selected."""
    part_label, sl = n.parts[part]
    ranked = n.ranked[part_label]
    out: list[str | tuple[str, str]] = []
    if len(n.parts) > 1:  # which part, among all: a 1-layer rnn has only h and no choice
        out.append(("part ", "bold"))
        for k, (other, _) in enumerate(n.parts):
            out += [(f" {other} ", "bold reverse" if k == part else ""), " "]
        out.append(("  p: next part\n", "$text-muted"))
    out.append(
        (f"Units that track a feature (correlation on {len(n.text):,} held-out chars)\n",
         "$text-muted")
    )  # fmt: skip
    for name, label in FEATURES.items():
        out.append(f"{label:<17}")
        if not ranked[name]:
            out.append((" does not vary in this passage", "$text-muted"))
        for u, r in ranked[name]:
            st = "bold reverse" if u == unit else "bold" if abs(r) >= 0.5 else ""
            out += [(f" #{u:<3} {r:+.2f}", st), "  "]
        out.append("\n")
    values = n.acts[:PASSAGE, sl][:, unit]  # (PASSAGE,)
    shown = "activation" if len(n.parts) == 1 else part_label
    if not part_label.startswith("h"):  # a cell: unbounded, coloured by its tanh
        values, shown = np.tanh(values), f"tanh({part_label})"
    out += [("\nunit ", "bold"), (f"#{unit}", "bold reverse"), f" (←/→)  {shown}: "]
    for st, lab in zip(ACT_STYLES, ("-1", "-.6", "0", "+.2", "+.6"), strict=True):
        out.append((f" {lab} ", st))
    out.append("\n")
    styles = [ACT_STYLES[level] for level in act_level(values)]
    return Content.assemble(*out, styled(list(n.text[:PASSAGE]), styles))

"""Neurons tab: hidden units ranked by how well they track simple features, and a
held-out passage coloured by the selected unit's activation."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def compute(snap: events.InsightSnapshot, corpus: Corpus) -> tuple[str, np.ndarray, Ranked]:
    """The held-out text, its hidden activations (T, H) and the units ranked per feature."""
    val = held_out(corpus, val_fraction(snap))
    ixs = corpus.data[val.start : val.start + NEURON_CHARS]
    text = corpus.decode(ixs)
    acts = activations(snap.params, ixs, snap.params.zero_state())  # (T, H)
    ranked = {  # a feature constant here (no brackets, say) ranks no unit
        name: rank_units(acts, f)[:3] if np.ptp(f) > 0 else [] for name, f in features(text).items()
    }
    return text, acts, ranked


def unit_list(ranked: Ranked) -> list[int]:
    """The ranked units, once each, in the order the tab lists them."""
    units: list[int] = []
    for name in FEATURES:
        for u, _ in ranked[name]:
            if u not in units:
                units.append(u)
    return units


def render(text: str, acts: np.ndarray, ranked: Ranked, unit: int) -> Content:
    parts: list[str | tuple[str, str]] = [
        (f"Units that track a feature (correlation on {len(text):,} held-out"
         " chars)\n", "$text-muted"),
    ]  # fmt: skip
    for name, label in FEATURES.items():
        parts.append(f"{label:<17}")
        if not ranked[name]:
            parts.append((" does not vary in this passage", "$text-muted"))
        for u, r in ranked[name]:
            st = "bold reverse" if u == unit else "bold" if abs(r) >= 0.5 else ""
            parts += [(f" #{u:<3} {r:+.2f}", st), "  "]
        parts.append("\n")
    parts += [("\nunit ", "bold"), (f"#{unit}", "bold reverse"), " (←/→)  activation: "]
    for st, lab in zip(ACT_STYLES, ("-1", "-.6", "0", "+.2", "+.6"), strict=True):
        parts.append((f" {lab} ", st))
    parts.append("\n")
    n = PASSAGE
    levels = act_level(acts[:n, unit])
    chars = list(text[:n])
    return Content.assemble(*parts, styled(chars, [ACT_STYLES[lv] for lv in levels]))

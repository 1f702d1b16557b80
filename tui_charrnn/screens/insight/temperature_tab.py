"""Temperature tab: one hidden state sampled at several temperatures side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from ... import events
from ...insight.temperature import TEMPERATURES, side_by_side
from ..insight_text import show_char

if TYPE_CHECKING:
    from ...corpus import Corpus

TEMP_CHARS = 120  # characters sampled per temperature


def compute(snap: events.InsightSnapshot, corpus: Corpus, seed: int) -> dict[float, str]:
    """Text per temperature (0 = argmax), all from the snapshot's hidden state."""
    out = side_by_side(snap.params, snap.h, snap.seed_ix, TEMP_CHARS, seed, TEMPERATURES)
    return {t: corpus.decode(ixs) for t, ixs in out.items()}


def render(iteration: int, seed_char: str, texts: dict[float, str]) -> Content:
    parts: list[str | tuple[str, str]] = [
        (f"One hidden state (iteration {iteration:,}), after {show_char(seed_char)}, "
         "sampled four ways. t: resample\n", "$text-muted"),
    ]  # fmt: skip
    for t, text in texts.items():
        name = "argmax" if t == 0 else f"T = {t}"
        parts += [(f"\n{name}\n", "bold $primary"), text.replace("\n", "↵ ") + "\n"]
    return Content.assemble(*parts).rstrip()

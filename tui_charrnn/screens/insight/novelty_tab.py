"""Novelty tab: the latest samples with spans copied verbatim from the corpus highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from textual.content import Content

from ...insight.novelty import NoveltyIndex
from ..insight_text import COPIED_STYLE, styled

if TYPE_CHECKING:
    from ...corpus import Corpus

NOVELTY_N = 10  # spans of at least this many characters copied verbatim are highlighted


def render(novelty: NoveltyIndex, corpus: Corpus, samples: Sequence) -> Content:
    """`samples` (with .text and .iteration) newest first."""
    parts: list[str | tuple[str, str]] = [
        (f"Spans of ≥ {NOVELTY_N} characters found verbatim in the corpus: ", "$text-muted"),
        (" copied ", COPIED_STYLE),
        "\n",
    ]
    if not samples:
        parts.append(("\nNo samples yet.", "$text-muted"))
    for s in samples:
        try:
            ixs = corpus.encode(s.text)
        except Exception:
            continue
        spans = novelty.verbatim_spans(ixs)
        copied = np.zeros(len(ixs), bool)
        for a, b in spans:
            copied[a:b] = True
        frac = copied.mean() if len(ixs) else 0.0
        parts.append((f"\niteration {s.iteration:,}: {frac:.0%} copied\n", "bold"))
        styles = [COPIED_STYLE if c else "" for c in copied]
        parts.append(styled(list(s.text), styles))
        parts.append("\n")
    return Content.assemble(*parts).rstrip()

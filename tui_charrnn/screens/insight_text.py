"""Colour and text helpers for the Insight screen: styles per level, styled characters."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from textual.content import Content

# surprisal buckets 0 (confident) .. 4 (surprised)
SURPRISE_STYLES = ("$success", "$foreground", "$warning", "$error", "bold $text on $error")
SURPRISE_LEGEND = ("p≥.5", "≥.2", "≥.05", "≥.01", "<.01")
# activation -1 .. +1 in five levels
ACT_STYLES = (
    "bold $text on $primary",
    "$primary",
    "$text-muted",
    "$warning",
    "bold $text on $warning-darken-2",
)
COPIED_STYLE = "bold $text on $accent-darken-2"


def visible(ch: str) -> str:
    """A character as it is drawn inside coloured text (newline and tab made visible)."""
    return {"\n": "↵\n", "\t": "→", "\r": "␍"}.get(ch, ch)


def show_char(ch: str) -> str:
    return repr(ch) if ch in "\n\t\r " else f"'{ch}'"


def styled(chars: Sequence[str], styles: Sequence[str], cursor: int | None = None) -> Content:
    """Characters each with its style (runs of one style merged); the cursor reversed."""
    parts: list[tuple[str, str]] = []
    for i, (ch, st) in enumerate(zip(chars, styles, strict=True)):
        if i == cursor:
            st = f"{st} reverse"
        text = visible(ch)
        if parts and parts[-1][1] == st:
            parts[-1] = (parts[-1][0] + text, st)
        else:
            parts.append((text, st))
    return Content.assemble(*parts)


def act_level(a: np.ndarray) -> np.ndarray:
    """Activation (-1..1) to 0..4: <-.6, <-.2, |a|<=.2, >.2, >.6."""
    return np.searchsorted(np.array([-0.6, -0.2, 0.2, 0.6]), a, side="right")

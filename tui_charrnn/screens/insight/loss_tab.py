"""Loss tab: training and held-out loss beside the n-gram baselines, in the chosen units,
and the list of live setting changes."""

from __future__ import annotations

from textual.content import Content

from ... import events
from ...insight.tracker import BASELINE_NAMES, Tracker, convert, fmt
from ...metrics import METRICS_EVERY

BAR = 24  # width of the loss bars, proportional to the figures in the unit shown


def title(unit: str, seq_length: int) -> str:
    """What the figures are, in words that read for every unit."""
    if unit == "perplexity":
        return "Perplexity, e^(nats/char)"
    if unit == "per sequence":
        return f"Loss per sequence of {seq_length} chars"  # the original min-char-rnn's number
    return f"Loss in {unit}"


def waiting(t: Tracker, snap: events.InsightSnapshot) -> str:
    """Why there is no held-out figure: none is held out, or the first evaluation has not
    come yet. It comes at the session's first metrics row (validation.py), the first
    iteration trained whose 0-based number is a multiple of METRICS_EVERY; figures are
    numbered by iterations trained, as the header's."""
    if t.baselines == {} or not t.hp.val_fraction:
        return "off: nothing is held out"
    row = -(-snap.iteration // METRICS_EVERY) * METRICS_EVERY
    return f"not measured yet: due at iteration {row + 1:,}"


def render(t: Tracker, snap: events.InsightSnapshot | None) -> Content:
    unit = t.unit
    T = snap.seq_length if snap else t.hp.seq_length
    rows: list[tuple[str, float | None, str, str]] = []  # label, nats/char, style, note
    if snap is not None:
        rows.append(("training (smooth)", snap.smooth_loss / T, "$primary", ""))
        note = ""
        if t.best_val is not None:
            note = f"best {fmt(convert(t.best_val[0], unit, T), unit)} at {t.best_val[1]:,}"
        chars = snap.val_chars
        size = f"{chars / 1000:.0f}k" if chars >= 10_000 else f"{chars / 1000:.1f}k"
        size = size if chars >= 1000 else str(chars)  # the label fits its 18 columns
        label = f"held-out ({size} ch)" if chars else "held-out"
        if snap.val_loss is None:
            note = waiting(t, snap)
        rows.append((label, snap.val_loss, "$accent", note))
    if t.baselines:
        for name, level in t.baselines.items():
            at = t.beaten.get(name)
            note = f"beaten at {at:,}" if at is not None else "not yet beaten"
            style = "$success" if at is not None else "$text-muted"
            rows.append((BASELINE_NAMES[name], level, style, note))
    shown = [None if r[1] is None else convert(r[1], unit, T) for r in rows]
    top = max((v for v in shown if v is not None and v == v), default=1.0)
    parts: list[str | tuple[str, str]] = [
        (title(unit, T), "bold"),
        f"  u: units · 1-6: tabs   iteration {snap.iteration:,}\n" if snap else "\n",
    ]
    for (label, _, style, note), value in zip(rows, shown, strict=True):
        if value is None or value != value:
            n = 0
        else:
            n = round(BAR * min(value / top, 1.0)) if top > 0 else 0
        parts.append(f"{label:<18} {fmt(value, unit):>7} ")
        if value is None and note:  # no bar: the reason takes its place
            parts.append((f"{note}\n", "$text-muted"))
            continue
        parts += [("█" * n, style), (" " * (BAR - n) + f" {note}\n", "$text-muted")]
    parts.append((_baselines_note(t), "$text-muted"))
    parts.append(("\nSetting changes\n", "bold"))
    if not t.markers:
        parts.append(("  none yet: change one in the Hyperparameters pane\n", "$text-muted"))
    for m in t.markers[-8:]:
        parts.append(f"  iter {m.iteration:>8,}  {m.name} {m.old} → {m.new}\n")
    return Content.assemble(*parts).rstrip()


def _baselines_note(t: Tracker) -> str:
    held = t.hp.val_fraction
    if t.baselines is None:
        return "computing the n-gram baselines…\n"
    if not t.baselines:
        return (
            "No held-out figures: val_fraction is 0, nothing is held out of training "
            "(set val_fraction and reset, r, to measure them).\n"
        )
    return (
        f"Held-out: the last {held:.0%} of the corpus, never trained on. Baselines are "
        f"counted on the first {1 - held:.0%} and scored on it.\n"
    )

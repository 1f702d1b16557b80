"""Health tab: gradient norms, clipping, saturated units and Adagrad step sizes."""

from __future__ import annotations

import math

from textual.content import Content

from ... import events


def render(snap: events.InsightSnapshot) -> Content:
    """The snapshot's health figures (snap.health must not be None)."""
    h = snap.health
    clip = snap.hp.clip
    parts: list[str | tuple[str, str]] = [
        (f"Gradient of iteration {snap.health_iteration:,} before clipping to ±{clip:g}\n\n",
         "$text-muted"),
        ("param    norm   clipped  Adagrad step lr/√mem (median)\n", "bold"),
    ]  # fmt: skip
    for name in ("Wxh", "Whh", "Why", "bh", "by", "all"):
        frac = h["clipped_fraction"][name]
        st = "$error" if frac > 0.01 else "$warning" if frac > 0 else "$success"
        parts += [
            f"{name:<6} {h['grad_norm'][name]:>7.3f}  ",
            (f"{frac:>7.2%}", st),
            f"  {h['step_median'][name]:.3g}\n",
        ]
    sat = h["saturated_fraction"]
    if sat == sat:
        st = "$error" if sat > 0.5 else "$warning" if sat > 0.2 else "$success"
        parts += ["\nsaturated units |h| > 0.95: ", (f"{sat:.0%}", st)]
        parts.append((" (of the last hidden state)", "$text-muted"))
    big = h["grad_norm"]["all"]
    if big != big or math.isinf(big):
        parts.append(("\nthe gradient is not finite", "$error"))
    return Content.assemble(*parts)

"""Training health at a glance: gradient sizes per array and per layer, clipping,
saturation, the optimiser's step sizes.

Session.grads is clipped IN PLACE by the optimiser's step, so after a step its entries are
already inside [-clip, clip]. Entries are therefore counted as clipped when
|g| >= clip: on an unclipped gradient that is "would be clipped" (ties have measure
zero), and on an already clipped one it still finds the entries that were clipped. The
norms are those of whatever gradient is passed (take a copy before the step for
unclipped norms).
"""

from __future__ import annotations

import numpy as np

from ..models.params import OUTPUT_NAMES, Net, Params
from ..optimizers import Optimizer

SATURATED = 0.95  # |h| above this counts as a saturated tanh unit
ALL = "all"
OUTPUT = "output"


def layer_groups(net: Net) -> dict[str, tuple[str, ...]]:
    """The arrays of each layer, by full name: {"layer 1": ("Wxh", "Whh", "bh"), ...,
    "output": ("Why", "by")}."""
    groups = {
        f"layer {layer + 1}": tuple(net.layer_names(layer).values()) for layer in range(net.layers)
    }
    groups[OUTPUT] = OUTPUT_NAMES
    return groups


def health(
    grads: Params, clip: float, optimizer: Optimizer, hs: np.ndarray | None, lr: float
) -> dict:
    """grads: a gradient; optimizer: the session's (its rates after its last step);
    hs: hidden states (..., H), or None.

    Returns {"grad_norm": {key: L2}, "clipped_fraction": {key: frac},
             "step_median": {key: median of the optimiser's per-entry rate lr / denominator},
             "saturated_fraction": float (nan without hs),
             "optimizer": its name, "rate": its rate written out (lr/√v̂)},
    the keys being every array's name, each layer_groups() name and "all".
    """
    out = {"grad_norm": {}, "clipped_fraction": {}, "step_median": {}}
    rates = optimizer.rates(lr)
    # the mean step is dominated by entries that never got a gradient (lr/sqrt(1e-8)): medians
    parts = [(name, getattr(grads, name), getattr(rates, name)) for name in grads.names]
    for group, names in layer_groups(grads.net).items():
        g = np.concatenate([getattr(grads, name).ravel() for name in names])
        r = np.concatenate([getattr(rates, name).ravel() for name in names])
        parts.append((group, g, r))
    parts.append((ALL, grads.flat, rates.flat))
    for name, g, r in parts:
        out["grad_norm"][name] = float(np.sqrt(np.square(g).sum()))
        out["clipped_fraction"][name] = float(np.mean(np.abs(g) >= clip))
        out["step_median"][name] = float(np.median(r))
    if hs is None or not np.size(hs):
        out["saturated_fraction"] = float("nan")
    else:
        out["saturated_fraction"] = float(np.mean(np.abs(hs) > SATURATED))
    out["optimizer"], out["rate"] = optimizer.name, optimizer.RATE
    return out

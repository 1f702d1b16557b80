"""Training health at a glance: gradient sizes, clipping, saturation, Adagrad steps.

Session.grads is clipped IN PLACE by Adagrad.step, so after a step its entries are
already inside [-clip, clip]. Entries are therefore counted as clipped when
|g| >= clip: on an unclipped gradient that is "would be clipped" (ties have measure
zero), and on an already clipped one it still finds the entries that were clipped. The
norms are those of whatever gradient is passed (take a copy before the step for
unclipped norms).
"""

from __future__ import annotations

import numpy as np

from ..model import Params

SATURATED = 0.95  # |h| above this counts as a saturated tanh unit


def health(grads: Params, clip: float, mem: Params, hs: np.ndarray | None, lr: float) -> dict:
    """grads: a gradient, mem: Adagrad's memory; hs: hidden states (..., H), or None.

    Returns {"grad_norm": {name: L2, ..., "all": L2},
             "clipped_fraction": {name: frac, ..., "all": frac},
             "step_median": {name: median of lr / sqrt(mem + 1e-8), ..., "all": median},
             "saturated_fraction": float (nan without hs)}.
    """
    out = {"grad_norm": {}, "clipped_fraction": {}, "step_median": {}}
    # the mean step is dominated by entries that never got a gradient (1/sqrt(1e-8)): medians
    parts = [(name, getattr(grads, name), getattr(mem, name)) for name in grads.names]
    parts.append(("all", grads.flat, mem.flat))
    for name, g, m in parts:
        out["grad_norm"][name] = float(np.sqrt(np.square(g).sum()))
        out["clipped_fraction"][name] = float(np.mean(np.abs(g) >= clip))
        out["step_median"][name] = float(np.median(lr / np.sqrt(m + 1e-8)))
    if hs is None or not np.size(hs):
        out["saturated_fraction"] = float("nan")
    else:
        out["saturated_fraction"] = float(np.mean(np.abs(hs) > SATURATED))
    return out

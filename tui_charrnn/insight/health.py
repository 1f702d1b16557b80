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

from ..model import PARAM_NAMES, Params

SATURATED = 0.95  # |h| above this counts as a saturated tanh unit


def health(grads, clip: float, mem, hs: np.ndarray | None, lr: float) -> dict:
    """grads, mem: Params or their flat buffers (at least one a Params, or hs given so H
    is known); hs: hidden states (T, H) or (T, B, H), or None.

    Returns {"grad_norm": {name: L2, ..., "all": L2},
             "clipped_fraction": {name: frac, ..., "all": frac},
             "saturated_fraction": float (nan without hs),
             "saturated_per_unit": (H,) fraction of steps each unit is saturated,
             "step_size": {name: mean lr / sqrt(mem + 1e-8), ..., "all": mean},
             "step_median": {name: median of the same, ..., "all": median}}.
    """
    V, H = _shape(grads, mem, hs)
    G, M = _as_params(grads, V, H), _as_params(mem, V, H)
    out = {"grad_norm": {}, "clipped_fraction": {}, "step_size": {}}
    for name in PARAM_NAMES:
        g, m = getattr(G, name), getattr(M, name)
        out["grad_norm"][name] = float(np.sqrt(np.square(g).sum()))
        out["clipped_fraction"][name] = float(np.mean(np.abs(g) >= clip))
        out["step_size"][name] = float(np.mean(lr / np.sqrt(m + 1e-8)))
    out["grad_norm"]["all"] = float(np.sqrt(np.square(G.flat).sum()))
    out["clipped_fraction"]["all"] = float(np.mean(np.abs(G.flat) >= clip))
    out["step_size"]["all"] = float(np.mean(lr / np.sqrt(M.flat + 1e-8)))
    # the mean is dominated by entries that never got a gradient (1/sqrt(1e-8)): medians
    out["step_median"] = {
        name: float(np.median(lr / np.sqrt(getattr(M, name) + 1e-8))) for name in PARAM_NAMES
    }
    out["step_median"]["all"] = float(np.median(lr / np.sqrt(M.flat + 1e-8)))
    if hs is None or not np.size(hs):
        out["saturated_fraction"] = float("nan")
        out["saturated_per_unit"] = np.full(H, np.nan)
    else:
        sat = np.abs(np.asarray(hs)).reshape(-1, H) > SATURATED  # (T*B, H)
        out["saturated_fraction"] = float(sat.mean())
        out["saturated_per_unit"] = sat.mean(axis=0)  # (H,)
    return out


def _shape(grads, mem, hs) -> tuple[int, int]:
    for p in (grads, mem):
        if isinstance(p, Params):
            return p.V, p.H
    if hs is None:
        raise ValueError("pass a Params for grads or mem, or hs, so the shapes are known")
    H = np.shape(hs)[-1]
    size = np.size(grads)  # = V (2H + 1) + H (H + 1)
    V, rem = divmod(size - H * (H + 1), 2 * H + 1)
    if rem or V < 1:
        raise ValueError(f"a flat buffer of {size} does not fit H = {H}")
    return V, H


def _as_params(p, V: int, H: int) -> Params:
    if isinstance(p, Params):
        return p
    return Params(V, H, flat=np.ascontiguousarray(p).reshape(-1))

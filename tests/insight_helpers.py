"""Shared by the insight computation tests: random parameters and a slow, obvious
forward pass to check against."""

import math

import numpy as np

from tui_charrnn.model import Params


def random_params(V=7, H=6, seed=0, scale=0.5):
    rng = np.random.default_rng(seed)
    P = Params(V, H)
    P.flat[...] = rng.standard_normal(P.flat.shape) * scale
    return P


def slow_logprobs(P, ixs, h):
    """log p(ixs[t] | ixs[:t]) for t >= 1, one step at a time with Python lists."""
    out = []
    for t in range(len(ixs) - 1):
        x = np.zeros(P.V)
        x[ixs[t]] = 1
        h = np.tanh(P.Wxh @ x + P.Whh @ h + P.bh)
        y = P.Why @ h + P.by
        p = np.exp(y) / np.exp(y).sum()
        out.append(math.log(p[ixs[t + 1]]))
    return out

"""Nonlinearities shared by the gated cells, in place so the per-step loops allocate nothing."""

from __future__ import annotations

import numpy as np


def sigmoid_(x: np.ndarray) -> np.ndarray:
    """x = 1 / (1 + exp(-x)) in place, written as 0.5 + 0.5 tanh(x / 2): the same function,
    and tanh cannot overflow where exp(-x) would for large negative x."""
    x *= 0.5
    np.tanh(x, out=x)
    x *= 0.5
    x += 0.5
    return x


def recurrent_matmul(h: np.ndarray, Wh: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = Wh h for one state h (H,), or h Wh^T for rows of states (B, H), into out."""
    if h.ndim == 1:  # one stream (sampling): a gemv, faster than a (1, H) matmul
        return np.dot(Wh, h, out)
    return np.matmul(h, Wh.T, out=out)

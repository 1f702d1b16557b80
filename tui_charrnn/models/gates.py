"""What the cells share: in-place nonlinearities (the per-step loops allocate nothing),
the recurrent matmul and the loop over the steps of a block."""

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


INIT_RANGE = 0.08  # char-rnn's uniform initialisation of the gated cells


def uniform_weights(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """A gated cell's initial weights (and its network's output layer's): U(-0.08, 0.08)."""
    return rng.uniform(-INIT_RANGE, INIT_RANGE, shape)


def run_steps(step, W, xw: np.ndarray, s0: np.ndarray, acts: np.ndarray | None):
    """A cell's step over T steps of B streams: xw (T, B, ...) the inputs' projections, s0
    (B, C) the state carried in -> (states (T + 1, B, C) with states[0] = s0, acts)."""
    T, B = xw.shape[:2]
    ss = np.empty((T + 1, B, s0.shape[-1]), dtype=xw.dtype)
    ss[0] = s0
    for t in range(T):
        step(W, xw[t], ss[t], ss[t + 1], None if acts is None else acts[t])
    return ss, acts


def recurrent_matmul(h: np.ndarray, Wh: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = Wh h for one state h (H,), or h Wh^T for rows of states (B, H), into out."""
    if h.ndim == 1:  # one stream (sampling): a gemv, faster than a (1, H) matmul
        return np.dot(Wh, h, out)
    return np.matmul(h, Wh.T, out=out)

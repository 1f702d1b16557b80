"""Hold out the end of the corpus and measure the RNN's loss on it.

The loss is the model's maths (h_t = tanh(Wxh x_t + Whh h_{t-1} + bh), p_t =
softmax(Why h_t + by), -log p_t[target]) averaged per predicted character, in nats.
"""

from __future__ import annotations

import numpy as np

from ..corpus import split_point
from ..model import Params

MIN_STREAM = 512  # at least this many targets per stream when the stream count is automatic
MAX_STREAMS = 64


def train_val_split(N: int, val_fraction: float = 0.1) -> tuple[slice, slice]:
    """(train, val) slices of range(N): the last round(N * val_fraction) characters are
    held out; val_fraction 0 gives an empty validation slice."""
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    cut = split_point(N, val_fraction)
    return slice(0, cut), slice(cut, N)


def evaluate_loss(
    P: Params,
    data: np.ndarray,
    start: int,
    length: int,
    seq_length: int = 25,
    h: np.ndarray | None = None,
    streams: int | None = None,
) -> float:
    """Mean cross-entropy (nats/char) of predicting data[start+1 : start+length] from the
    characters before it, i.e. length - 1 targets.

    For speed the slice is cut into B contiguous streams run side by side; each stream
    starts from h (H,) (zeros by default) and carries its state over blocks of seq_length
    steps, so the result equals B separate sequential runs, each losing only its first
    few characters of context. streams=None picks B so each stream has >= MIN_STREAM
    targets (B <= MAX_STREAMS); streams=1 is exactly one sequential pass. Memory is
    bounded by seq_length * B * V floats whatever the slice length.
    """
    x = np.asarray(data[start : start + length], dtype=np.intp)  # (n + 1,)
    n = len(x) - 1  # number of targets
    if n < 1:
        return float("nan")
    B = streams or int(np.clip(n // MIN_STREAM, 1, MAX_STREAMS))
    B = min(B, n)
    L = -(-n // B)  # targets per stream, the last stream padded with masked steps
    pad = B * L - n
    inputs = np.concatenate([x[:-1], np.zeros(pad, np.intp)]).reshape(B, L).T  # (L, B)
    targets = np.concatenate([x[1:], np.zeros(pad, np.intp)]).reshape(B, L).T  # (L, B)
    mask = np.concatenate([np.ones(n), np.zeros(pad)]).reshape(B, L).T  # (L, B)
    hb = np.zeros((B, P.H), P.dtype)  # (B, H)
    if h is not None:
        hb[...] = h
    WxhT, WhhT, WhyT = P.Wxh.T, P.Whh.T, P.Why.T
    total = 0.0
    cols = np.arange(B)
    for t0 in range(0, L, seq_length):
        xs, ts = inputs[t0 : t0 + seq_length], targets[t0 : t0 + seq_length]  # (T, B)
        T = len(xs)
        hs = np.empty((T, B, P.H), P.dtype)  # (T, B, H)
        xh = WxhT[xs]  # (T, B, H)
        for t in range(T):
            hb = np.tanh(xh[t] + hb @ WhhT + P.bh)
            hs[t] = hb
        ys = hs @ WhyT + P.by  # (T, B, V)
        ys -= ys.max(axis=2, keepdims=True)
        log_z = np.log(np.exp(ys).sum(axis=2))  # (T, B)
        logp = ys[np.arange(T)[:, None], cols, ts] - log_z  # (T, B)
        total -= float((logp * mask[t0 : t0 + seq_length]).sum())
    return total / n

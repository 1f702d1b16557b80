"""The held-out loss: the model's cross-entropy on text it was not trained on.

No UI library here. Validation (validation.py) measures it while training; the insight
views use it too. The split of the text itself is corpus.train_val_split.
"""

from __future__ import annotations

import numpy as np

from .model import forward, index_grid, logits
from .models.params import Params

MIN_STREAM = 512  # at least this many targets per stream when the stream count is automatic
MAX_STREAMS = 64


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
    characters before it, i.e. length - 1 targets: -log p_t[target] averaged per target.

    For speed the slice is cut into B contiguous streams run side by side; each stream
    starts from state h (S,) (zeros by default) and carries its state over blocks of seq_length
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
    hb = P.zero_state(B)  # (B, S)
    if h is not None:
        hb[...] = h
    total = 0.0
    for t0 in range(0, L, seq_length):
        block = slice(t0, t0 + seq_length)
        trace = forward(P, inputs[block], hb)
        hb = trace.last_state()
        logp = _log_softmax_at(logits(P, trace.top), targets[block])  # (T, B)
        total -= float((logp * mask[block]).sum())
    return total / n


def _log_softmax_at(ys: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """log softmax(ys)[t, b, targets[t, b]] for logits ys (T, B, V): (T, B), in log space
    (a probability that underflows to 0 still gives a finite log). Shifts ys in place."""
    T, B = targets.shape
    ys -= ys.max(axis=2, keepdims=True)
    log_z = np.log(np.exp(ys).sum(axis=2))  # (T, B)
    t_idx, b_idx = index_grid(T, B)
    return ys[t_idx, b_idx, targets] - log_z

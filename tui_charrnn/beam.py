"""Beam search: the most likely continuation of a text, for `sample --beam W`.

No UI library here. W partial continuations (beams) are kept; at each character every
beam is extended by every character of the vocabulary, and the W extensions with the
highest total log-probability survive (ties: the earlier beam, then the lower character
index, so the output is deterministic). W = 1 keeps only the argmax at each step: greedy
decoding, the same text as sampling at temperature 0. A wider beam can find a sequence
that is more likely as a whole than the greedy one, though not always the most likely one.

The search touches the network only through _step, which works for every model.
"""

from __future__ import annotations

import numpy as np

from .model import forward, logits
from .models.params import Params
from .sampling import Stepper


def _step(
    stepper: Stepper, states: np.ndarray, ixs: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Feed character ixs[k] to the state states[k] (W, S) of each beam: the new states
    (W, S) and the log-probabilities of the next character (W, V). ixs None: nothing is
    fed, the prediction of the states themselves (a start without a prime)."""
    P, W = stepper.P, len(states)
    if ixs is None:
        new = states
    elif W == 1:  # one beam: the sampler's own (S,) arithmetic, so W = 1 is its argmax path
        new = np.empty_like(states)
        stepper.step(int(ixs[0]), states[0], new[0])
    else:
        new = forward(P, ixs[None, :], states).last_state()  # one step of W streams
    top = P.net.top(new)
    ys = logits(P, top[0]).reshape(1, -1) if W == 1 else logits(P, top)
    ys -= ys.max(axis=1, keepdims=True)
    ys -= np.log(np.exp(ys).sum(axis=1, keepdims=True))  # log-softmax
    return new, ys


def beam_search(
    P: Params, h: np.ndarray, seed_ix: int | None, n: int, width: int
) -> tuple[np.ndarray, float]:
    """The n indices (n,) of the most likely continuation found with `width` beams, from
    state h (S,) after feeding seed_ix (None: from h's own prediction), and its total
    log-probability (natural log)."""
    states = np.array(h, dtype=P.dtype).reshape(1, P.net.state_size)
    ixs = None if seed_ix is None else np.array([seed_ix], np.intp)
    scores = np.zeros(1)
    stepper = Stepper(P)  # built once: it lays the input columns out as rows
    parents = np.zeros((n, width), np.int32)  # back-pointers: which beam each came from
    chars = np.zeros((n, width), np.int32)
    for t in range(n):
        new, log_probs = _step(stepper, states, ixs)
        candidates = (scores[:, None] + log_probs).ravel()
        best = np.argsort(-candidates, kind="stable")[:width]  # ties: the lower index
        parents[t, : len(best)], chars[t, : len(best)] = np.divmod(best, P.V)
        scores = candidates[best]
        states, ixs = new[parents[t, : len(best)]], chars[t, : len(best)].astype(np.intp)
    out = np.empty(n, np.intp)
    k = 0  # beams stay sorted by score: the first is the best
    for t in range(n - 1, -1, -1):
        out[t] = chars[t, k]
        k = parents[t, k]
    return out, float(scores[0])

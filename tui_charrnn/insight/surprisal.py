"""How surprised is the model by each character of a text?

Position t >= 1 gets p(ixs[t] | ixs[:t]), read from the state after consuming ixs[t-1].
Position 0 has no prediction (h0 is the state before ixs[0], which does not include the
character that would predict it): its entries are nan / -1.
"""

from __future__ import annotations

import numpy as np

from ..model import hidden_states, next_char_probs
from ..models.params import Params

TOP = 5
# buckets: 0 p >= 0.5 confident, 1 >= 0.2, 2 >= 0.05, 3 >= 0.01, 4 below (surprised)
THRESHOLDS = np.array([0.01, 0.05, 0.2, 0.5])


def surprisal(
    P: Params, ixs: np.ndarray, h0: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(probs_of_actual (T,), top5 (T, 5) indices, top5_probs (T, 5)), best guess first.

    Row 0 is nan / -1 (no prediction); with V < 5 the missing guesses are -1 / 0.0.
    """
    ixs = np.asarray(ixs, dtype=np.intp)  # (T,)
    T = len(ixs)
    actual = np.full(T, np.nan)  # (T,)
    top = np.full((T, TOP), -1, dtype=np.intp)  # (T, 5)
    top_p = np.full((T, TOP), np.nan)  # (T, 5)
    if T < 2:
        return actual, top, top_p
    hs = hidden_states(P, ixs[:-1], h0)  # (T-1, H): state after ixs[t-1]
    ps = next_char_probs(P, hs)  # (T-1, V): prediction of ixs[t]
    rows = np.arange(T - 1)
    actual[1:] = ps[rows, ixs[1:]]
    k = min(TOP, P.V)
    best = np.argpartition(-ps, k - 1, axis=1)[:, :k]  # (T-1, k) unordered
    best_p = ps[rows[:, None], best]  # (T-1, k)
    order = np.argsort(-best_p, axis=1, kind="stable")
    top[1:, :k] = np.take_along_axis(best, order, axis=1)
    top_p[1:, :k] = np.take_along_axis(best_p, order, axis=1)
    top_p[1:, k:] = 0.0
    return actual, top, top_p


def buckets(probs: np.ndarray) -> np.ndarray:
    """Colour bucket of each p in probs (T,): 0 (confident, p >= 0.5) .. 4 (surprised,
    p < 0.01); nan (no prediction) -> 0."""
    b = len(THRESHOLDS) - np.searchsorted(THRESHOLDS, probs, side="right")
    return np.where(np.isnan(probs), 0, b)

"""The one-hot input: its projection is a column lookup, and the lookup's gradient a
sequential scatter-add of rows into columns."""

from __future__ import annotations

import numpy as np

_ARANGES: dict[int, np.ndarray] = {}


def arange(n: int) -> np.ndarray:
    """np.arange(n), cached: the batch-1 loops are bound by call overhead."""
    a = _ARANGES.get(n)
    if a is None:
        a = _ARANGES[n] = np.arange(n)
    return a


def scatter_columns(out: np.ndarray, columns: np.ndarray, rows: np.ndarray) -> None:
    """out (R, V) = 0, then out[:, columns[k]] += rows[k] for k = 0, 1, ... in that order.

    This is the seed's dWxh += dot(dhraw, x.T) over its steps: np.bincount adds its weights
    one by one in input order starting from 0.0, so each column's sum is sequential in
    the order given (exactly the seed's, signed zeros included), and it is one pass where
    np.add.at was several times slower.
    """
    R, V = out.shape
    flat_index = np.add.outer(columns, arange(R) * V)  # (K, R): [k, i] -> i * V + column
    out[...] = np.bincount(flat_index.ravel(), rows.ravel(), R * V).reshape(R, V)

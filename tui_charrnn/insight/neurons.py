"""Which hidden units track which simple property of the text?"""

from __future__ import annotations

import numpy as np

from ..model import hidden_states
from ..models.params import Params

OPEN, CLOSE = "([{", ")]}"


def activations(P: Params, ixs: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """The state after each character from state h0 (S,): (T, S), every layer's h (and
    an LSTM's c; P.net.state_parts() names them)."""
    return hidden_states(P, ixs, h0)


def features(text: str) -> dict[str, np.ndarray]:
    """Per-position signals (T,) as float64, each describing the text up to and
    including character t, i.e. what the state after reading it could know:

    in_quotes      1 after an odd number of '"' so far (the opening quote is inside,
                   the closing one outside)
    bracket_depth  nesting of ()/[]/{} after character t, all kinds together, an
                   unmatched closer never taking it below 0
    line_position  column of character t (0 for the first character of a line)
    after_newline  1 where character t starts a line (t = 0 or text[t-1] == newline)
    """
    codes = _codepoints(text)  # (T,)
    T = len(codes)
    idx = np.arange(T)
    quote = codes == ord('"')
    in_quotes = np.cumsum(quote) % 2
    step = np.isin(codes, [ord(c) for c in OPEN]).astype(np.int64)
    step -= np.isin(codes, [ord(c) for c in CLOSE])
    raw = np.cumsum(step)  # depth without the floor at 0
    depth = raw - np.minimum(np.minimum.accumulate(raw), 0) if T else raw
    newline = codes == ord("\n")
    last_nl = np.maximum.accumulate(np.where(newline, idx, -1)) if T else idx  # (T,)
    line_start = np.concatenate([[0], last_nl[:-1] + 1])[:T]  # first index of t's line
    column = idx - line_start
    out = {
        "in_quotes": in_quotes,
        "bracket_depth": depth,
        "line_position": column,
        "after_newline": column == 0,
    }
    return {k: np.asarray(v, dtype=np.float64).reshape(T) for k, v in out.items()}


def rank_units(acts: np.ndarray, feature: np.ndarray) -> list[tuple[int, float]]:
    """(unit, Pearson correlation with feature) for every unit of acts (T, H), by
    decreasing |correlation|; a unit or feature with zero variance scores 0."""
    a = acts - acts.mean(axis=0)  # (T, H)
    f = np.asarray(feature, dtype=np.float64)
    f = f - f.mean()  # (T,)
    cov = f @ a  # (H,)
    norm = np.sqrt((a * a).sum(axis=0) * (f @ f))  # (H,)
    varies = (np.ptp(acts, axis=0) > 0) & (np.ptp(f) > 0) & (norm > 0)  # (H,)
    corr = np.divide(cov, norm, out=np.zeros_like(cov), where=varies)
    order = np.argsort(-np.abs(corr), kind="stable")
    return [(int(u), float(corr[u])) for u in order]


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)

"""Surprisal (p of each character, top-5) against a step-by-step Python version."""

import numpy as np
import pytest
from insight_helpers import random_params, slow_logprobs

from tui_charrnn.insight.surprisal import buckets, surprisal


@pytest.mark.parametrize("V", [3, 9])
def test_surprisal_matches_step_by_step(V):
    P = random_params(V=V, H=5, seed=V, scale=1.0)
    ixs = np.random.default_rng(8).integers(0, V, 40)
    h0 = np.random.default_rng(9).standard_normal(P.H) * 0.5
    actual, top, top_p = surprisal(P, ixs, h0)
    assert actual.shape == (40,) and top.shape == top_p.shape == (40, 5)
    assert np.isnan(actual[0]) and (top[0] == -1).all()
    np.testing.assert_allclose(np.log(actual[1:]), slow_logprobs(P, ixs, h0), rtol=1e-12)
    h = h0
    for t in range(1, 40):  # the full distribution, sorted by hand
        x = np.zeros(V)
        x[ixs[t - 1]] = 1
        h = np.tanh(P.Wxh @ x + P.Whh @ h + P.bh)
        p = np.exp(P.Why @ h + P.by)
        p /= p.sum()
        ranked = sorted(range(V), key=lambda i: -p[i])[:5]
        assert top[t, : len(ranked)].tolist() == ranked
        np.testing.assert_allclose(top_p[t, : len(ranked)], p[ranked], rtol=1e-12)
        assert (top[t, len(ranked) :] == -1).all() and (top_p[t, len(ranked) :] == 0).all()


def test_surprisal_short_and_buckets():
    P = random_params()
    actual, top, _ = surprisal(P, np.array([2]), np.zeros(P.H))
    assert np.isnan(actual).all() and (top == -1).all()
    ps = [0.9, 0.5, 0.49, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.0, float("nan")]
    want = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 0]
    assert buckets(np.array(ps)).tolist() == want

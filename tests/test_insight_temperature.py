"""One hidden state sampled at several temperatures against the model's sampler."""

import numpy as np
import pytest
from insight_helpers import random_params

from tui_charrnn.insight.temperature import side_by_side
from tui_charrnn.sampling import sample


def test_side_by_side():
    P = random_params(V=8, H=6, seed=15, scale=1.0)
    h = np.random.default_rng(16).standard_normal(P.H) * 0.5
    h_before = h.copy()
    got = side_by_side(P, h, 3, 30, rng_seed=42)
    assert list(got) == [0.5, 1.0, 1.5, 0.0]
    assert (h == h_before).all()
    hh, ix, greedy = h.copy(), 3, []  # argmax, step by step
    for _ in range(30):
        x = np.zeros(P.V)
        x[ix] = 1
        hh = np.tanh(P.Wxh @ x + P.Whh @ hh + P.bh)
        ix = int(np.argmax(P.Why @ hh + P.by))
        greedy.append(ix)
    assert got[0.0].tolist() == greedy
    for t in (0.5, 1.0, 1.5):
        want = sample(P, h, 3, 30, np.random.default_rng([42, round(1000 * t)]), t)
        assert got[t].tolist() == want.tolist()
    alone = side_by_side(P, h, 3, 30, rng_seed=42, temperatures=(1.5,))
    assert alone[1.5].tolist() == got[1.5].tolist()  # independent of the other columns
    assert side_by_side(P, h, 3, 30, 43)[1.0].tolist() != got[1.0].tolist()
    with pytest.raises(ValueError):
        side_by_side(P, h, 3, 5, 0, temperatures=(-1.0,))

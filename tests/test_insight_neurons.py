"""Neuron features and unit ranking against character loops."""

import numpy as np
import pytest
from insight_helpers import random_params

from tui_charrnn.insight.neurons import activations, features, rank_units


def slow_features(text):
    out = {k: [] for k in ("in_quotes", "bracket_depth", "line_position", "after_newline")}
    inside, depth, col = 0, 0, 0
    for t, c in enumerate(text):
        if c == '"':
            inside = 1 - inside
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(depth - 1, 0)
        col = 0 if t == 0 or text[t - 1] == "\n" else col + 1
        for k, v in zip(out, (inside, depth, col, col == 0), strict=True):
            out[k].append(float(v))
    return out


@pytest.mark.parametrize(
    "text",
    [
        'say "Hi (there)" {x[1]}\n  Next "line\nB" ))) (é\tÉ)\n\nend',
        "\n\nx",
        "",
        "A",
        ")(",
    ],
)
def test_features_match_character_loop(text):
    got = features(text)
    want = slow_features(text)
    assert got.keys() == want.keys()
    for k in want:
        assert got[k].tolist() == want[k], k


def test_activations_and_rank_units():
    P = random_params(V=6, H=4, seed=11)
    ixs = np.random.default_rng(12).integers(0, 6, 50)
    acts = activations(P, ixs, np.zeros(4))
    assert acts.shape == (50, 4)
    feat = np.random.default_rng(13).standard_normal(50)
    acts = np.column_stack([acts, np.full(50, 0.3), 2 * feat + 1, -feat])  # (50, 7)
    ranked = rank_units(acts, feat)
    slow = []
    for u in range(acts.shape[1]):
        a = acts[:, u]
        if a.std() == 0:
            slow.append(0.0)
        else:
            slow.append(float(np.corrcoef(a, feat)[0, 1]))
    assert sorted(u for u, _ in ranked) == list(range(7))
    assert [abs(c) for _, c in ranked] == sorted((abs(c) for _, c in ranked), reverse=True)
    for u, c in ranked:
        assert c == pytest.approx(slow[u], abs=1e-12)
    assert {ranked[0][0], ranked[1][0]} == {5, 6} and dict(ranked)[4] == 0.0
    assert all(c == 0.0 for _, c in rank_units(acts, np.ones(50)))

"""Gradient health figures against Python loops."""

import math
import statistics

import numpy as np
import pytest

from tui_charrnn.insight.health import health
from tui_charrnn.model import Params


def slow_health(named_grads, clip, named_mem, hs_rows, lr):
    out = {"grad_norm": {}, "clipped_fraction": {}, "step_median": {}}
    all_g, all_m = [], []
    for name in ("Wxh", "Whh", "Why", "bh", "by"):
        g = [float(v) for v in np.ravel(named_grads[name])]
        m = [float(v) for v in np.ravel(named_mem[name])]
        all_g += g
        all_m += m
        out["grad_norm"][name] = math.sqrt(sum(v * v for v in g))
        out["clipped_fraction"][name] = sum(abs(v) >= clip for v in g) / len(g)
        out["step_median"][name] = statistics.median(lr / math.sqrt(v + 1e-8) for v in m)
    out["grad_norm"]["all"] = math.sqrt(sum(v * v for v in all_g))
    out["clipped_fraction"]["all"] = sum(abs(v) >= clip for v in all_g) / len(all_g)
    out["step_median"]["all"] = statistics.median(lr / math.sqrt(v + 1e-8) for v in all_m)
    cells = [abs(v) > 0.95 for row in hs_rows for v in row]
    out["saturated_fraction"] = sum(cells) / len(cells)
    return out


def check_health(got, want):
    for group in ("grad_norm", "clipped_fraction", "step_median"):
        assert got[group].keys() == want[group].keys()
        for k in want[group]:
            assert got[group][k] == pytest.approx(want[group][k], rel=1e-12), (group, k)
    assert got["saturated_fraction"] == pytest.approx(want["saturated_fraction"])


def test_health_matches_loops_for_batched_and_single_states():
    V, H = 7, 5
    rng = np.random.default_rng(14)
    G, M = Params(V, H), Params(V, H)
    G.flat[...] = rng.standard_normal(G.flat.shape) * 4
    M.flat[...] = rng.random(M.flat.shape) * 10
    hs = np.tanh(rng.standard_normal((6, 3, H)) * 2)  # (T, B, H)
    want = slow_health(G.arrays(), 5.0, M.arrays(), hs.reshape(-1, H), 0.1)
    assert 0 < want["clipped_fraction"]["all"] < 1 and 0 < want["saturated_fraction"] < 1
    check_health(health(G, 5.0, M, hs, 0.1), want)
    check_health(
        health(G, 5.0, M, hs[:, 0], 0.1),
        slow_health(G.arrays(), 5.0, M.arrays(), hs[:, 0], 0.1),
    )


def test_health_after_in_place_clipping_still_counts_clipped_entries():
    G = Params(4, 3)
    G.flat[...] = np.linspace(-10, 10, G.flat.size)
    before = health(G.copy(), 5.0, G.zeros_like(), None, 0.1)["clipped_fraction"]["all"]
    np.clip(G.flat, -5, 5, out=G.flat)  # what Adagrad.step does
    after = health(G, 5.0, G.zeros_like(), None, 0.1)
    assert after["clipped_fraction"]["all"] == before > 0
    assert math.isnan(after["saturated_fraction"])

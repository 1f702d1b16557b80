"""The n-gram baselines against counting with Python dicts."""

import math

import numpy as np
import pytest

from tui_charrnn.insight import baselines
from tui_charrnn.insight.baselines import ngram_losses


def slow_ngram_losses(train, val, V, k=1.0):
    train, val = list(map(int, train)), list(map(int, val))
    if len(val) < 3:
        val = train
    out = {"uniform": math.log(V)}
    for order, name in ((1, "unigram"), (2, "bigram"), (3, "trigram")):
        full, ctx = {}, {}
        for i in range(len(train) - order + 1):
            g = tuple(train[i : i + order])
            full[g] = full.get(g, 0) + 1
            ctx[g[:-1]] = ctx.get(g[:-1], 0) + 1
        total = 0.0
        for t in range(2, len(val)):
            g = tuple(val[t - order + 1 : t + 1])
            total -= math.log((full.get(g, 0) + k) / (ctx.get(g[:-1], 0) + k * V))
        out[name] = total / (len(val) - 2)
    return out


@pytest.mark.parametrize("V,k", [(3, 1.0), (11, 1.0), (40, 0.1)])
def test_ngram_losses_match_counting_dicts(V, k):
    rng = np.random.default_rng(V)
    base = rng.integers(0, V, 60)
    train = np.concatenate([base, base, rng.integers(0, V, 300)]).astype(np.uint8)
    val = np.concatenate([base[:30], rng.integers(0, V, 50)]).astype(np.uint8)
    got = ngram_losses(train, val, V, k=k)
    want = slow_ngram_losses(train, val, V, k=k)
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-12), key


def test_ngram_losses_empty_val_uses_train_and_structure_helps():
    text = np.array(list(b"aab" * 70)) - ord("a")  # "c" (index 2) never occurs
    got = ngram_losses(text, text[:0], 3)
    assert got == pytest.approx(slow_ngram_losses(text, [], 3))
    assert got["uniform"] > got["unigram"] > got["bigram"] > got["trigram"]


def test_ngram_losses_sparse_and_renumbered_paths(monkeypatch):
    V = 1000  # V^3 = 1e9: counted with np.unique; then force the dense renumbering too
    rng = np.random.default_rng(7)
    train, val = rng.integers(0, V, 3000), rng.integers(0, V, 500)
    want = slow_ngram_losses(train, val, V)
    assert ngram_losses(train, val, V) == pytest.approx(want, rel=1e-12)
    monkeypatch.setattr(baselines, "KEY_LIMIT", 5000)
    monkeypatch.setattr(baselines, "DENSE_LIMIT", 10)
    assert ngram_losses(train, val, V) == pytest.approx(want, rel=1e-12)

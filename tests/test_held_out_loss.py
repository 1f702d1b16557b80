"""The train/held-out split and the held-out loss against a sequential Python version."""

import math

import numpy as np
import pytest
from insight_helpers import random_params, slow_logprobs

from tui_charrnn.corpus import train_val_split
from tui_charrnn.heldout import evaluate_loss


def test_train_val_split():
    assert train_val_split(100, 0.1) == (slice(0, 90), slice(90, 100))
    tr, va = train_val_split(100, 0.0)
    assert (tr, len(range(100)[va])) == (slice(0, 100), 0)
    tr, va = train_val_split(7, 0.25)
    assert len(range(7)[tr]) + len(range(7)[va]) == 7 and range(7)[va][-1] == 6
    with pytest.raises(ValueError):
        train_val_split(10, 1.0)


@pytest.mark.parametrize("length,seq_length", [(2, 25), (30, 25), (101, 7), (64, 64)])
def test_evaluate_loss_one_stream_matches_sequential(length, seq_length):
    P = random_params()
    data = np.random.default_rng(1).integers(0, P.V, 200).astype(np.uint8)
    h0 = np.random.default_rng(2).standard_normal(P.H) * 0.3
    got = evaluate_loss(P, data, 13, length, seq_length, h=h0, streams=1)
    want = -np.mean(slow_logprobs(P, data[13 : 13 + length], h0))
    assert got == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("B", [2, 3, 5, 50])
def test_evaluate_loss_streams_are_independent_segments(B):
    P = random_params(seed=3)
    x = np.random.default_rng(4).integers(0, P.V, 101)  # 100 targets
    n = 100
    L = -(-n // B)
    logps = []
    for b in range(B):  # stream b predicts targets b*L+1 .. (b+1)*L from a zero state
        seg = x[b * L : min((b + 1) * L, n) + 1]
        if len(seg) > 1:
            logps += slow_logprobs(P, seg, np.zeros(P.H))
    assert len(logps) == n
    got = evaluate_loss(P, x, 0, 101, seq_length=4, streams=B)
    assert got == pytest.approx(-np.mean(logps), rel=1e-12)


def test_evaluate_loss_auto_streams_close_to_sequential():
    P = random_params(V=5, H=8, seed=5, scale=0.3)
    x = np.random.default_rng(6).integers(0, P.V, 5000)
    one = evaluate_loss(P, x, 0, len(x), streams=1)
    auto = evaluate_loss(P, x, 0, len(x))
    assert auto == pytest.approx(one, rel=1e-2)
    assert math.isnan(evaluate_loss(P, x, 10, 1))

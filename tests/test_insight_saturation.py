"""Gate saturation: hand-built networks whose gates are known, and random LSTMs against a
step-by-step reference written here."""

import numpy as np
import pytest
from insight_helpers import slow_lstm

from tui_charrnn.insight.saturation import gate_saturation
from tui_charrnn.models.params import Params

BIG = 20.0  # sigmoid(20) = 1 - 2e-9: open; sigmoid(-20): shut; sigmoid(0) = 0.5: neither


def check(sat, left, right):
    np.testing.assert_array_equal(sat.left, left)
    np.testing.assert_array_equal(sat.right, right)


def test_hand_built_two_layer_lstm():
    P = Params(2, 2, kind="lstm", layers=2)  # all zero: every gate 0.5 unless set below
    L1, L2 = P.layer(0), P.layer(1)
    # layer 1 blocks i (rows 0-1), f (2-3), o (4-5), g (6-7); no recurrence into the gates
    L1["b"][0:2] = [BIG, -BIG]  # input: unit 0 always open, unit 1 always shut
    L1["Wx"][4] = [BIG, -BIG]  # output, unit 0: open after character 0, shut after 1
    # layer 2 reads h1 through Wx2 = 0: its gates are its biases
    L2["b"][0:2] = -BIG  # input: shut
    L2["b"][2:4] = BIG  # forget: open
    L2["b"][5] = BIG  # output, unit 1: open
    ixs = np.array([0, 0, 0, 1])
    layers = gate_saturation(P, ixs, P.zero_state())
    assert [list(g) for g in layers] == [["input", "forget", "output"]] * 2
    one, two = layers
    check(one["input"], [0, 1], [1, 0])
    check(one["forget"], [0, 0], [0, 0])
    check(one["output"], [0.25, 0], [0.75, 0])
    check(two["input"], [1, 1], [0, 0])
    check(two["forget"], [0, 0], [1, 1])
    check(two["output"], [0, 0], [0, 1])
    assert (one["output"].left_fraction, one["output"].right_fraction) == (0.125, 0.375)
    assert (one["output"].mostly_left, one["output"].mostly_right) == (0, 1)
    assert (one["input"].mostly_left, one["input"].mostly_right) == (1, 1)


def test_hand_built_gru():
    P = Params(3, 2, kind="gru")
    P.layer(0)["b"][0:4] = [BIG, 0, -BIG, -BIG]  # reset: unit 0 open; update: both shut
    (gates,) = gate_saturation(P, np.array([2, 1, 0]), P.zero_state())
    assert list(gates) == ["reset", "update"]
    check(gates["reset"], [0, 0], [1, 0])
    check(gates["update"], [1, 1], [0, 0])


def test_rnn_and_empty_text_have_no_gates():
    P = Params(3, 2, layers=2)
    assert gate_saturation(P, np.array([0, 1]), P.zero_state()) == [{}, {}]
    Q = Params(3, 2, kind="lstm")
    assert gate_saturation(Q, np.array([], dtype=int), Q.zero_state()) == [{}]


@pytest.mark.parametrize("seed", [0, 1])
def test_random_lstm_against_step_by_step(seed):
    rng = np.random.default_rng(seed)
    P = Params(6, 5, kind="lstm", layers=2)
    P.flat[...] = rng.standard_normal(P.flat.shape) * 2.5  # large: gates often saturate
    ixs = rng.integers(0, 6, 200)
    s0 = rng.standard_normal(P.net.state_size) * 0.5
    got = gate_saturation(P, ixs, s0)
    want = [gates for gates, _, _ in slow_lstm(P, ixs, s0)]
    for layer in range(2):
        for name, g in want[layer].items():  # g (T, H)
            sat = got[layer][name]
            np.testing.assert_allclose(sat.left, (g < 0.1).mean(axis=0))
            np.testing.assert_allclose(sat.right, (g > 0.9).mean(axis=0))
            assert 0 < sat.left_fraction < 1 and 0 < sat.right_fraction < 1

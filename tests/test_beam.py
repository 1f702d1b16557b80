"""beam.py: W = 1 is the greedy (argmax) path; a wider beam finds continuations at least
as likely as greedy's, checked against every sequence of a small vocabulary, enumerated
with the network's maths written out here (no engine code)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from commands_helpers import argmax_path

from tui_charrnn.beam import beam_search
from tui_charrnn.models.params import Params

V, H = 3, 4


def log_prob(params: dict, seed_ix: int | None, seq) -> float:
    """Total natural log-probability of seq after feeding seed_ix to a zero state (None:
    the zero state's own prediction first), by the min-char-rnn formulas."""
    Wxh, Whh, Why, bh, by = (params[k] for k in ("Wxh", "Whh", "Why", "bh", "by"))
    h = np.zeros(Whh.shape[0])
    total, ix = 0.0, seed_ix
    for c in seq:
        if ix is not None:
            h = np.tanh(Wxh[:, ix] + Whh @ h + bh)
        y = Why @ h + by
        total += y[c] - y.max() - np.log(np.exp(y - y.max()).sum())
        ix = c
    return total


def best_by_enumeration(params: dict, seed_ix: int | None, n: int) -> float:
    return max(log_prob(params, seed_ix, s) for s in itertools.product(range(V), repeat=n))


def greedy(params: dict, seed_ix: int | None, n: int) -> list[int]:
    Wxh, Whh, Why, bh, by = (params[k] for k in ("Wxh", "Whh", "Why", "bh", "by"))
    h, ix, out = np.zeros(Whh.shape[0]), seed_ix, []
    for _ in range(n):
        if ix is not None:
            h = np.tanh(Wxh[:, ix] + Whh @ h + bh)
        ix = int(np.argmax(Why @ h + by))
        out.append(ix)
    return out


def search(params: dict, seed_ix: int | None, n: int, width: int) -> tuple[list[int], float]:
    P = Params.from_arrays(params)
    ixs, score = beam_search(P, np.zeros(P.H), seed_ix, n, width)
    return [int(i) for i in ixs], score


def random_network(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "Wxh": rng.normal(0, 2, (H, V)),
        "Whh": rng.normal(0, 1, (H, H)),
        "Why": rng.normal(0, 2, (V, H)),
        "bh": rng.normal(0, 0.5, H),
        "by": rng.normal(0, 1, V),
    }


def trap_network() -> dict:
    """Built by hand so that greedy is wrong: at the start a is likeliest (0.40, b 0.35,
    c 0.25), but after a every character is equally likely, while after b another b is
    near certain (0.98). Greedy takes a; the best pair is b b. The hidden state holds
    only the last character (Whh = 0, a saturated one-hot through tanh)."""
    start = np.log([0.40, 0.35, 0.25])
    after = np.log([[1 / 3, 1 / 3, 1 / 3], [0.01, 0.98, 0.01], [1 / 3, 1 / 3, 1 / 3]])
    Wxh = np.zeros((H, V))
    Wxh[:V, :V] = 20 * np.eye(V)  # tanh(20) = 1 to double precision
    Why = np.zeros((V, H))
    Why[:, :V] = (after - start).T  # column k: the logits after character k, less by
    return {"Wxh": Wxh, "Whh": np.zeros((H, H)), "Why": Why, "bh": np.zeros(H), "by": start}


def test_width_one_is_the_argmax_path():
    rng = np.random.default_rng(0)
    chars = list("abcdefgh")
    params = {
        "Wxh": rng.normal(0, 0.5, (16, 8)),
        "Whh": rng.normal(0, 0.3, (16, 16)),
        "Why": rng.normal(0, 0.5, (8, 16)),
        "bh": rng.normal(0, 0.1, 16),
        "by": rng.normal(0, 0.1, 8),
    }
    ixs, _ = search(params, chars.index("c"), 200, 1)
    assert "c" + "".join(chars[i] for i in ixs) == argmax_path(params, chars, "c", 200)


def test_the_scores_are_the_sequences_log_probabilities():
    params = random_network(1)
    for seed_ix in (None, 2):
        for width in (1, 2, 3):
            ixs, score = search(params, seed_ix, 4, width)
            assert np.isclose(score, log_prob(params, seed_ix, ixs), rtol=0, atol=1e-12)


def test_a_wider_beam_escapes_the_greedy_trap():
    params = trap_network()
    for n in (3, 4):
        greedy_seq = greedy(params, None, n)
        assert greedy_seq[0] == 0  # a: the trap is sprung
        ixs, score = search(params, None, n, 3)
        assert ixs[:2] == [1, 1]
        best = best_by_enumeration(params, None, n)
        assert score > log_prob(params, None, greedy_seq) + 0.1
        assert np.isclose(score, best, rtol=0, atol=1e-12)


def test_width_three_is_never_worse_than_greedy_on_random_networks():
    better = 0
    for seed in range(40):
        params = random_network(seed)
        for seed_ix, n in ((None, 3), (1, 4)):
            greedy_score = log_prob(params, seed_ix, greedy(params, seed_ix, n))
            ixs, score = search(params, seed_ix, n, 3)
            assert np.isclose(score, log_prob(params, seed_ix, ixs), rtol=0, atol=1e-12)
            assert score >= greedy_score - 1e-12, seed
            assert score <= best_by_enumeration(params, seed_ix, n) + 1e-12
            better += score > greedy_score + 1e-9
    assert better > 0  # the beam is not greedy in disguise


def test_output_is_deterministic_and_zero_length_is_empty():
    P = Params.from_arrays(random_network(3))
    h = np.zeros(P.H)
    first = beam_search(P, h, 0, 30, 4)
    second = beam_search(P, h, 0, 30, 4)
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]
    ixs, score = beam_search(P, h, 0, 0, 4)
    assert len(ixs) == 0 and score == 0.0


def test_every_model_beams_like_enumeration_says():
    """A 2-layer LSTM and GRU: W = 1 is the sampler's argmax path, and W = 3 scores at
    least greedy's total log-probability, which the test recomputes with the gated
    reference maths (tests/gated_reference.py) step by step."""
    import gated_reference as ref

    from tui_charrnn.sampling import sample

    for kind in ("lstm", "gru"):
        rng = np.random.default_rng(5)
        P = Params.init(V, H, rng, kind=kind, layers=2)
        P.flat[:] = rng.standard_normal(P.flat.size)
        s0 = P.zero_state()
        greedy_ixs, greedy_score = beam_search(P, s0, 1, 6, 1)
        argmax = sample(P, s0, 1, 6, np.random.default_rng(0), temperature=0)
        assert greedy_ixs.tolist() == argmax.tolist()
        wide_ixs, wide_score = beam_search(P, s0, 1, 6, 3)
        p = P.arrays()
        carries = 2 if kind == "lstm" else 1
        for ixs, score in ((greedy_ixs, greedy_score), (wide_ixs, wide_score)):
            inputs, targets = [1, *ixs[:-1].tolist()], ixs.tolist()
            state = [tuple(np.zeros((H, 1)) for _ in range(carries)) for _ in range(2)]
            loss, _, _ = ref.loss_fun(kind, p, inputs, targets, state, 2, H)
            assert -loss == pytest.approx(score, rel=1e-9)
        assert wide_score >= greedy_score

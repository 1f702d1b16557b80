"""The engine against a plain per-timestep reference and against finite differences."""

import numpy as np
import pytest
import reference

from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.model import forward, hidden_states, loss_and_grads
from tui_charrnn.models.params import Params
from tui_charrnn.sampling import sample
from tui_charrnn.session import Session

TEXT = (
    "Once upon a time a small fox kept a lantern by the river. Each night it asked the "
    "water: where do the stars go when the morning comes? The river said nothing at all.\n"
) * 4


def seed_arrays(P: Params) -> dict:
    """The engine's parameters in the seed's layout: biases as (H, 1) columns."""
    return {k: v.reshape(v.shape[0], -1).copy() for k, v in P.arrays().items()}


def test_batch1_matches_reference_after_100_iterations_with_wraps():
    corpus = Corpus.from_text(TEXT)
    session = Session(corpus, Hyperparams(val_fraction=0))  # the seed trains on all of it
    start = seed_arrays(session.params)
    ref, mem, hprev, smooth, _ = reference.train(start, corpus.data.tolist(), 100)
    wraps = 0
    for _ in range(100):
        p = session.p
        session.step()
        wraps += session.p <= p  # the step started again at the start of the data
    assert wraps >= 1  # the data pointer went back to the start at least once
    for name, arr in seed_arrays(session.params).items():
        np.testing.assert_allclose(arr, ref[name], rtol=1e-10, atol=0, err_msg=name)
    for name, arr in seed_arrays(session.optimizer.mem).items():
        np.testing.assert_allclose(arr, mem[name], rtol=1e-10, atol=0, err_msg=name)
    np.testing.assert_allclose(session.hprev[0], hprev[:, 0], rtol=1e-10)
    assert session.smooth_loss == pytest.approx(smooth, rel=1e-12)


def test_batch1_is_bit_identical_to_reference():
    """Stronger than the tolerance above: training is chaotic, so equal means exactly equal."""
    corpus = Corpus.from_text(TEXT)
    session = Session(corpus, Hyperparams(hidden_size=32, val_fraction=0))
    start = seed_arrays(session.params)
    ref = reference.train(start, corpus.data.tolist(), 60)[0]
    for _ in range(60):
        session.step()
    for name, arr in seed_arrays(session.params).items():
        assert np.array_equal(arr, ref[name]), name


def test_single_block_loss_grads_and_state_match_reference():
    rng = np.random.default_rng(3)
    V, H, T = 9, 7, 11
    P = random_params(rng, V, H, 0.3)
    inputs, targets = rng.integers(0, V, T), rng.integers(0, V, T)
    hprev = rng.standard_normal(H) * 0.5
    grads = P.zeros_like()
    loss, hlast = loss_and_grads(P, inputs[:, None], targets[:, None], hprev[None], grads)
    ref_loss, ref_grads, ref_h = reference.loss_fun(seed_arrays(P), inputs, targets, hprev[:, None])
    assert loss == ref_loss
    assert np.array_equal(hlast[0], ref_h[:, 0])
    for name, g in seed_arrays(grads).items():
        assert np.array_equal(g, ref_grads[name]), name


def test_batch_of_streams_equals_mean_of_single_streams():
    """B streams in one call = the average of B separate batch-1 calls (up to rounding)."""
    rng = np.random.default_rng(4)
    V, H, T, B = 10, 8, 7, 5
    P = random_params(rng, V, H, 0.3)
    inputs, targets = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
    hprev = rng.standard_normal((B, H)) * 0.5
    grads = P.zeros_like()
    loss, hlast = loss_and_grads(P, inputs, targets, hprev, grads)
    mean_grad = np.zeros_like(P.flat)
    losses = []
    for b in range(B):
        g = P.zeros_like()
        lb, hb = loss_and_grads(P, inputs[:, b : b + 1], targets[:, b : b + 1], hprev[b : b + 1], g)
        losses.append(lb)
        mean_grad += g.flat / B
        np.testing.assert_allclose(hlast[b], hb[0], rtol=1e-12, atol=1e-14)
    assert loss == pytest.approx(np.mean(losses), rel=1e-12)
    np.testing.assert_allclose(grads.flat, mean_grad, rtol=1e-10, atol=1e-14)


def random_params(rng: np.random.Generator, V: int, H: int, scale: float) -> Params:
    """Parameters far from the small initial ones, so every path of the maths matters."""
    P = Params.init(V, H, rng)
    P.flat[:] = rng.standard_normal(P.flat.size) * scale
    return P


def test_float32_option_trains_close_to_float64():
    corpus = Corpus.from_text(TEXT)
    s64 = Session(corpus, Hyperparams(hidden_size=20))
    s32 = Session(corpus, Hyperparams(hidden_size=20, dtype="float32"))
    assert s32.params.dtype == np.float32
    np.testing.assert_allclose(s32.params.flat, s64.params.flat, rtol=1e-6)
    l64 = [s64.step().loss for _ in range(5)]
    l32 = [s32.step().loss for _ in range(5)]
    np.testing.assert_allclose(l32, l64, rtol=1e-4)
    assert s32.params.flat.dtype == np.float32 and s32.hprev.dtype == np.float32


def test_sampling_is_seeded_and_temperature_zero_is_argmax():
    rng = np.random.default_rng(0)
    P = Params.init(5, 6, rng)
    P.flat[:] = rng.standard_normal(P.flat.size)
    h = np.zeros(6)
    a = sample(P, h, 1, 50, np.random.default_rng(9))
    b = sample(P, h, 1, 50, np.random.default_rng(9))
    assert np.array_equal(a, b) and a.min() >= 0 and a.max() < 5
    greedy = sample(P, h, 1, 20, np.random.default_rng(1), temperature=0)
    hh, ix = h, 1  # the obvious version: argmax of the logits at every step
    for t in range(20):
        hh = np.tanh(P.Wxh[:, ix] + P.Whh @ hh + P.bh)
        ix = int(np.argmax(P.Why @ hh + P.by))
        assert greedy[t] == ix


def test_sampling_frequencies_follow_the_softmax():
    """One step, many draws: the empirical distribution matches softmax(y / temperature)."""
    rng = np.random.default_rng(2)
    P = Params.init(4, 3, rng)
    P.flat[:] = rng.standard_normal(P.flat.size)
    h0 = np.zeros(3)
    h1 = np.tanh(P.Wxh[:, 2] + P.bh)
    for temp in (1.0, 0.5):
        y = (P.Why @ h1 + P.by) / temp
        expected = np.exp(y - y.max()) / np.exp(y - y.max()).sum()
        gen = np.random.default_rng(7)
        draws = [sample(P, h0, 2, 1, gen, temperature=temp)[0] for _ in range(20000)]
        freq = np.bincount(draws, minlength=4) / len(draws)
        np.testing.assert_allclose(freq, expected, atol=0.015)


def test_prime_with_unknown_characters_is_a_clear_error():
    from tui_charrnn.corpus import CorpusError

    session = Session(Corpus.from_text(TEXT), Hyperparams(hidden_size=8))
    out = session.sample_from_prime("Once", length=30)
    assert out.startswith("Once") and len(out) == 34
    with pytest.raises(CorpusError, match="not in the vocabulary"):
        session.sample_from_prime("Zebra#")


def test_batched_session_streams_start_at_even_offsets_and_wrap_together():
    corpus = Corpus.from_text(TEXT)
    session = Session(
        corpus, Hyperparams(hidden_size=8, batch_size=4, seq_length=10, val_fraction=0)
    )
    inputs, targets = session.next_block()
    L = corpus.N // 4
    for b in range(4):
        assert np.array_equal(inputs[:, b], corpus.data[b * L : b * L + 10])
        assert np.array_equal(targets[:, b], corpus.data[b * L + 1 : b * L + 11])
    wrapped = False
    for _ in range(L // 10 + 2):
        p = session.p
        session.step()
        wrapped |= session.p <= p  # all streams went back to their segment's start
    assert wrapped and session.p < L


@pytest.mark.parametrize("B", [1, 3])
def test_forward_matches_per_step_reference(B):
    """forward() (all the network's users but the exact batch-1 loss) against one-hot maths."""
    rng = np.random.default_rng(11 + B)
    V, H, T = 7, 5, 9
    P = random_params(rng, V, H, 0.5)
    inputs = rng.integers(0, V, (T, B))
    h0 = rng.standard_normal((B, H)) * 0.5
    trace = forward(P, inputs, h0)
    hs = trace.layers[0].states
    assert hs.shape == (T + 1, B, H) and np.array_equal(hs[0], h0)
    assert np.array_equal(trace.states(), hs[1:]) and np.array_equal(trace.top, hs[1:])
    for b in range(B):
        h = h0[b]
        for t in range(T):
            x = np.zeros(V)
            x[inputs[t, b]] = 1
            h = np.tanh(P.Wxh @ x + P.Whh @ h + P.bh)
            np.testing.assert_allclose(hs[t + 1, b], h, rtol=1e-12, atol=1e-15)
    # stream 0 alone: a (1, H) matmul may round unlike the (B, H) one, hence a tolerance
    one = hidden_states(P, inputs[:, 0], h0[0])
    np.testing.assert_allclose(one, hs[1:, 0], rtol=1e-12, atol=1e-15)


def test_smooth_loss_remembers_the_same_characters_at_any_batch():
    """The seed's 0.999 per 25 characters: exactly 0.999 / 0.001 at B = 1, T = 25, and
    0.999 ** 2 per iteration when an iteration trains 50 characters."""
    from tui_charrnn.session import smoothing

    assert smoothing(25) == (0.999, 0.001)
    keep, gain = smoothing(50)
    assert keep == pytest.approx(0.998001, rel=1e-12) and keep + gain == pytest.approx(1.0)
    s = Session(Corpus.from_text(TEXT), Hyperparams(hidden_size=8, batch_size=2))
    before = s.smooth_loss
    r = s.step()
    assert r.smooth_loss == pytest.approx(before * 0.998001 + r.loss * 0.001999, rel=1e-12)

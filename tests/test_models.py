"""The gated cells and stacked layers: gradients against finite differences, the forward
and backward passes and training against a plain per-step reference, dropout only in
training, resume bit for bit, and the bad combinations' one-line errors."""

from __future__ import annotations

import gated_reference as ref
import numpy as np
import pytest
from cli_helpers import make_text, only_run, run

from tui_charrnn.checkpoint import load_checkpoint, save_checkpoint, session_from_checkpoint
from tui_charrnn.corpus import Corpus
from tui_charrnn.files import CheckpointError
from tui_charrnn.heldout import evaluate_loss
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.model import loss_and_grads
from tui_charrnn.models.params import Params
from tui_charrnn.optimizers import make_optimizer
from tui_charrnn.session import Session

CASES = [(kind, layers) for kind in ("rnn", "gru", "lstm") for layers in (1, 3)]


def random_net(kind, layers, V, H, rng, scale=0.5):
    P = Params.init(V, H, rng, kind=kind, layers=layers)
    P.flat[:] = rng.standard_normal(P.flat.size) * scale
    return P


@pytest.mark.parametrize("B", [1, 3])
@pytest.mark.parametrize("kind,layers", CASES)
def test_finite_difference_gradient_check(kind, layers, B):
    rng = np.random.default_rng(layers * 10 + B)
    V, H, T = 5, 4, 6
    P = random_net(kind, layers, V, H, rng)
    inputs, targets = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
    s0 = rng.standard_normal((B, P.net.state_size)) * 0.5
    grads, scratch = P.zeros_like(), P.zeros_like()
    loss_and_grads(P, inputs, targets, s0, grads)

    def loss_at(flat):
        return loss_and_grads(Params.of(P.net, flat=flat), inputs, targets, s0, scratch)[0]

    eps = 1e-5
    numeric = np.empty_like(P.flat)
    for i in range(P.flat.size):
        plus, minus = P.flat.copy(), P.flat.copy()
        plus[i] += eps
        minus[i] -= eps
        numeric[i] = (loss_at(plus) - loss_at(minus)) / (2 * eps)
    num = Params.of(P.net, flat=numeric)
    for name in P.names:
        a, n = getattr(grads, name), getattr(num, name)
        rel = np.linalg.norm(a - n) / np.linalg.norm(a + n)
        assert rel < 1e-6, (name, rel)


def test_dropout_gradient_is_that_of_the_masked_network():
    """With dropout the loss is a function of the weights for a fixed mask: the same
    generator state gives the same mask, and finite differences agree with it."""
    rng = np.random.default_rng(3)
    V, H, T, B = 5, 4, 6, 2
    P = random_net("lstm", 2, V, H, rng)
    inputs, targets = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
    s0 = np.zeros((B, P.net.state_size))
    grads, scratch = P.zeros_like(), P.zeros_like()

    def masked(flat, out):
        gen = np.random.default_rng(42)
        return loss_and_grads(Params.of(P.net, flat=flat), inputs, targets, s0, out, 0.5, gen)[0]

    dropped = masked(P.flat, grads)
    assert dropped != loss_and_grads(P, inputs, targets, s0, scratch)[0]
    for i in rng.choice(P.flat.size, 40, replace=False):
        plus, minus = P.flat.copy(), P.flat.copy()
        plus[i] += 1e-5
        minus[i] -= 1e-5
        numeric = (masked(plus, scratch) - masked(minus, scratch)) / 2e-5
        assert numeric == pytest.approx(grads.flat[i], rel=1e-5, abs=1e-9)


def reference_state(P, s):
    """The engine's state row (S,) as the reference's list of per-layer column vectors."""
    net = P.net
    parts = dict(net.state_parts())
    out = []
    for layer in range(net.layers):
        labels = [c if net.layers == 1 else f"{c}{layer + 1}" for c in net.cell.CARRIES]
        out.append(tuple(s[parts[label]][:, None].copy() for label in labels))
    return out


@pytest.mark.parametrize("kind", ["gru", "lstm"])
@pytest.mark.parametrize("layers", [1, 2])
def test_training_matches_the_plain_reference(kind, layers):
    """Three iterations of Adam on B = 2 streams, against the reference run per stream."""
    rng = np.random.default_rng(7)
    V, H, T, B = 6, 5, 7, 2
    P = random_net(kind, layers, V, H, rng, 0.3)
    p_ref = {k: v.copy() for k, v in P.arrays().items()}
    m = {k: np.zeros_like(v) for k, v in p_ref.items()}
    v = {k: np.zeros_like(v) for k, v in p_ref.items()}
    opt = make_optimizer("adam", P)
    grads = P.zeros_like()
    s = rng.standard_normal((B, P.net.state_size)) * 0.3
    states = [reference_state(P, s[b]) for b in range(B)]
    for it in range(3):
        inputs, targets = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
        loss, s = loss_and_grads(P, inputs, targets, s, grads)
        total, g_sum = 0.0, {k: np.zeros_like(a) for k, a in p_ref.items()}
        for b in range(B):
            lb, gb, states[b] = ref.loss_fun(
                kind, p_ref, inputs[:, b], targets[:, b], states[b], layers, H
            )
            total += lb / B
            for k in g_sum:
                g_sum[k] += gb[k] / B
        assert loss == pytest.approx(total, rel=1e-12)
        for k, g in g_sum.items():
            np.testing.assert_allclose(getattr(grads, k), g, rtol=1e-10, atol=1e-12, err_msg=k)
        for b in range(B):
            np.testing.assert_allclose(s[b], _flatten(states[b]), rtol=1e-10, atol=1e-12)
        opt.step(P, grads, 0.01, 5.0)
        ref.adam(p_ref, g_sum, m, v, it + 1, 0.01, 5.0)
        for k, a in p_ref.items():
            np.testing.assert_allclose(getattr(P, k), a, rtol=1e-10, atol=1e-12, err_msg=k)


def _flatten(state):
    return np.concatenate([c[:, 0] for layer in state for c in layer])


TEXT = make_text(600, seed=1)  # short: 70 steps make several passes


def session_for(**settings) -> Session:
    hp = Hyperparams.for_model(hidden_size=12, seq_length=10, **settings)
    return Session(Corpus.from_text(TEXT), hp)


RESUMES = [
    {"model": "rnn", "layers": 2, "batch_size": 1, "optimizer": "rmsprop"},
    {"model": "gru", "layers": 2, "batch_size": 3, "dropout": 0.3},
    {"model": "lstm", "layers": 3, "batch_size": 2, "lr_decay": 0.9, "dropout": 0.2},
    {"model": "lstm", "layers": 1, "batch_size": 1, "dtype": "float64", "optimizer": "adagrad"},
]


@pytest.mark.parametrize("settings", RESUMES, ids=lambda s: f"{s['model']}{s['layers']}")
def test_resume_is_bit_identical(tmp_path, settings):
    """Train N, save, resume, train M: the same weights, memories and state as N + M
    straight (dropout masks, Adam's step count and the decay's pass count included)."""
    straight, saved = session_for(**settings), session_for(**settings)
    for _ in range(70):  # several passes over the text: the decay and the wraps matter
        straight.step()
    for _ in range(30):
        saved.step()
    save_checkpoint(tmp_path / "c.npz", saved)
    ckpt = load_checkpoint(tmp_path / "c.npz")
    assert ckpt.net == saved.params.net
    resumed = session_from_checkpoint(ckpt, Corpus.from_text(TEXT, chars=ckpt.chars))
    for _ in range(40):
        resumed.step()
    assert resumed.n == straight.n and resumed.epoch == straight.epoch > 0
    assert np.array_equal(resumed.params.flat, straight.params.flat)
    for a, b in zip(resumed.optimizer.buffers(), straight.optimizer.buffers(), strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(resumed.hprev, straight.hprev)
    assert resumed.optimizer.steps == straight.optimizer.steps == 70


def test_dropout_is_off_at_evaluation_and_sampling():
    """Two sessions with the same weights and generator, dropout 0.5 and 0: their held-out
    loss and samples agree (and training steps do not)."""
    a = session_for(model="lstm", layers=2, dropout=0.5)
    b = session_for(model="lstm", layers=2, dropout=0.0)
    assert np.array_equal(a.params.flat, b.params.flat)
    la = evaluate_loss(a.params, a.corpus.data, 0, 500, 10)
    lb = evaluate_loss(b.params, b.corpus.data, 0, 500, 10)
    assert la == lb
    assert a.sample(length=80) == b.sample(length=80)
    assert a.sample_from_prime("the ", 40) == b.sample_from_prime("the ", 40)
    assert a.step().loss != b.step().loss


def test_lr_decay_applies_once_per_pass():
    s = session_for(model="rnn", lr_decay=0.5, learning_rate=0.1)
    assert s.learning_rate == 0.1
    while s.epoch == 0:
        s.step()
    assert s.learning_rate == 0.05  # 0.1 * 0.5, exactly
    while s.epoch == 1:
        s.step()
    assert s.learning_rate == 0.025


def test_model_defaults_apply_to_what_is_not_given():
    hp = Hyperparams.for_model(model="lstm", hidden_size=64)
    assert (hp.model, hp.hidden_size, hp.optimizer) == ("lstm", 64, "adam")
    assert Hyperparams.for_model() == Hyperparams()  # the rnn keeps the original's
    assert Hyperparams.for_model(model="lstm", optimizer="adagrad").optimizer == "adagrad"


# --- bad combinations: one line each ---------------------------------------------------


@pytest.mark.parametrize(
    "flag,message",
    [
        ("--layers=0", "argument --layers: must be >= 1"),
        ("--layers=4", "argument --layers: must be <= 3"),
        ("--dropout=1", "argument --dropout: must be < 1"),
        ("--model=transformer", "argument --model: must be one of rnn, gru, lstm"),
        ("--optimizer=sgd", "argument --optimizer: must be one of adagrad, rmsprop, adam"),
    ],
)
def test_bad_model_flags_exit_2_in_one_line(tmp_path, capsys, flag, message):
    code = run(["train", "--runs-dir", tmp_path, flag])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


@pytest.fixture
def lstm_run(tmp_path, capsys):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(TEXT, encoding="utf-8")
    runs = tmp_path / "runs"
    flags = ["--model", "lstm", "--layers", "2", "--hidden-size", "8", "--batch-size", "2"]
    assert run(["train", corpus, "--runs-dir", runs, "--iters", "5", *flags]) == 0
    capsys.readouterr()
    folder = only_run(runs)
    return folder, sorted(folder.glob("checkpoint-*.npz"))[-1]


@pytest.mark.parametrize(
    "flags,message",
    [
        (["--model", "gru"], "the checkpoint holds a network with model lstm, not gru"),
        (["--layers", "1"], "the checkpoint holds a network with layers 2, not 1"),
        (["--hidden-size", "16"], "the checkpoint holds a network with hidden size 8, not 16"),
    ],
)
def test_resuming_as_another_network_is_refused(tmp_path, capsys, lstm_run, flags, message):
    folder, _ = lstm_run
    code = run(["train", "--resume", folder, "--runs-dir", tmp_path / "more", *flags])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1


def test_a_checkpoint_missing_a_gate_array_is_refused(tmp_path, capsys, lstm_run):
    _, ckpt = lstm_run
    with np.load(ckpt) as z:
        arrays = {k: z[k] for k in z.files if k != "Wh2"}
    broken = tmp_path / "broken.npz"
    np.savez(broken, **arrays)
    with pytest.raises(CheckpointError, match="not a 2-layer lstm checkpoint, missing Wh2"):
        load_checkpoint(broken)
    code = run(["sample", broken, "--length", "5"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "missing Wh2" in err and len(err.splitlines()) == 1


def test_a_gate_array_of_the_wrong_shape_is_refused(tmp_path, lstm_run):
    _, ckpt = lstm_run
    with np.load(ckpt) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["Wh"] = arrays["Wh"][:24]  # three gates' rows of four
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    with pytest.raises(CheckpointError, match=r"Wh has shape \(24, 8\), expected \(32, 8\)"):
        load_checkpoint(bad)

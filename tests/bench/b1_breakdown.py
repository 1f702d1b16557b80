"""Where a batch-1 iteration's time goes, next to one iteration of the seed loop.

    python tests/bench/b1_breakdown.py [--rounds 15] [--iters 200]

Times, interleaved over rounds (medians; the machines are shared and noisy, so only the
ratios mean anything), on one core:
  - one iteration of the plain seed loop (bench_engine.SeedLoop, sampling amortised),
  - one engine iteration at B = 1 (Session.step, sampling amortised),
  - each part of that iteration on its own, run the way model.py runs it.
Then it prints the share of each part and the best ratio to the seed the engine could
reach if everything except the parts that the seed's exact float order forces (the two
per-step recurrence loops and the two sequential outer-product sums) cost nothing.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, before numpy loads BLAS

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_engine import SeedLoop

from tui_charrnn import catalog
from tui_charrnn.corpus import load
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.models.columns import scatter_columns as _scatter_columns
from tui_charrnn.models.rnn import seed_loss_and_grads as _loss_and_grads_one
from tui_charrnn.session import Session


def parts(session: Session) -> dict[str, callable]:
    """Each piece of model._loss_and_grads_one and Adagrad, on realistic arrays."""
    P, g = session.params, session.grads
    T, H = session.hp.seq_length, P.H
    inputs, targets = session.next_block()
    x_idx, y_idx = inputs[:, 0], targets[:, 0]
    hs = np.tanh(np.random.default_rng(0).standard_normal((T + 1, H)))
    rows = list(hs)
    xh = P.Wxh.T[x_idx]
    dy = np.random.default_rng(1).random((T, P.V))
    dhraw = hs[:T].copy()
    dot, tanh, Whh, bh = np.dot, np.tanh, P.Whh, P.bh
    h0 = hs[T].copy()

    def forward_loop():
        h = h0
        for x, h_next in zip(xh, reversed(rows[:T]), strict=True):
            dot(Whh, h, h_next)
            h_next += x
            h_next += bh
            tanh(h_next, h_next)
            h = h_next

    def backward_loop():
        dhnext = np.zeros(H)
        for dh, d_tanh in zip(dhraw, hs[:T], strict=True):
            dh += dhnext
            dh *= d_tanh
            dot(dh, Whh, dhnext)
        dhraw[...] = hs[:T]  # keep the values bounded across repeats

    def output_layer():  # batched gemv, softmax, loss, dy, batched gemv back
        ys = np.matmul(P.Why, hs[:T, :, None])[:, :, 0]
        ys += P.by
        ps = np.exp(ys)
        ps /= ps.sum(axis=1, keepdims=True)
        steps = np.arange(T)
        -np.log(ps[steps, y_idx[::-1]])[::-1].cumsum()[-1]
        ps[steps, y_idx[::-1]] -= 1
        np.matmul(ps[:, None, :], P.Why)[:, 0, :]

    def outer_sums():  # dWhy and dWhh: sequential sums of outer products (exact order)
        np.einsum("tv,th->vh", dy, hs[:T], out=g.Why)
        np.einsum("ti,tj->ij", dhraw, hs[1:], out=g.Whh)

    def bias_and_wxh():
        np.add.reduce(dy, axis=0, out=g.by)
        np.add.reduce(dhraw, axis=0, out=g.bh)
        _scatter_columns(g.Wxh, x_idx[::-1], dhraw)

    grads = P.zeros_like()
    P_scratch = P.copy()

    def whole_loss_and_grads():
        _loss_and_grads_one(P, x_idx, y_idx, session.hprev[0], grads)

    def adagrad():  # on a copy of the weights, so repeats do not move the run
        session.optimizer.step(P_scratch, g, 0.1, 5.0)

    def sampling():  # 200 characters every 100 iterations, per iteration
        session.sample(int(x_idx[0]))

    return {
        "forward recurrence (25 x dot, add, add, tanh)": forward_loop,
        "backward recurrence (25 x add, mul, dot)": backward_loop,
        "dWhy, dWhh sequential outer sums (einsum)": outer_sums,
        "output layer, softmax, loss (batched)": output_layer,
        "dby, dbh, dWxh scatter": bias_and_wxh,
        "Adagrad + clip (flat buffer, 9 ufuncs)": adagrad,
        "sampling 200 chars (/100 per iteration)": sampling,
        "_loss_and_grads_one as a whole": whole_loss_and_grads,
    }


def per_call_us(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--iters", type=int, default=200, help="calls per timing")
    ap.add_argument("--corpus", default=catalog.DEFAULT_CORPUS)
    args = ap.parse_args(argv)
    name, path = catalog.resolve(args.corpus)
    corpus = load(path, name)
    seed = SeedLoop(corpus.text())
    session = Session(corpus, Hyperparams())
    for _ in range(200):  # past the first pointer reset, with trained-ish weights
        session.step()
    timers = {
        "seed loop iteration": seed.step,
        "engine iteration (Session.step)": lambda: session.step(session.n % 100 == 0),
    }
    timers.update(parts(session))
    results = {k: [] for k in timers}
    for _ in range(args.rounds):
        for label, fn in timers.items():
            n = max(1, args.iters // 100) if label.startswith("sampling") else args.iters
            value = per_call_us(fn, n)
            results[label].append(value / 100 if label.startswith("sampling") else value)
    med = {k: statistics.median(v) for k, v in results.items()}
    seed_us, engine_us = med["seed loop iteration"], med["engine iteration (Session.step)"]
    print(f"corpus {name}: V={corpus.V}; H=100, T=25, B=1 float64, one core")
    print(f"{'part':50s} {'us':>8s} {'of engine':>10s}")
    for label, us in med.items():
        print(f"{label:50s} {us:8.1f} {us / engine_us:9.0%}")
    forced = sum(
        med[k]
        for k in med
        if k.startswith(("forward recurrence", "backward recurrence", "dWhy, dWhh"))
    )
    print(f"engine vs seed: {seed_us / engine_us:.2f}x")
    print(
        f"ceiling if only the recurrences and the exact outer sums cost anything: "
        f"{seed_us / forced:.2f}x"
    )


if __name__ == "__main__":
    main()

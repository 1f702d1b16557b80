"""Engine speed, measured side by side in one run on one core.

    python tests/bench/bench_engine.py [--seconds 3] [--rounds 3]

Prints chars/s of a plain per-timestep loop written like min-char-rnn (tests/reference.py's
lossFun plus the seed's main loop, sampling 200 characters every 100 iterations with
np.random.choice as the seed does), of the engine at B = 1 (bit-exact with it), and of
the batched engine at B = 32 and 128 in float64 and float32, with each one's ratio to the
reference. Rounds are interleaved and the median of each round's ratio taken (with the
range over rounds), because the machines are shared and noisy: only the ratios mean
anything.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, before numpy loads BLAS

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import reference

from tui_charrnn import catalog
from tui_charrnn.corpus import load
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.session import Session


class SeedLoop:
    """min-char-rnn's main loop, per timestep, on the text itself (string slicing and all)."""

    def __init__(self, text: str, hidden_size=100, seq_length=25, learning_rate=0.1):
        self.data, self.T, self.lr = text, seq_length, learning_rate
        chars = sorted(set(text))
        self.char_to_ix = {ch: i for i, ch in enumerate(chars)}
        V, H = len(chars), hidden_size
        rng = np.random.RandomState(1)
        self.params = {
            "Wxh": rng.randn(H, V) * 0.01,
            "Whh": rng.randn(H, H) * 0.01,
            "Why": rng.randn(V, H) * 0.01,
            "bh": np.zeros((H, 1)),
            "by": np.zeros((V, 1)),
        }
        self.mem = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.V, self.H = V, H
        self.n = self.p = 0
        self.hprev = np.zeros((H, 1))
        self.smooth_loss = -np.log(1.0 / V) * seq_length

    def sample(self, h, seed_ix, n):
        P = self.params
        x = np.zeros((self.V, 1))
        x[seed_ix] = 1
        for _ in range(n):
            h = np.tanh(np.dot(P["Wxh"], x) + np.dot(P["Whh"], h) + P["bh"])
            y = np.dot(P["Why"], h) + P["by"]
            p = np.exp(y) / np.sum(np.exp(y))
            ix = np.random.choice(range(self.V), p=p.ravel())
            x = np.zeros((self.V, 1))
            x[ix] = 1

    def step(self):
        T, data = self.T, self.data
        if self.p + T + 1 >= len(data) or self.n == 0:
            self.hprev = np.zeros((self.H, 1))
            self.p = 0
        inputs = [self.char_to_ix[ch] for ch in data[self.p : self.p + T]]
        targets = [self.char_to_ix[ch] for ch in data[self.p + 1 : self.p + T + 1]]
        if self.n % 100 == 0:
            self.sample(self.hprev, inputs[0], 200)
        loss, grads, self.hprev = reference.loss_fun(self.params, inputs, targets, self.hprev)
        self.smooth_loss = self.smooth_loss * 0.999 + loss * 0.001
        for k, param in self.params.items():
            np.clip(grads[k], -5, 5, out=grads[k])
            self.mem[k] += grads[k] * grads[k]
            param += -self.lr * grads[k] / np.sqrt(self.mem[k] + 1e-8)
        self.p += T
        self.n += 1


def engine(corpus, batch_size, dtype):
    session = Session(corpus, Hyperparams(batch_size=batch_size, dtype=dtype))

    def step():
        session.step(want_sample=session.n % 100 == 0)

    return step, batch_size * session.hp.seq_length


def chars_per_s(step, chars_per_step, seconds):
    step()  # warm up (allocations, first BLAS call)
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        step()
        n += 1
    return n * chars_per_step / elapsed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="per configuration per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", default=catalog.DEFAULT_CORPUS)
    args = ap.parse_args(argv)
    name, path = catalog.resolve(args.corpus)
    corpus = load(path, name)
    text = corpus.text()
    seed = SeedLoop(text)
    configs = {"reference (seed loop)": (seed.step, seed.T)}
    configs["engine B=1 float64"] = engine(corpus, 1, "float64")
    for B in (32, 128):
        for dtype in ("float64", "float32"):
            configs[f"engine B={B} {dtype}"] = engine(corpus, B, dtype)
    results = {k: [] for k in configs}
    for r in range(args.rounds):
        for label, (step, chars) in configs.items():
            results[label].append(chars_per_s(step, chars, args.seconds))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    refs = results["reference (seed loop)"]
    print(f"corpus {name}: {corpus.N:,} chars, V={corpus.V}; H=100, T=25, one core")
    print(f"{'configuration':28s} {'chars/s':>12s} {'vs reference':>13s} {'per round':>17s}")
    for label, values in results.items():
        # each round's ratio to the reference measured next to it, then the median: drift
        # of the machine between rounds cancels out within a round
        ratios = sorted(v / r for v, r in zip(values, refs, strict=True))
        spread = f"{ratios[0]:.1f}..{ratios[-1]:.1f}x"
        line = f"{statistics.median(values):12,.0f} {statistics.median(ratios):12.1f}x"
        print(f"{label:28s} {line} {spread:>17s}")


if __name__ == "__main__":
    main()

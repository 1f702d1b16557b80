"""tui_charrnn/model.py against an earlier revision of itself, side by side in one run.

    python tests/bench/bench_model_vs.py --base REV [--seconds 1] [--rounds 5]

REV is any git revision (e.g. the commit before a change to the engine); its model.py is
loaded from git as a second module (model.py imports nothing but numpy, so that works).
Both run the same inputs with the same parameters, in interleaved rounds on one core:
the B > 1 training step (loss_and_grads + Adagrad), sampling 200 characters (what a
session does every 100 iterations), the held-out loss of a VAL_CHARS slice and the
hidden states of a 2,000-character passage (the neurons view). Prints calls/s of each
and the median over rounds of the ratio now / base: only the ratios mean anything on a
shared machine.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, before numpy loads BLAS

import argparse
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np

from tui_charrnn import model
from tui_charrnn.corpus import split_point
from tui_charrnn.validation import VAL_CHARS

ROOT = Path(__file__).resolve().parents[2]
V, H, T = 65, 100, 25


def git_show(rev: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:{path}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def load_base(rev: str):
    """model.py as of git revision `rev`, imported under another name, with its held-out
    loss as .evaluate_loss (before it moved into model.py, it was insight/split.py's)."""
    mod = types.ModuleType("model_base")
    exec(compile(git_show(rev, "tui_charrnn/model.py"), f"{rev}:model.py", "exec"), mod.__dict__)
    if not hasattr(mod, "evaluate_loss"):
        src = git_show(rev, "tui_charrnn/insight/split.py")
        src = src.replace("from ..corpus import split_point\n", "")
        src = src.replace("from ..model import Params\n", "")
        split = {"Params": mod.Params, "split_point": split_point}
        exec(compile(src, f"{rev}:insight/split.py", "exec"), split)
        mod.evaluate_loss = split["evaluate_loss"]
    return mod


def cases(m) -> dict:
    """name -> a no-argument callable running module m's code on fixed inputs."""
    rng = np.random.default_rng(0)
    data = rng.integers(0, V, 200_000).astype(np.uint8)
    out = {}
    for B in (32, 128):
        P = m.Params(V, H)
        P.flat[:] = rng.standard_normal(P.flat.size) * 0.05
        grads, adagrad = P.zeros_like(), m.Adagrad(P)
        inputs, targets = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
        h = np.zeros((B, H))

        def train_step(P=P, grads=grads, adagrad=adagrad, x=inputs, y=targets, h=h):
            m.loss_and_grads(P, x, y, h, grads)
            adagrad.step(P, grads, 0.1, 5.0)

        out[f"train step B={B}"] = train_step
    P = m.Params(V, H)
    P.flat[:] = rng.standard_normal(P.flat.size) * 0.1
    h0 = np.zeros(H)
    gen = np.random.default_rng(1)
    ixs = data[:2000].astype(np.intp)
    out["sample 200 chars"] = lambda: m.sample(P, h0, 3, 200, gen)
    out["hidden_states 2000"] = lambda: m.hidden_states(P, ixs, h0)
    out[f"held-out loss {VAL_CHARS:,}"] = lambda: m.evaluate_loss(P, data, 0, VAL_CHARS, T)
    return out


def calls_per_s(fn, seconds: float) -> float:
    fn()  # warm up
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        n += 1
    return n / elapsed


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="git revision to compare with")
    ap.add_argument("--seconds", type=float, default=1.0, help="per case per round")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    now_cases, base_cases = cases(model), cases(load_base(args.base))
    names = [k for k in now_cases if k in base_cases]
    rates = {k: ([], []) for k in names}
    for r in range(args.rounds):
        for k in names:
            first, second = (now_cases, base_cases) if r % 2 == 0 else (base_cases, now_cases)
            a = calls_per_s(first[k], args.seconds)
            b = calls_per_s(second[k], args.seconds)
            now, old = (a, b) if r % 2 == 0 else (b, a)
            rates[k][0].append(now)
            rates[k][1].append(old)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"model.py now vs {args.base}; V={V}, H={H}, T={T}, float64, one core")
    print(f"{'case':26s} {'now /s':>10s} {'base /s':>10s} {'now/base':>9s} {'per round':>13s}")
    for k, (now, old) in rates.items():
        ratios = sorted(a / b for a, b in zip(now, old, strict=True))
        print(
            f"{k:26s} {statistics.median(now):10.1f} {statistics.median(old):10.1f}"
            f" {statistics.median(ratios):8.3f}x {ratios[0]:.2f}..{ratios[-1]:.2f}x"
        )


if __name__ == "__main__":
    main()

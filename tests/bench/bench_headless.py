"""The headless command's speed against the engine alone, from outside, on one core.

    python tests/bench/bench_headless.py [--iters 20000] [--rounds 3]

Each round times, as whole processes pinned to one core and in turn, (a) a bare engine
loop: Session.step N times with a sample every 100 iterations (what the original script
does), and (b) `python -m tui_charrnn --headless CORPUS --iters N` (the Trainer, Recorder,
divergence guard, validation, progress bar and run folder around that same loop). Each is
also run with N = 1 and that start-up time (imports, corpus, first allocations) is
subtracted, so the figures are the chars/s of training itself. The ratio headless/engine
is taken within each round (machines are shared and noisy) and its median printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
T = 25  # seq_length, the default of both commands

ENGINE_LOOP = """
import sys
from tui_charrnn import catalog
from tui_charrnn.corpus import load
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.session import Session

name, path = catalog.resolve(sys.argv[1])
s = Session(load(path, name=name), Hyperparams())
for _ in range(int(sys.argv[2])):
    s.step(want_sample=s.n % 100 == 0)
"""


def timed(cmd: list[str]) -> float:
    """Wall seconds of one run of cmd, pinned to core 0, output discarded."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    start = time.perf_counter()
    subprocess.run(
        cmd,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.sched_setaffinity(0, {0}),
    )
    return time.perf_counter() - start


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iters", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", default="fables")
    args = ap.parse_args(argv)
    runs = Path(tempfile.mkdtemp(prefix="bench-headless-"))

    def engine(n: int) -> list[str]:
        return [sys.executable, "-c", ENGINE_LOOP, args.corpus, str(n)]

    def headless(n: int) -> list[str]:
        cmd = [sys.executable, "-m", "tui_charrnn", "--headless", args.corpus]
        return [*cmd, "--iters", str(n), "--runs-dir", str(runs)]

    rates: dict[str, list[float]] = {"engine": [], "headless": []}
    for r in range(args.rounds):
        for label, cmd in (("engine", engine), ("headless", headless)):
            start_up = timed(cmd(1))
            rates[label].append((args.iters - 1) * T / (timed(cmd(args.iters)) - start_up))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    ratios = [h / e for h, e in zip(rates["headless"], rates["engine"], strict=True)]
    print(f"corpus {args.corpus}, B=1 float64, {args.iters:,} iterations, one core")
    for label, values in rates.items():
        print(f"{label:9s} {statistics.median(values):10,.0f} chars/s")
    print(
        f"headless / engine: {statistics.median(ratios):.3f}"
        f" (rounds {min(ratios):.3f}..{max(ratios):.3f})"
    )


if __name__ == "__main__":
    main()

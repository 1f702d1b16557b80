"""What validation costs: training throughput with the Validator on vs off, side by side.

    python tests/bench/bench_validation.py [--seconds 20] [--batch 1 8] [--corpus fables]

For each batch size, trains the same session for the same wall time twice, interleaved in
1 s slices in alternating order (so a busy machine slows both alike): once with
Validator.check after every iteration (as the trainer and headless do), once without.
Prints iterations per second of each, the slowdown, and the time the evaluations
themselves took as a share of the run.
"""

from __future__ import annotations

import argparse
import time

from tui_charrnn import catalog
from tui_charrnn.corpus import load, split_point
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.session import Session
from tui_charrnn.validation import Validator

SLICE_S = 1.0


def run_slice(s: Session, v: Validator | None, clock: list[float], seconds: float) -> int:
    """Train for `seconds`; clock[0] is the training time so far (the Validator's clock)."""
    n, t0 = 0, time.perf_counter()
    while True:
        r = s.step()
        n += 1
        now = time.perf_counter()
        if v is not None and v.check(s, r.n, clock[0] + now - t0) is not None:
            clock[1] += v.latest.seconds
            clock[2] += 1
        if now - t0 >= seconds:
            clock[0] += now - t0
            return n


def bench(corpus, batch: int, seconds: float) -> None:
    hp = Hyperparams(batch_size=batch)
    on, off = Session(corpus, hp), Session(corpus, hp)
    v = Validator(on)
    clock_on, clock_off = [0.0, 0.0, 0], [0.0, 0.0, 0]
    iters_on = iters_off = 0
    first = True
    while clock_on[0] < seconds:
        if first:  # who goes first alternates: neither gets the quieter half of a round
            iters_on += run_slice(on, v, clock_on, SLICE_S)
        iters_off += run_slice(off, None, clock_off, SLICE_S)
        if not first:
            iters_on += run_slice(on, v, clock_on, SLICE_S)
        first = not first
    rate_on, rate_off = iters_on / clock_on[0], iters_off / clock_off[0]
    print(
        f"B={batch:<3} validation on {rate_on:8.1f} it/s, off {rate_off:8.1f} it/s"
        f" ({100 * (1 - rate_on / rate_off):+.1f} % slower); {clock_on[2]} evaluations of"
        f" {v.length:,} chars, {1000 * clock_on[1] / max(clock_on[2], 1):.0f} ms each,"
        f" {100 * clock_on[1] / clock_on[0]:.1f} % of the time"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=20.0)
    p.add_argument("--batch", type=int, nargs="+", default=[1, 8])
    p.add_argument("--corpus", default=catalog.DEFAULT_CORPUS)
    args = p.parse_args()
    name, path = catalog.resolve(args.corpus)
    corpus = load(path, name=name)
    held = corpus.N - split_point(corpus.N, Hyperparams().val_fraction)
    print(f"{name}: {corpus.N:,} chars; held out {held:,}")
    for b in args.batch:
        bench(corpus, b, args.seconds)


if __name__ == "__main__":
    main()

"""Soak: run the app headless (App.run_test) for a while and watch its memory.

    python tests/bench/soak.py [SECONDS] [--autosave S]

Trains the default corpus at the seed's settings with sample_every 20 (env SOAK_SAMPLE_EVERY;
many samples: the sample log and samples.jsonl grow fastest), autosave every few seconds,
pausing and sampling now and then. Prints the process RSS (VmRSS of /proc/self/status) every
REPORT_S seconds, then a verdict: FLAT if RSS after the warm-up grew by less than
GROWTH_LIMIT (MB per minute, a least-squares slope), else GROWING. Exit code 0 / 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from textual import events

from tui_charrnn import catalog
from tui_charrnn.app import CharRNNApp
from tui_charrnn.corpus import load
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.session import Session

REPORT_S = 5.0
WARMUP_S = 15.0  # caches, the sample log's first screenfuls, numpy buffers
GROWTH_LIMIT = 2.0  # MB per minute


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # peak, not current: a fallback only

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (t, y), per second."""
    n = len(points)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    return sum((t - mt) * (y - my) for t, y in points) / var if var else 0.0


async def soak(seconds: float, autosave: float) -> int:
    name, path = catalog.resolve(None)
    hp = Hyperparams(sample_every=int(os.environ.get("SOAK_SAMPLE_EVERY", 20)))
    runs = Path(tempfile.mkdtemp(prefix="charrnn-soak-"))
    app = CharRNNApp(
        lambda: Session(load(path, name=name), hp), hp, name, runs, autosave_s=autosave
    )
    samples: list[tuple[float, float]] = []
    async with app.run_test(size=(120, 40)):
        t0 = last = time.monotonic()
        keys = ["g", "g", "space", "space"]
        k = 0
        print(f"soak: {seconds:g} s, run folder under {runs}", flush=True)
        while (now := time.monotonic()) - t0 < seconds:
            await asyncio.sleep(0.5)
            key = keys[k % len(keys)]
            k += 1
            app.post_message(events.Key(key, key if len(key) == 1 else None))
            if now - last >= REPORT_S:
                last = now
                rss = rss_mb()
                samples.append((now - t0, rss))
                print(
                    f"{now - t0:7.1f} s  RSS {rss:7.1f} MB  iter {app.iteration:>9,}"
                    f"  samples {len(app.sample_pane.samples):>6,}",
                    flush=True,
                )
        app.post_message(events.Key("q", "q"))
        end = time.monotonic() + 5
        while not app.trainer.stopped.is_set() and time.monotonic() < end:
            await asyncio.sleep(0.05)
    steady = [(t, y) for t, y in samples if t >= WARMUP_S] or samples
    growth = slope(steady) * 60
    if not steady:
        print("verdict: too short to judge")
        return 1
    spread = max(y for _, y in steady) - min(y for _, y in steady)
    verdict = "FLAT" if growth < GROWTH_LIMIT else "GROWING"
    print(
        f"verdict: {verdict}: after {WARMUP_S:g} s warm-up RSS moved {growth:+.2f} MB/min"
        f" (range {spread:.1f} MB; limit {GROWTH_LIMIT:g} MB/min)"
    )
    return 0 if verdict == "FLAT" else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("seconds", nargs="?", type=float, default=60.0)
    p.add_argument("--autosave", type=float, default=5.0, help="seconds between autosaves")
    args = p.parse_args()
    return asyncio.run(soak(args.seconds, args.autosave))


if __name__ == "__main__":
    sys.exit(main())

"""Soak: run the app headless (App.run_test) for a while and watch its memory.

    python tests/bench/soak.py [SECONDS] [--autosave S] [--leak KB]

Trains the default corpus at the seed's settings with sample_every 20 (env SOAK_SAMPLE_EVERY;
many samples: the sample log and samples.jsonl grow fastest), autosave every few seconds,
sampling (g) and pausing/resuming (space: the footer is rebuilt) every two seconds. Prints
the process RSS (VmRSS of /proc/self/status) every REPORT_S seconds, then a verdict (see
verdict()): FLAT or GROWING. Exit code 0 / 1.

--leak KB keeps KB more kilobytes every second (a deliberate leak): the verdict must then
say GROWING, which shows the benchmark can fail (60 KB/s is 3.5 MB/min).

Findings (issue #4): Textual's Footer kept every FooterKey it ever built (17 MB/min here,
widgets/footer.py) and the sample log held up to 50,000 lines at ~3.4 KB each (~170 MB,
widgets/samples_pane.py).
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
from textual.widgets import RichLog

from tui_charrnn import catalog
from tui_charrnn.app import CharRNNApp
from tui_charrnn.corpus import load
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.opening import new_run

REPORT_S = 5.0
WARMUP_S = 30.0  # caches, the sample log filling up to its bound, numpy buffers
GROWTH_LIMIT = 1.0  # MB per minute, over the judged part of the run


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


def verdict(
    points: list[tuple[float, float]], warmup: float = WARMUP_S, limit: float = GROWTH_LIMIT
) -> tuple[str, float, list[tuple[float, float]]]:
    """("FLAT" | "GROWING" | "TOO SHORT", MB/min, the points judged) for (seconds, RSS MB).

    Judged: the last two thirds of the run, and never the warm-up. FLAT when the
    least-squares slope of RSS over them is under `limit` MB per minute."""
    if not points:
        return "TOO SHORT", 0.0, []
    start = max(warmup, points[-1][0] / 3)
    judged = [(t, y) for t, y in points if t >= start]
    if len(judged) < 4:
        return "TOO SHORT", 0.0, judged
    growth = slope(judged) * 60
    return ("FLAT" if growth < limit else "GROWING"), growth, judged


async def soak(seconds: float, autosave: float, leak_kb: float = 0.0) -> int:
    name, path = catalog.resolve(None)
    hp = Hyperparams(sample_every=int(os.environ.get("SOAK_SAMPLE_EVERY", 20)))
    runs = Path(tempfile.mkdtemp(prefix="charrnn-soak-"))
    app = CharRNNApp(
        lambda: new_run(load(path, name=name), hp), hp, name, runs, autosave_s=autosave
    )
    samples: list[tuple[float, float]] = []
    leaked: list[bytes] = []  # --leak: kept on purpose
    async with app.run_test(size=(120, 40)):
        t0 = last = time.monotonic()
        keys = ["g", "g", "space", "space"]
        k = 0
        print(f"soak: {seconds:g} s, run folder under {runs}", flush=True)
        while (now := time.monotonic()) - t0 < seconds:
            await asyncio.sleep(0.5)
            if leak_kb:
                leaked.append(b"\x01" * int(leak_kb * 512))  # written, so resident
            key = keys[k % len(keys)]
            k += 1
            app.post_message(events.Key(key, key if len(key) == 1 else None))
            if now - last >= REPORT_S:
                last = now
                rss = rss_mb()
                samples.append((now - t0, rss))
                print(
                    f"{now - t0:7.1f} s  RSS {rss:7.1f} MB  iter {app.iteration:>9,}"
                    f"  samples {app.sample_pane.count:>6,}"
                    f"  log lines {len(app.sample_pane.query_one(RichLog).lines):>5,}",
                    flush=True,
                )
        app.post_message(events.Key("q", "q"))
        end = time.monotonic() + 5
        while not app.trainer.stopped.is_set() and time.monotonic() < end:
            await asyncio.sleep(0.05)
    said, growth, judged = verdict(samples)
    if said == "TOO SHORT":
        print(f"verdict: too short to judge (run at least {3 * WARMUP_S:g} s)")
        return 1
    (t0, y0), (t1, y1) = judged[0], judged[-1]
    print(
        f"verdict: {said}: from {t0:.0f} s to {t1:.0f} s RSS went {y0:.1f} -> {y1:.1f} MB,"
        f" {growth:+.2f} MB/min (least squares; limit {GROWTH_LIMIT:g} MB/min);"
        f" whole run {samples[0][1]:.1f} -> {samples[-1][1]:.1f} MB"
    )
    return 0 if said == "FLAT" else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("seconds", nargs="?", type=float, default=180.0)
    p.add_argument("--autosave", type=float, default=5.0, help="seconds between autosaves")
    p.add_argument("--leak", type=float, default=0.0, metavar="KB", help="leak KB per second")
    args = p.parse_args()
    return asyncio.run(soak(args.seconds, args.autosave, args.leak))


if __name__ == "__main__":
    sys.exit(main())

"""kill -9 a headless run at random moments, many times, with the default autosave.

    python tests/bench/kill_runs.py [--kills 30] [--max-s 40] [--seed 1]

A chain of runs: each resumes the folder the last one left (or, killed before its first
save, the one before) and is killed with SIGKILL after a random time in [0.5, max-s]
seconds. After every kill, every checkpoint in every folder must load, and every metrics
row and sample a checkpoint covers must be in its folder, once, in order. Prints the
count of unloadable files and lost rows (both must be 0) and the training lost per kill:
the training time between the newest checkpoint and the kill (an upper bound, read from
metrics.csv's elapsed_s).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tui_charrnn.checkpoint import CheckpointError, load_checkpoint
from tui_charrnn.metrics import METRICS_EVERY
from tui_charrnn.recorder import FLUSH_S
from tui_charrnn.storage import RunFolder

SAMPLE_EVERY = 100


def check(folder: Path) -> tuple[int, int]:
    """(unloadable checkpoint files, metrics rows and samples before the newest checkpoint
    that are missing or repeated)."""
    bad = 0
    for path in folder.glob("checkpoint*.npz"):
        try:
            load_checkpoint(path)
        except CheckpointError:
            bad += 1
    if not (folder / "checkpoint.npz").exists():
        return bad, 0
    n = load_checkpoint(folder / "checkpoint.npz").n
    rows = [m.iteration for m in RunFolder(folder).read_metrics(n)]
    samples = [s.iteration for s in RunFolder(folder).read_samples(n)]
    missing = set(range(0, n, METRICS_EVERY)) - set(rows)
    missing_samples = set(range(0, n, SAMPLE_EVERY)) - set(samples)
    repeated = len(rows) - len(set(rows)) + len(samples) - len(set(samples))
    return bad, len(missing) + len(missing_samples) + repeated


def training_lost(folder: Path | None) -> float:
    """Seconds of training a kill cost, at most: from the newest checkpoint to the last
    metrics row on disk, plus the FLUSH_S that rows may wait in memory. A run killed
    before its folder existed had trained at most FLUSH_S (its first save comes then)."""
    if folder is None or not (folder / "checkpoint.npz").exists():
        return FLUSH_S
    n = load_checkpoint(folder / "checkpoint.npz").n
    rows = RunFolder(folder).read_metrics()
    if not rows:
        return FLUSH_S
    saved = [m.elapsed_s for m in rows if m.iteration < n]
    return rows[-1].elapsed_s - (saved[-1] if saved else rows[0].elapsed_s) + FLUSH_S


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--max-s", type=float, default=40.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", default="fables")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    runs = Path(tempfile.mkdtemp(prefix="kill-runs-"))
    target: Path | None = None
    unloadable = lost_rows = 0
    lost_s: list[float] = []
    for k in range(args.kills):
        before = set(runs.iterdir())
        cmd = [sys.executable, "-m", "tui_charrnn", "--headless", args.corpus]
        cmd += ["--runs-dir", str(runs), "--sample-every", str(SAMPLE_EVERY)]
        if target is not None:
            cmd += ["--resume", str(target)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, args.max_s))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for folder in runs.iterdir():
            bad, lost = check(folder)
            unloadable, lost_rows = unloadable + bad, lost_rows + lost
        new = set(runs.iterdir()) - before
        folder = new.pop() if new else None
        lost_s.append(training_lost(folder))
        if folder is not None and (folder / "checkpoint.npz").exists():
            target = folder
        print(f"kill {k + 1}/{args.kills}: lost {lost_s[-1]:.1f} s", file=sys.stderr)
    print(f"{args.kills} kills at random moments in 0.5..{args.max_s:g} s, default autosave")
    print(f"unloadable checkpoint files: {unloadable}; rows/samples lost or repeated: {lost_rows}")
    print(
        f"training lost per kill: median {statistics.median(lost_s):.1f} s, max {max(lost_s):.1f} s"
    )


if __name__ == "__main__":
    main()

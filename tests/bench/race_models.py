"""Held-out loss of several configurations at an equal budget of training characters
(and what each reached per minute), each a whole `charrnn-tui train` process on one core.

    python tests/bench/race_models.py CORPUS --chars 5e6 \\
        --config "--model rnn" --config "--model lstm" [--config ...]

Each configuration trains on the corpus's first 90 % (the default split) for
ceil(chars / (seq_length * batch_size)) iterations and is scored on the last 10 %; the
held-out loss is the run's final validation (its last metrics row: the held-out tail, or
its first 20,000 characters, in nats/char).
Runs go one after another, pinned to one core with taskset when it exists, so their
times compare; the table gives each run's parameter count, training time and the
held-out loss at the end and at the first metrics row past each whole minute.
"""

import argparse
import csv
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui_charrnn.checkpoint import load_checkpoint
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.storage import load_latest_checkpoint


def settings_of(flags: list[str]) -> Hyperparams:
    given = {}
    for i in range(0, len(flags) - 1, 2):
        given[flags[i].lstrip("-").replace("-", "_")] = flags[i + 1]
    return Hyperparams.for_model(**given)


def race_one(corpus: str, flags: list[str], chars: float, work: Path) -> dict:
    hp = settings_of(flags)
    iters = math.ceil(chars / (hp.seq_length * hp.batch_size))
    runs = work / f"runs{len(list(work.iterdir()))}"
    cmd = [sys.executable, "-m", "tui_charrnn", "train", corpus, "--iters", str(iters)]
    cmd += ["--runs-dir", str(runs), "--autosave", "0", *flags]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", os.environ.get("RACE_CORE", "0"), *cmd]
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", COLUMNS="100")
    subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    folder = next(p for p in runs.iterdir() if p.is_dir())
    ckpt, _ = load_latest_checkpoint(folder)
    with open(folder / "metrics.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["val_loss"]]
    minutes = {}
    for r in rows:
        m = int(float(r["elapsed_s"]) // 60)
        if m >= 1 and m not in minutes:
            minutes[m] = float(r["val_loss"])
    return {
        "config": " ".join(flags),
        "net": ckpt.net.describe(),
        "params": load_checkpoint(ckpt.path).params().flat.size,
        "iters": iters,
        "seconds": float(rows[-1]["elapsed_s"]) if rows else float("nan"),
        "final": float(rows[-1]["val_loss"]) if rows else float("nan"),
        "per_minute": minutes,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--chars", type=float, default=5e6)
    ap.add_argument("--config", action="append", required=True)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [race_one(args.corpus, c.split(), args.chars, Path(tmp)) for c in args.config]
    print(f"corpus {args.corpus}, {args.chars:,.0f} training characters each, one core")
    print(f"{'config':44} {'net':12} {'params':>8} {'s':>6} {'held-out':>9}  at minutes 1, 2, ...")
    for r in results:
        mins = ", ".join(f"{v:.3f}" for _, v in sorted(r["per_minute"].items()))
        print(
            f"{r['config']:44} {r['net']:12} {r['params']:8,} {r['seconds']:6.0f}"
            f" {r['final']:9.3f}  {mins}"
        )
    base = results[0]["final"]
    for r in results[1:]:
        print(f"{r['config']}: {base - r['final']:+.3f} nats/char below {results[0]['config']}")


if __name__ == "__main__":
    main()

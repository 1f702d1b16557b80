"""kill -9 a process while it saves checkpoints, again and again; the file must always load.

    python tests/bench/kill_checkpoints.py [--kills 200] [--mode file|run] [--seed 0]

A worker process imports numpy once, then for each round forks a child that saves
checkpoints in a tight loop (storage.save_checkpoint to one path, or RunFolder with
rotation in --mode run). Each saved state has every parameter, Adagrad memory entry,
hidden state value and the smooth loss equal to its iteration n, so a torn or mixed file
is caught. The parent SIGKILLs the child at a random moment, then checks that the newest
checkpoint loads, is consistent, and never goes back in time. tests/test_faults.py runs
the same with fewer kills.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

TEXT = "kill -9 at random moments; the checkpoint must survive. " * 4


def _session():
    from tui_charrnn.corpus import Corpus
    from tui_charrnn.hparams import Hyperparams
    from tui_charrnn.session import Session

    return Session(Corpus.from_text(TEXT, "k"), Hyperparams(hidden_size=32, seq_length=8))


def _fill(session, n: int) -> None:
    session.params.flat[:] = n
    session.optimizer.mem.flat[:] = n
    session.hprev[...] = n
    session.smooth_loss = float(n)
    session.n = session.p = n


def _saver(path: Path, mode: str):
    from tui_charrnn.checkpoint import save_checkpoint
    from tui_charrnn.storage import RunFolder

    if mode == "run":
        folder = RunFolder(path, keep=3)
        return folder.save_checkpoint
    return lambda session: save_checkpoint(path, session)


def worker(path: Path, mode: str) -> None:
    """Save state 0, then per line on stdin (a start n) fork a child saving n, n+1, ..."""
    session = _session()
    save = _saver(path, mode)
    _fill(session, 0)
    save(session)
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "quit":
            break
        n = int(line)
        pid = os.fork()
        if pid == 0:  # the child: save until killed
            try:
                _fill(session, n)
                save(session)
                n += 1
                # only now may the kill come: a slow machine could otherwise kill the
                # child before it wrote anything, and the round would test nothing
                print(f"saving {os.getpid()}", flush=True)
                while True:
                    _fill(session, n)
                    save(session)
                    n += 1
            finally:
                os._exit(1)
        os.waitpid(pid, 0)
        print("dead", flush=True)


def load_newest(path: Path, mode: str):
    from tui_charrnn.checkpoint import load_checkpoint
    from tui_charrnn.storage import RunFolder

    if mode == "run":
        folder = RunFolder(path)
        ck, warnings = folder.load_latest()
        assert not warnings, warnings
        for p in folder.checkpoints():  # every kept file loads too
            check(load_checkpoint(p))
        return ck
    return load_checkpoint(path)


def check(ck) -> int:
    n = ck.n
    assert ck.p == n and ck.smooth_loss == float(n), (ck.path, n, ck.p, ck.smooth_loss)
    for name, arr in (*ck.arrays.items(), *ck.memories["m"].items(), ("hprev", ck.hprev)):
        assert (arr == n).all(), f"{ck.path}: {name} is not all {n}: torn or mixed file"
    return n


@dataclass
class Summary:
    kills: int
    saves: int  # iteration of the last checkpoint: states saved by the children
    went_back: int  # rounds whose checkpoint was older than the previous round's (must be 0)
    temp_files_left: int  # .tmp files left by killed writers (RunFolder removes them)
    seconds: float


def run_kills(kills: int, path: Path, mode: str = "file", seed: int = 0, max_delay=0.03):
    """Kill the saving child `kills` times; raise AssertionError on any bad checkpoint."""
    rng = random.Random(seed)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--worker", str(path), "--mode", mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        last = check(load_newest(path, mode))
        went_back = 0
        for _ in range(kills):
            proc.stdin.write(f"{last + 1}\n")
            proc.stdin.flush()
            pid = int(proc.stdout.readline().split()[1])  # "saving PID"
            time.sleep(rng.uniform(0, max_delay))
            os.kill(pid, signal.SIGKILL)
            assert proc.stdout.readline().strip() == "dead"
            n = check(load_newest(path, mode))
            went_back += n < last
            last = max(last, n)
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    folder = path if mode == "run" else path.parent
    temps = len(list(folder.glob(".*.tmp")))
    return Summary(kills, last, went_back, temps, time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--mode", choices=("file", "run"), default="file")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(Path(args.worker), args.mode)
        return
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("run" if args.mode == "run" else "checkpoint.npz")
        if args.mode == "run":
            path.mkdir()
        s = run_kills(args.kills, path, args.mode, args.seed)
    print(
        f"{s.kills} kills ({args.mode} mode) in {s.seconds:.1f} s: {s.saves} checkpoints saved,"
        f" every one loaded and consistent after every kill; went back in time: {s.went_back};"
        f" temp files left by killed writers: {s.temp_files_left}"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    np.seterr(all="ignore")
    main()

"""Shared by the charrnn-tui command tests: a corpus, running main(), the one run folder,
and a headless run in a subprocess that gets a signal."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from waiting import wait_for

from tui_charrnn.checkpoint import load_checkpoint
from tui_charrnn.cli import main

WORDS = "the fox and crow sat on a branch; said: why? Moral - look twice!\nA cat ran"


def make_text(n: int, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    words = WORDS.split(" ")
    out = []
    while sum(len(w) + 1 for w in out) < n:
        out.append(words[rng.integers(len(words))])
    return " ".join(out)[:n]


def run(argv) -> int:
    try:
        return main([str(a) for a in argv])
    except SystemExit as e:
        return e.code


def only_run(root: Path) -> Path:
    folders = [p for p in root.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def write_corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.txt"
    path.write_text(make_text(2000), encoding="utf-8")
    return path


def python_m(args, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "tui_charrnn", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def signal_headless_run(tmp_path, corpus_file, sig, settle_s, *flags):
    """Start a headless run, signal it once it has a run folder; returns (code, out, err)."""
    runs = tmp_path / "runs"
    proc = python_m(["--headless", corpus_file, "--runs-dir", runs, *flags])
    try:
        wait_for(lambda: any(runs.glob("*/settings.json")), poll=0.05, what="the run folder")
    except AssertionError:
        proc.kill()
        proc.communicate(timeout=30)
        raise
    time.sleep(settle_s)  # the signal comes this long into the run (not a check of anything)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert load_checkpoint(only_run(runs) / "checkpoint.npz").n > 0
    return proc.returncode, out, err


def seed_only_checkpoint(tmp_path, text: str):
    """What the original script can save: its five arrays and chars, nothing else."""
    rng = np.random.default_rng(42)
    chars = sorted(set(text))
    rng.shuffle(chars)
    V, H = len(chars), 100
    params = {
        "Wxh": rng.standard_normal((H, V)) * 0.01,
        "Whh": rng.standard_normal((H, H)) * 0.01,
        "Why": rng.standard_normal((V, H)) * 0.01,
        "bh": np.zeros((H, 1)),
        "by": np.zeros((V, 1)),
    }
    path = tmp_path / "init.npz"
    np.savez(path, **params, chars=np.array(chars))
    return path, params, chars

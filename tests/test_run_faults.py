"""Nothing lost under faults, headless, in subprocesses: a closed stdout pipe, stdout on a
full disk, SIGHUP, a run folder on a disk that fills, kill -9 at random moments and right
after a checkpoint lands. Every case is bounded in time."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import random
import resource
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from cli_helpers import python_m, signal_headless_run, write_corpus
from waiting import wait_for

from tui_charrnn.checkpoint import load_checkpoint
from tui_charrnn.metrics import METRICS_EVERY
from tui_charrnn.storage import RunFolder

CHEAP = ["--hidden-size", 16, "--sample-every", 20]


@pytest.fixture
def corpus_file(tmp_path):
    return write_corpus(tmp_path)


def folders(runs: Path) -> list[Path]:
    return sorted(p for p in runs.iterdir() if p.is_dir()) if runs.exists() else []


def test_closed_stdout_pipe_ends_the_run_quietly_after_saving(tmp_path, corpus_file):
    runs = tmp_path / "runs"
    proc = python_m(["--headless", corpus_file, "--runs-dir", runs, *CHEAP])  # until stopped
    proc.stdout.readline()  # like `| head -1`: read a line, then go away
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and err == ""
    (folder,) = folders(runs)
    assert load_checkpoint(folder / "checkpoint.npz").n > 0


def test_stdout_on_a_full_disk_never_stops_training_or_the_save(tmp_path, corpus_file):
    runs = tmp_path / "runs"
    argv = ["--headless", corpus_file, "--iters", 300, "--runs-dir", runs, *CHEAP]
    with open("/dev/full", "w") as full:  # every write fails with ENOSPC
        done = subprocess.run(
            [sys.executable, "-m", "tui_charrnn", *map(str, argv)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert done.returncode == 0 and "Traceback" not in done.stderr
    (folder,) = folders(runs)
    assert load_checkpoint(folder / "checkpoint.npz").n == 300


def test_sighup_saves_and_exits_129(tmp_path, corpus_file):
    code, out, err = signal_headless_run(tmp_path, corpus_file, signal.SIGHUP, 0.2, *CHEAP)
    assert code == 129, err
    assert "Traceback" not in err and "hung up at iteration" in out


def _limit_file_size(max_bytes: int):
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return limit


def test_a_disk_that_fills_is_reported_once_and_tears_no_line(tmp_path, corpus_file):
    """Files may not grow past 60 KB: the 100-unit checkpoints (~150 KB) never fit, the
    logs do for a while. One warning for the failing autosaves, the final failure said,
    exit code 1, and every line on disk whole."""
    runs = tmp_path / "runs"
    argv = ["--headless", corpus_file, "--iters", 4000, "--sample-every", 5, "--autosave", 0.05]
    done = subprocess.run(
        [sys.executable, "-m", "tui_charrnn", *map(str, argv), "--runs-dir", str(runs)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_file_size(60_000),
    )
    assert done.returncode == 1, done.stderr
    warnings = [line for line in done.stdout.splitlines() if line.startswith("warning:")]
    autosave = [w for w in warnings if "retrying" in w]
    assert len(autosave) == 1 and "nothing saved yet" in autosave[0]
    assert "final checkpoint could not be saved" in done.stderr
    assert "Traceback" not in done.stderr
    (folder,) = folders(runs)
    for name in ("samples.jsonl", "changes.jsonl"):
        path = folder / name
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                json.loads(line)  # whole lines only
    rows = (folder / "metrics.csv").read_text().splitlines()
    assert all(len(row.split(",")) == 7 for row in rows)


def _complete(folder: Path) -> int:
    """Check a run folder as a resume sees it; returns its checkpoint's iteration."""
    ckpt = load_checkpoint(folder / "checkpoint.npz")
    run = RunFolder(folder)
    rows = [m.iteration for m in run.read_metrics(ckpt.n)]
    # every metrics row the checkpoint covers is there, once, in order: none lost
    assert rows == list(range(0, ckpt.n, METRICS_EVERY)), (folder, ckpt.n, rows[-5:])
    samples = [s.iteration for s in run.read_samples(ckpt.n)]
    assert samples == list(range(0, ckpt.n, 20))
    return ckpt.n


@pytest.mark.slow
def test_kill_9_at_random_moments_and_right_after_a_checkpoint(tmp_path, corpus_file):
    """A chain of runs, each resuming the last folder and killed with SIGKILL: at seeded
    random moments, and once just as a new checkpoint appears. After every kill the
    folder loads and its history is complete up to its checkpoint."""
    rng = random.Random(7)
    runs = tmp_path / "runs"
    flags = [*CHEAP, "--autosave", 0.2, "--runs-dir", runs]
    target: Path | None = None
    iterations = []
    for kill in range(7):
        before = set(folders(runs))
        resume = ["--resume", target] if target is not None else []
        proc = python_m(["--headless", corpus_file, *resume, *flags])
        try:
            wait_for(lambda: set(folders(runs)) - before, 30, "the run folder")
            (new,) = set(folders(runs)) - before
            if kill == 3:  # aimed: the moment a second checkpoint lands
                wait_for(lambda: len(list(new.glob("checkpoint-*.npz"))) >= 2, 30, "saves")
            else:
                time.sleep(rng.uniform(0.0, 1.5))
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
        for folder in folders(runs):
            if (folder / "checkpoint.npz").exists():
                _complete(folder)
        if (new / "checkpoint.npz").exists():
            target = new
            iterations.append(_complete(new))
    assert len(iterations) >= 3 and iterations == sorted(iterations)


def _drain(fd: int, seconds: float) -> None:
    """Read what the app draws for a while (a terminal that is not read blocks it)."""
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.05))
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def test_closing_the_terminal_saves_the_app_run(tmp_path, corpus_file):
    """The app in a pseudo-terminal whose other end is closed, as when the terminal window
    or tmux session goes: SIGHUP, the run is saved, the process leaves (129)."""
    runs = tmp_path / "runs"
    argv = [sys.executable, "-m", "tui_charrnn", str(corpus_file), "--runs-dir", str(runs)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, with the pty as its controlling terminal
        os.execve(sys.executable, [*argv, "--hidden-size", "16"], {**os.environ, "TERM": "xterm"})
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

        def saved() -> list[Path]:
            _drain(fd, 0.1)  # the first save comes 2 s into the run
            return list(runs.glob("*/checkpoint-*.npz"))

        (first,) = wait_for(saved, 60, "the first checkpoint")
        first_n = load_checkpoint(first).n

        def trained_past_it() -> bool:  # metrics rows of later iterations (every 2 s)
            _drain(fd, 0.1)
            return any(row.iteration > first_n for row in RunFolder(first.parent).read_metrics())

        wait_for(trained_past_it, 60, "training past the first checkpoint")
    finally:
        os.close(fd)  # the terminal is gone

    def left() -> tuple[int, int] | None:
        done = os.waitpid(pid, os.WNOHANG)
        return done if done[0] else None

    try:
        done = wait_for(left, 60, "the app to leave after its terminal closed", poll=0.05)
    except AssertionError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    assert os.waitstatus_to_exitcode(done[1]) == 128 + signal.SIGHUP
    last = load_checkpoint(first.parent / "checkpoint.npz")
    assert last.n > load_checkpoint(first).n  # saved as it left, not only the autosave


def test_resume_cleans_litter_and_falls_back_past_a_folder_without_checkpoint(
    tmp_path, corpus_file, capsys
):
    from cli_helpers import run

    runs = tmp_path / "runs"
    assert run(["--headless", corpus_file, "--iters", 30, "--runs-dir", runs, *CHEAP]) == 0
    (first,) = folders(runs)
    old = time.time() - 3600  # left by a write killed an hour ago
    litter = first / ".checkpoint-31.npz.a1b2c3.tmp"
    litter.write_bytes(b"half a checkpoint")
    os.utime(litter, (old, old))
    fresh = first / ".settings.json.d4e5f6.tmp"  # as if being written right now: kept
    fresh.write_bytes(b"{")
    # a resumed run killed before its first save: settings.json, no checkpoint
    second = runs / "corpus-killed"
    second.mkdir()
    (second / "settings.json").write_text(
        json.dumps({"corpus": "corpus.txt", "resumed_from": str(first / "checkpoint-30.npz")})
    )
    capsys.readouterr()
    code = run(["--headless", "--resume", second, "--iters", 5, "--runs-dir", tmp_path / "b"])
    assert code == 0
    err = capsys.readouterr().err
    assert f"{second}: no checkpoint (it stopped before its first save); continuing" in err
    assert not litter.exists() and fresh.exists()
    (third,) = folders(tmp_path / "b")
    assert load_checkpoint(third / "checkpoint.npz").n == 35


def test_resume_with_an_empty_name_is_one_line(tmp_path, capsys):
    from cli_helpers import run

    assert run(["--headless", "--resume", "", "--runs-dir", tmp_path]) == 2
    err = capsys.readouterr().err
    assert err == (
        "charrnn-tui: error: --resume needs a run folder or a checkpoint file, not an empty name\n"
    )
    assert not list(tmp_path.iterdir())


def test_a_run_that_cannot_set_up_its_folder_leaves_none(tmp_path, corpus_file):
    """A disk so full that not even settings.json fits: no empty run folder is left."""
    runs = tmp_path / "runs"
    argv = ["--headless", corpus_file, "--iters", 200, "--runs-dir", runs, *CHEAP]
    done = subprocess.run(
        [sys.executable, "-m", "tui_charrnn", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_file_size(0),
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "could not be saved" in done.stderr
    assert folders(runs) == []

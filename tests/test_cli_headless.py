"""Headless runs of the charrnn-tui command: the run folder, a divergence rolled back,
save failures, and Ctrl-C / SIGTERM saving the run."""

import json
import os
import signal
import threading
import time

import numpy as np
import pytest
from cli_helpers import only_run, run, signal_headless_run, write_corpus
from waiting import wait_for

from tui_charrnn.checkpoint import load_checkpoint


@pytest.fixture
def corpus_file(tmp_path):
    return write_corpus(tmp_path)


def test_headless_run_writes_run_folder(tmp_path, corpus_file, capsys):
    runs = tmp_path / "runs"
    code = run(["--headless", corpus_file, "--iters", 50, "--sample-every", 20, "--runs-dir", runs])
    assert code == 0
    out = capsys.readouterr().out
    folder = only_run(runs)
    assert folder.name.startswith("corpus-")
    assert str(folder) in out
    ck = load_checkpoint(folder / "checkpoint.npz")
    assert ck.n == 50 and ck.hp.sample_every == 20 and "m" in ck.memories
    samples = (folder / "samples.txt").read_text("utf-8")
    assert "corpus: corpus.txt" in samples and "learning_rate: 0.1" in samples
    for it in (0, 20, 40):
        assert f"iteration {it}  loss " in samples
    lines = (folder / "metrics.csv").read_text().splitlines()
    assert lines[0] == "iteration,smooth_loss,loss,learning_rate,elapsed_s,chars_per_s,val_loss"
    # a row every 10 iterations, and the last iteration's with the final held-out loss
    assert [int(r.split(",")[0]) for r in lines[1:]] == [0, 10, 20, 30, 40, 49]
    assert float(lines[1].split(",")[6]) > 0  # validation is evaluated at the first row
    assert float(lines[-1].split(",")[6]) > 0
    assert (folder / "settings.json").is_file()


def test_huge_learning_rate_rolls_back_and_never_saves_nan(tmp_path, corpus_file, capsys):
    runs = tmp_path / "runs"
    argv = ["--headless", corpus_file, "--iters", 200, "--learning-rate", 1e6, "--runs-dir", runs]
    assert run([*argv, "--hidden-size", 20, "--sample-every", 10, "--autosave", 0.0001]) == 0
    out = capsys.readouterr().out
    assert "diverged at iteration" in out and "learning rate 1e+06 -> 500000" in out
    folder = only_run(runs)
    files = sorted(folder.glob("checkpoint*.npz"))
    assert len(files) >= 2
    for path in files:
        ck = load_checkpoint(path)  # refuses NaN/inf, so loading is the check
        assert ck.hp.learning_rate < 1e6
    rows = (folder / "metrics.csv").read_text().splitlines()[1:]
    assert rows and all("nan" not in r and "inf" not in r for r in rows)
    # no checkpoint is of an iteration that a rollback undid
    newest = load_checkpoint(folder / "checkpoint.npz").n
    assert all(load_checkpoint(path).n <= newest for path in files)


def test_rows_and_samples_past_a_rollback_are_dropped(tmp_path, corpus_file, capsys):
    """What a rollback undid is in no file: iterations in metrics.csv, samples.jsonl and
    samples.txt go strictly up, and changes.jsonl lists every halving of the rate."""
    runs = tmp_path / "runs"
    argv = ["--headless", corpus_file, "--iters", 80, "--learning-rate", 1e6, "--runs-dir", runs]
    assert run([*argv, "--hidden-size", 20, "--sample-every", 1, "--autosave", 0]) == 0
    out = capsys.readouterr().out
    assert "diverged at iteration" in out
    folder = only_run(runs)
    rows = (folder / "metrics.csv").read_text().splitlines()[1:]
    iterations = [int(r.split(",")[0]) for r in rows]
    assert iterations and iterations == sorted(set(iterations))
    text = (folder / "samples.txt").read_text("utf-8")
    heads = [int(line.split()[2]) for line in text.splitlines() if line.startswith("----- it")]
    assert heads and heads == sorted(set(heads))
    lines = (folder / "samples.jsonl").read_text("utf-8").splitlines()
    jsonl = [json.loads(line)["iteration"] for line in lines]
    assert jsonl == heads
    changes = [json.loads(line) for line in (folder / "changes.jsonl").read_text().splitlines()]
    halvings = out.count("diverged at iteration")
    assert halvings >= 10 and len(changes) == halvings
    lr = 1e6
    for c in changes:  # each halving, in order: 1e6 -> 5e5 -> ... (by hand)
        assert (c["name"], c["old"], c["new"]) == ("learning_rate", lr, lr / 2)
        lr /= 2
    settings = json.loads((folder / "settings.json").read_text())
    assert (
        settings["hparams"]["learning_rate"]
        == lr
        == load_checkpoint(folder / "checkpoint.npz").hp.learning_rate
    )


def test_save_failure_reports_and_training_continues(tmp_path, corpus_file, capsys, monkeypatch):
    import errno

    from tui_charrnn import run_folder, storage

    real = run_folder.save_checkpoint
    calls = []

    def flaky(path, session):  # the first save hits a full disk, the others go through
        calls.append(session.n)
        if len(calls) == 1:
            raise storage.CheckpointError(f"{path}: cannot write checkpoint: No space left")
        return real(path, session)

    monkeypatch.setattr(run_folder, "save_checkpoint", flaky)  # what RunFolder calls
    argv = ["--headless", corpus_file, "--iters", 40, "--hidden-size", 10, "--autosave", 1e-4]
    assert run([*argv, "--runs-dir", tmp_path]) == 0
    out = capsys.readouterr().out
    assert out.count("No space left") == 1  # said once, then retried less often
    assert "No space left; training continues, nothing saved yet (retrying)" in out
    assert load_checkpoint(only_run(tmp_path) / "checkpoint.npz").n == 40 and len(calls) >= 2

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(run_folder, "save_checkpoint", real)
    monkeypatch.setattr(np, "savez", full)
    assert run([*argv, "--runs-dir", tmp_path / "full"]) == 1
    captured = capsys.readouterr()
    assert "No space left on device; training continues" in captured.out
    assert "final checkpoint could not be saved" in captured.err
    assert not list((tmp_path / "full").glob("*/checkpoint*"))


def test_sigint_saves_and_exits_130(tmp_path, corpus_file, capsys):
    runs = tmp_path / "runs"

    returned = threading.Event()

    def interrupt():
        try:
            started = lambda: returned.is_set() or any(runs.glob("*/settings.json"))  # noqa: E731
            wait_for(started, poll=0.02, what="the run folder")
            time.sleep(0.3)  # Ctrl-C a little into the run (the checks follow it)
        finally:
            if not returned.is_set():  # never a run left going forever
                os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    code = run(["--headless", corpus_file, "--runs-dir", runs])  # no --iters: until Ctrl-C
    returned.set()
    out = capsys.readouterr().out
    assert code == 130
    folder = only_run(runs)
    assert "interrupted at iteration" in out and str(folder) in out
    ck = load_checkpoint(folder / "checkpoint.npz")
    assert ck.n > 0
    assert (folder / "samples.txt").is_file() and (folder / "metrics.csv").is_file()


def test_subprocess_sigint(tmp_path, corpus_file):
    code, out, err = signal_headless_run(tmp_path, corpus_file, signal.SIGINT, 0.5)
    assert code == 130, err
    assert "Traceback" not in err and "interrupted at iteration" in out


def test_subprocess_sigterm_saves_and_exits_143(tmp_path, corpus_file):
    code, out, err = signal_headless_run(
        tmp_path, corpus_file, signal.SIGTERM, 0.3, "--hidden-size", 10
    )
    assert code == 143, err
    assert "Traceback" not in err and "terminated at iteration" in out

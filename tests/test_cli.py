"""The charrnn-tui command: headless runs, resume exactness, bad inputs, Ctrl-C."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import reference

from tui_charrnn.checkpoint import load_checkpoint
from tui_charrnn.cli import main
from tui_charrnn.storage import RunFolder

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


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(make_text(2000), encoding="utf-8")
    return path


def test_headless_run_writes_run_folder(tmp_path, corpus_file, capsys):
    runs = tmp_path / "runs"
    code = run(["--headless", corpus_file, "--iters", 50, "--sample-every", 20, "--runs-dir", runs])
    assert code == 0
    out = capsys.readouterr().out
    folder = only_run(runs)
    assert folder.name.startswith("corpus-")
    assert str(folder) in out
    ck = load_checkpoint(folder / "checkpoint.npz")
    assert ck.n == 50 and ck.hp.sample_every == 20 and ck.mem is not None
    samples = (folder / "samples.txt").read_text("utf-8")
    assert "corpus: corpus.txt" in samples and "learning_rate: 0.1" in samples
    for it in (0, 20, 40):
        assert f"iteration {it}  loss " in samples
    lines = (folder / "metrics.csv").read_text().splitlines()
    assert lines[0] == "iteration,smooth_loss,loss,learning_rate,elapsed_s,chars_per_s,val_loss"
    assert [int(r.split(",")[0]) for r in lines[1:]] == [0, 10, 20, 30, 40]
    assert float(lines[1].split(",")[6]) > 0  # validation is evaluated at the first row
    assert (folder / "settings.json").is_file()


def test_resume_from_seed_weights_matches_original_script(tmp_path, corpus_file):
    """Weights saved by the original script (5 arrays + chars, in its own order) continue
    with exactly the seed's arithmetic: 120 iterations equal the reference's 120."""
    text = corpus_file.read_text("utf-8")
    rng = np.random.default_rng(42)
    chars = sorted(set(text))
    rng.shuffle(chars)
    assert chars != sorted(chars)
    V, H = len(chars), 100
    params = {
        "Wxh": rng.standard_normal((H, V)) * 0.01,
        "Whh": rng.standard_normal((H, H)) * 0.01,
        "Why": rng.standard_normal((V, H)) * 0.01,
        "bh": np.zeros((H, 1)),
        "by": np.zeros((V, 1)),
    }
    ckpt = tmp_path / "seed.npz"
    np.savez(ckpt, **params, chars=np.array(chars))
    runs = tmp_path / "runs"
    code = run(["--headless", corpus_file, "--resume", ckpt, "--iters", 120, "--runs-dir", runs])
    assert code == 0
    got = load_checkpoint(only_run(runs) / "checkpoint.npz")
    assert got.chars == chars and got.n == 120
    ix = {c: i for i, c in enumerate(chars)}
    ref_params, ref_mem, ref_h, ref_smooth, _ = reference.train(params, [ix[c] for c in text], 120)
    for k, ref in ref_params.items():
        assert got.arrays[k].dtype == np.float64
        np.testing.assert_allclose(got.arrays[k].reshape(ref.shape), ref, rtol=1e-9, atol=0)
        np.testing.assert_allclose(got.mem[k].reshape(ref.shape), ref_mem[k], rtol=1e-9, atol=0)
    np.testing.assert_allclose(got.hprev.reshape(H, 1), ref_h, rtol=1e-9, atol=0)
    assert got.smooth_loss == pytest.approx(ref_smooth, rel=1e-12)
    assert np.array_equal(got.arrays["Wxh"], ref_params["Wxh"])  # in fact bit for bit


@pytest.mark.parametrize("batch", [1, 4])
def test_resume_equals_straight_run(tmp_path, corpus_file, batch):
    common = ["--headless", corpus_file, "--batch-size", batch, "--sample-every", 7]
    assert run([*common, "--iters", 50, "--runs-dir", tmp_path / "a"]) == 0
    first = only_run(tmp_path / "a") / "checkpoint.npz"
    assert run([*common, "--resume", first, "--iters", 30, "--runs-dir", tmp_path / "b"]) == 0
    assert run([*common, "--iters", 80, "--runs-dir", tmp_path / "c"]) == 0
    resumed = load_checkpoint(only_run(tmp_path / "b") / "checkpoint.npz")
    straight = load_checkpoint(only_run(tmp_path / "c") / "checkpoint.npz")
    for k in straight.arrays:
        assert np.array_equal(resumed.arrays[k], straight.arrays[k]), k
        assert np.array_equal(resumed.mem[k], straight.mem[k]), k
    assert np.array_equal(resumed.hprev, straight.hprev) and resumed.hprev.shape == (batch, 100)
    assert (resumed.n, resumed.p) == (straight.n, straight.p) == (80, straight.p)
    assert resumed.smooth_loss == straight.smooth_loss
    assert resumed.rng_state == straight.rng_state
    tail = (only_run(tmp_path / "b") / "samples.txt").read_text().split("----- iteration 56")[1]
    assert tail in (only_run(tmp_path / "c") / "samples.txt").read_text()


BAD_FLAGS = [
    ("--learning-rate", "0", "must be > 0"),
    ("--learning-rate", "-1", "must be > 0"),
    ("--learning-rate", "nan", "must be a finite number"),
    ("--learning-rate", "inf", "must be a finite number"),
    ("--learning-rate", "fast", "must be a number"),
    ("--hidden-size", "0", "must be >= 1"),
    ("--hidden-size", "1e9", "must be <= 2048"),
    ("--seq-length", "2.5", "must be a whole number"),
    ("--batch-size", "-4", "must be >= 1"),
    ("--clip", "0", "must be > 0"),
    ("--seed", "-1", "must be >= 0"),
    ("--temperature", "-0.5", "must be >= 0"),
    ("--sample-length", "abc", "must be a whole number"),
    ("--sample-every", "0", "must be >= 1"),
    ("--dtype", "float16", "must be one of float64, float32"),
    ("--iters", "0", "must be between 1 and 10^12"),
]


@pytest.mark.parametrize("flag,value,message", BAD_FLAGS)
def test_bad_flags_exit_2_with_reason(tmp_path, capsys, flag, value, message):
    code = run(["--headless", "--runs-dir", tmp_path, f"{flag}={value}"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("usage: charrnn-tui")
    assert f"charrnn-tui: error: argument {flag}: {message}" in err
    assert "Traceback" not in err
    assert not any(tmp_path.iterdir())


def _bad_corpora(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.dat").write_bytes(b"abc\x00def" * 10)
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait\n".encode("latin-1") * 10)
    (tmp_path / "short.txt").write_text("tiny text")
    (tmp_path / "folder").mkdir()
    return [
        ("nosuchcorpus", "no corpus named 'nosuchcorpus'"),
        (tmp_path / "empty.txt", "the file is empty"),
        (tmp_path / "bin.dat", "binary file (NUL byte at offset 3"),
        (tmp_path / "latin1.txt", "not valid UTF-8 (byte 0xe9 at offset 3, line 1)"),
        (tmp_path / "short.txt", "too short"),
        (tmp_path / "folder", "is a directory"),
    ]


def test_bad_corpus_one_line_exit_2(tmp_path, capsys):
    for corpus, message in _bad_corpora(tmp_path):
        code = run(["--headless", corpus, "--runs-dir", tmp_path / "runs", "--iters", 5])
        err = capsys.readouterr().err
        assert code == 2, corpus
        assert err.startswith("charrnn-tui: error: ") and message in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "runs").exists()


def test_batch_too_big_for_corpus(tmp_path, corpus_file, capsys):
    code = run(["--headless", corpus_file, "--batch-size", 100, "--runs-dir", tmp_path / "r"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("charrnn-tui: error: ") and "too short" in err
    assert "100 streams x 26" in err and err.count("\n") == 1


def test_bad_checkpoints(tmp_path, corpus_file, capsys):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip at all" * 10)
    other = tmp_path / "other.npz"  # a vocabulary lacking characters of the corpus
    np.savez(
        other,
        Wxh=np.zeros((4, 2)),
        Whh=np.zeros((4, 4)),
        Why=np.zeros((2, 4)),
        bh=np.zeros((4, 1)),
        by=np.zeros((2, 1)),
        chars=np.array(["t", "h"]),
    )
    cases = [
        (tmp_path / "missing.npz", "no such file"),
        (garbage, "not a checkpoint (.npz) file"),
        (other, "characters outside the vocabulary"),
    ]
    for ckpt, message in cases:
        code = run(["--headless", corpus_file, "--resume", ckpt, "--runs-dir", tmp_path / "r"])
        err = capsys.readouterr().err
        assert code == 2
        assert err.startswith("charrnn-tui: error: ") and message in err, err
        assert str(ckpt) in err and err.count("\n") == 1


def test_resume_conflicting_hidden_size(tmp_path, corpus_file, capsys):
    assert run(["--headless", corpus_file, "--iters", 2, "--runs-dir", tmp_path / "a"]) == 0
    ckpt = only_run(tmp_path / "a") / "checkpoint.npz"
    capsys.readouterr()
    code = run(["--headless", "--resume", ckpt, "--hidden-size", 50, "--runs-dir", tmp_path])
    assert code == 2
    assert "hidden size 100, not 50" in capsys.readouterr().err


def test_resume_finds_corpus_from_run_folder(tmp_path, corpus_file):
    assert run(["--headless", corpus_file, "--iters", 3, "--runs-dir", tmp_path / "a"]) == 0
    ckpt = only_run(tmp_path / "a") / "checkpoint.npz"
    assert run(["--headless", "--resume", ckpt, "--iters", 2, "--runs-dir", tmp_path / "b"]) == 0
    assert load_checkpoint(only_run(tmp_path / "b") / "checkpoint.npz").n == 5


def test_list_corpora(capsys):
    assert run(["--list-corpora"]) == 0
    out = capsys.readouterr().out
    assert "fables (default)" in out and "stdlib" in out


def test_sigint_saves_and_exits_130(tmp_path, corpus_file, capsys):
    runs = tmp_path / "runs"

    def interrupt():
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if any(runs.glob("*/settings.json")):
                time.sleep(0.3)
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.02)

    threading.Thread(target=interrupt, daemon=True).start()
    code = run(["--headless", corpus_file, "--runs-dir", runs])  # no --iters: until Ctrl-C
    out = capsys.readouterr().out
    assert code == 130
    folder = only_run(runs)
    assert "interrupted at iteration" in out and str(folder) in out
    ck = load_checkpoint(folder / "checkpoint.npz")
    assert ck.n > 0
    assert (folder / "samples.txt").is_file() and (folder / "metrics.csv").is_file()


def _python_m(args, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "tui_charrnn", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_subprocess_errors_have_no_traceback(tmp_path):
    for args in (
        ["--headless", tmp_path / "missing.txt"],
        ["--headless", "--learning-rate", "nan"],
        ["--headless", "fables", "--resume", tmp_path / "missing.npz"],
    ):
        proc = _python_m([*args, "--runs-dir", tmp_path / "runs"])
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2, (args, err)
        assert "charrnn-tui: error:" in err and "Traceback" not in err


def _signal_headless_run(tmp_path, corpus_file, sig, settle_s, *flags):
    """Start a headless run, signal it once it has a run folder; returns (code, out, err)."""
    runs = tmp_path / "runs"
    proc = _python_m(["--headless", corpus_file, "--runs-dir", runs, *flags])
    deadline = time.monotonic() + 30
    while not any(runs.glob("*/settings.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(settle_s)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert load_checkpoint(only_run(runs) / "checkpoint.npz").n > 0
    return proc.returncode, out, err


def test_subprocess_sigint(tmp_path, corpus_file):
    code, out, err = _signal_headless_run(tmp_path, corpus_file, signal.SIGINT, 0.5)
    assert code == 130, err
    assert "Traceback" not in err and "interrupted at iteration" in out


def test_without_headless_launches_the_app(monkeypatch, tmp_path):
    import types

    seen = {}
    fake = types.ModuleType("tui_charrnn.app")
    fake.run_app = lambda args: seen.setdefault("args", args) and 0
    monkeypatch.setitem(sys.modules, "tui_charrnn.app", fake)
    assert run(["toy_code", "--learning-rate", "0.05", "--runs-dir", tmp_path]) == 0
    args = seen["args"]
    assert args.corpus_name == "toy_code" and args.corpus_path.name == "toy_code.txt"
    assert args.hp_overrides == {"learning_rate": 0.05} and args.resume is None
    assert args.runs_dir == str(tmp_path)


def test_help_lists_every_setting(capsys):
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    for flag in (
        "--hidden-size",
        "--seq-length",
        "--learning-rate",
        "--batch-size",
        "--clip",
        "--seed",
        "--temperature",
        "--sample-length",
        "--sample-every",
        "--dtype",
        "--iters",
        "--runs-dir",
        "--resume",
        "--list-corpora",
        "--headless",
    ):
        assert flag in out


def test_huge_learning_rate_rolls_back_and_never_saves_nan(tmp_path, corpus_file, capsys):
    runs = tmp_path / "runs"
    argv = ["--headless", corpus_file, "--iters", 60, "--learning-rate", 1e6, "--runs-dir", runs]
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


def test_resume_run_folder_inherits_history(tmp_path, corpus_file, capsys):
    a = tmp_path / "a"
    argv = ["--iters", 30, "--sample-every", 10, "--hidden-size", 20, "--autosave", 1e-4]
    assert run(["--headless", corpus_file, *argv, "--runs-dir", a]) == 0
    first = only_run(a)
    assert [s.iteration for s in RunFolder(first).read_samples()] == [0, 10, 20]
    assert sorted(p.name for p in first.glob("checkpoint-*")) == [
        "checkpoint-28.npz",
        "checkpoint-29.npz",
        "checkpoint-30.npz",
    ]
    # corrupted in place (checkpoint.npz is a hard link to checkpoint-30.npz: both are hit)
    (first / "checkpoint.npz").write_bytes(b"PK\x03\x04 torn by a crash")
    capsys.readouterr()
    assert run(["--headless", "--resume", first, *argv, "--runs-dir", tmp_path / "b"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {first / 'checkpoint.npz'}: " in err and "falling back" in err
    second = RunFolder(only_run(tmp_path / "b"))
    assert load_checkpoint(second.checkpoint_path).n == 59
    assert [s.iteration for s in second.read_samples()] == [0, 10, 20, 30, 40, 50]
    assert [m.iteration for m in second.read_metrics()] == [0, 10, 20, 30, 40, 50]
    assert second.read_settings()["resumed_from"].endswith("checkpoint-29.npz")


def test_resume_when_the_corpus_changed(tmp_path, corpus_file, capsys):
    argv = ["--iters", 2, "--hidden-size", 10]
    assert run(["--headless", corpus_file, *argv, "--runs-dir", tmp_path / "a"]) == 0
    folder = only_run(tmp_path / "a")
    text = corpus_file.read_text("utf-8")
    corpus_file.write_text(text[::-1], encoding="utf-8")  # same characters, new text
    capsys.readouterr()
    assert run(["--headless", "--resume", folder, *argv, "--runs-dir", tmp_path / "b"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "changed since this run was saved" in err
    assert str(corpus_file) in err
    corpus_file.write_text(text + " Zebra€", encoding="utf-8")  # no longer fits
    assert run(["--headless", "--resume", folder, *argv, "--runs-dir", tmp_path / "c"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "outside the vocabulary" in err and "'€'" in err
    assert "start a new run" in err
    corpus_file.unlink()
    assert run(["--headless", "--resume", folder, *argv, "--runs-dir", tmp_path / "d"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{corpus_file}: the corpus of this run is gone" in err


def test_save_failure_reports_and_training_continues(tmp_path, corpus_file, capsys, monkeypatch):
    import errno

    from tui_charrnn import storage

    real = storage.save_checkpoint
    calls = []

    def flaky(path, session):
        calls.append(session.n)
        if session.n % 2:
            raise storage.CheckpointError(f"{path}: cannot write checkpoint: No space left")
        return real(path, session)

    monkeypatch.setattr(storage, "save_checkpoint", flaky)
    argv = ["--headless", corpus_file, "--iters", 40, "--hidden-size", 10, "--autosave", 1e-4]
    assert run([*argv, "--runs-dir", tmp_path]) == 0
    out = capsys.readouterr().out
    assert "No space left; training continues, the previous checkpoint is kept" in out
    assert load_checkpoint(only_run(tmp_path) / "checkpoint.npz").n == 40 and len(calls) > 10

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "save_checkpoint", real)
    monkeypatch.setattr(np, "savez", full)
    assert run([*argv, "--runs-dir", tmp_path / "full"]) == 1
    captured = capsys.readouterr()
    assert "No space left on device; training continues" in captured.out
    assert "final checkpoint could not be saved" in captured.err
    assert not list((tmp_path / "full").glob("*/checkpoint*"))


def test_subprocess_sigterm_saves_and_exits_143(tmp_path, corpus_file):
    code, out, err = _signal_headless_run(
        tmp_path, corpus_file, signal.SIGTERM, 0.3, "--hidden-size", 10
    )
    assert code == 143, err
    assert "Traceback" not in err and "terminated at iteration" in out

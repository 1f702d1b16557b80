"""The command line and the held-out split: --val-fraction, what headless prints, and
resuming files that store no val_fraction (the original script's) on the whole text."""

from __future__ import annotations

import json

import numpy as np
import pytest
import reference
from cli_helpers import make_text, only_run, run, seed_only_checkpoint

from tui_charrnn.checkpoint import load_checkpoint


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(make_text(2000), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "value,message",
    [
        ("-0.1", "must be >= 0"),
        ("0.5", "must be < 0.5"),
        ("1", "must be < 0.5"),
        ("nan", "must be a finite number"),
        ("lots", "must be a number"),
    ],
)
def test_bad_val_fraction_exits_2_with_reason(tmp_path, capsys, value, message):
    code = run(["--headless", "--runs-dir", tmp_path, f"--val-fraction={value}"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("usage: charrnn-tui")
    assert f"argument --val-fraction: {message}" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_headless_prints_validation_and_records_it(tmp_path, corpus_file, capsys):
    runs = tmp_path / "runs"
    assert run(["--headless", corpus_file, "--iters", 40, "--runs-dir", runs]) == 0
    out = capsys.readouterr().out
    assert "validation: the last 200 characters held out of training" in out
    assert "iter 1: validation " in out and "nats/char on 200 held-out chars" in out
    assert "validation at iteration 40: " in out and "; best " in out  # the end summary
    folder = only_run(runs)
    assert load_checkpoint(folder / "checkpoint.npz").hp.val_fraction == 0.1
    first = (folder / "metrics.csv").read_text().splitlines()[1].split(",")
    assert first[0] == "0" and float(first[6]) > 0


def test_headless_without_a_split_says_validation_is_off(tmp_path, corpus_file, capsys):
    args = ["--headless", corpus_file, "--iters", 20, "--val-fraction", 0, "--runs-dir", tmp_path]
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "validation: off (val_fraction 0" in out and "validation at iteration" not in out


def test_seed_only_resume_holds_nothing_out_and_matches_the_seed(tmp_path, corpus_file, capsys):
    text = corpus_file.read_text("utf-8")
    ckpt, params, chars = seed_only_checkpoint(tmp_path, text)
    runs = tmp_path / "runs"
    assert (
        run(["--headless", corpus_file, "--resume", ckpt, "--iters", 120, "--runs-dir", runs]) == 0
    )
    captured = capsys.readouterr()
    assert (
        "stores no val_fraction" in captured.err
        and "continuing with val_fraction 0" in captured.err
    )
    assert "validation: off (val_fraction 0" in captured.out
    got = load_checkpoint(only_run(runs) / "checkpoint.npz")
    assert got.hp.val_fraction == 0 and got.n == 120
    ix = {c: i for i, c in enumerate(chars)}
    ref_params, ref_mem, ref_h, ref_smooth, _ = reference.train(params, [ix[c] for c in text], 120)
    for k, ref in ref_params.items():  # the whole text, as the original script: bit for bit
        assert np.array_equal(got.arrays[k].reshape(ref.shape), ref), k
        assert np.array_equal(got.memories["m"][k].reshape(ref.shape), ref_mem[k]), k
    assert np.array_equal(got.hprev.reshape(ref_h.shape), ref_h)
    assert got.smooth_loss == ref_smooth


def test_seed_only_resume_with_an_explicit_split(tmp_path, corpus_file, capsys):
    ckpt, _, _ = seed_only_checkpoint(tmp_path, corpus_file.read_text("utf-8"))
    args = ["--headless", corpus_file, "--resume", ckpt, "--val-fraction", 0.2]
    assert run([*args, "--iters", 5, "--runs-dir", tmp_path / "runs"]) == 0
    captured = capsys.readouterr()
    assert "stores no val_fraction" not in captured.err
    assert "the last 400 characters held out" in captured.out
    assert load_checkpoint(only_run(tmp_path / "runs") / "checkpoint.npz").hp.val_fraction == 0.2


def test_old_run_folder_resumes_on_the_whole_text(tmp_path, corpus_file, capsys):
    """A run saved before val_fraction existed: hyperparameters without it, a six-column
    metrics.csv. It resumes, trained on the whole text as before, with its history."""
    args = ["--headless", corpus_file, "--val-fraction", 0, "--iters", 30]
    assert run([*args, "--runs-dir", tmp_path / "a"]) == 0
    old = only_run(tmp_path / "a")
    ckpt = old / "checkpoint.npz"
    with np.load(ckpt) as z:
        data = {k: z[k] for k in z.files}
    hp = json.loads(str(data["hparams"]))
    del hp["val_fraction"]
    data["hparams"] = np.array(json.dumps(hp))
    (old / "checkpoint.npz").unlink()
    np.savez(ckpt, **data)
    rows = (old / "metrics.csv").read_text().splitlines()
    (old / "metrics.csv").write_text("\n".join(r.rsplit(",", 1)[0] for r in rows) + "\n")
    capsys.readouterr()
    assert run(["--headless", "--resume", old, "--iters", 20, "--runs-dir", tmp_path / "b"]) == 0
    assert "continuing with val_fraction 0" in capsys.readouterr().err
    new = only_run(tmp_path / "b")
    resumed = load_checkpoint(new / "checkpoint.npz")
    assert resumed.hp.val_fraction == 0 and resumed.n == 50
    lines = (new / "metrics.csv").read_text().splitlines()
    assert lines[0].endswith(",val_loss")
    assert [int(r.split(",")[0]) for r in lines[1:]] == [0, 10, 20, 30, 40]
    assert assert_straight(tmp_path, corpus_file, resumed)


def assert_straight(tmp_path, corpus_file, resumed) -> bool:
    """The resumed run equals 50 straight iterations on the whole text."""
    args = ["--headless", corpus_file, "--val-fraction", 0, "--iters", 50]
    assert run([*args, "--runs-dir", tmp_path / "c"]) == 0
    straight = load_checkpoint(only_run(tmp_path / "c") / "checkpoint.npz")
    return all(np.array_equal(resumed.arrays[k], straight.arrays[k]) for k in straight.arrays)

"""Resuming with the charrnn-tui command: exactness against the seed and a straight run,
bad checkpoints, the corpus found from or changed since the run folder, inherited history."""

import numpy as np
import pytest
import reference
from cli_helpers import only_run, run, seed_only_checkpoint, write_corpus

from tui_charrnn.checkpoint import load_checkpoint
from tui_charrnn.opening import open_run
from tui_charrnn.storage import RunFolder


@pytest.fixture
def corpus_file(tmp_path):
    return write_corpus(tmp_path)


def test_resume_from_seed_weights_matches_original_script(tmp_path, corpus_file):
    """Weights saved by the original script (5 arrays + chars, in its own order) continue
    with exactly the seed's arithmetic: 120 iterations equal the reference's 120."""
    text = corpus_file.read_text("utf-8")
    ckpt, params, chars = seed_only_checkpoint(tmp_path, text)
    assert chars != sorted(chars)
    H = 100
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
        mem = got.memories["m"][k].reshape(ref.shape)
        np.testing.assert_allclose(mem, ref_mem[k], rtol=1e-9, atol=0)
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
        assert np.array_equal(resumed.memories["m"][k], straight.memories["m"][k]), k
    assert np.array_equal(resumed.hprev, straight.hprev) and resumed.hprev.shape == (batch, 100)
    assert (resumed.n, resumed.p) == (straight.n, straight.p) == (80, straight.p)
    assert resumed.smooth_loss == straight.smooth_loss
    assert resumed.rng_state == straight.rng_state
    tail = (only_run(tmp_path / "b") / "samples.txt").read_text().split("----- iteration 56")[1]
    assert tail in (only_run(tmp_path / "c") / "samples.txt").read_text()


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


def test_resume_run_folder_inherits_history(tmp_path, corpus_file, capsys):
    a = tmp_path / "a"
    argv = ["--sample-every", 10, "--hidden-size", 20]
    assert run(["--headless", corpus_file, "--iters", 29, *argv, "--runs-dir", a]) == 0
    first = only_run(a)
    assert [s.iteration for s in RunFolder(first).read_samples()] == [0, 10, 20]
    later = open_run(resume=first).session  # one more iteration, saved in the same folder
    later.step()
    RunFolder(first).save_checkpoint(later)
    assert sorted(p.name for p in first.glob("checkpoint-*")) == [
        "checkpoint-29.npz",
        "checkpoint-30.npz",
    ]
    # corrupted in place (checkpoint.npz is a hard link to checkpoint-30.npz: both are hit)
    (first / "checkpoint.npz").write_bytes(b"PK\x03\x04 torn by a crash")
    capsys.readouterr()
    argv += ["--iters", 30]
    assert run(["--headless", "--resume", first, *argv, "--runs-dir", tmp_path / "b"]) == 0
    err = capsys.readouterr().err
    assert f"warning: {first / 'checkpoint.npz'}: " in err and "falling back" in err
    second = RunFolder(only_run(tmp_path / "b"))
    assert load_checkpoint(second.checkpoint_path).n == 59
    assert [s.iteration for s in second.read_samples()] == [0, 10, 20, 30, 40, 50]
    # each run's last iteration has a row too (its final held-out loss): 28 is the first's
    assert [m.iteration for m in second.read_metrics()] == [0, 10, 20, 28, 30, 40, 50, 58]
    assert second.read_settings()["resumed_from"].endswith("checkpoint-29.npz")
    elapsed = [m.elapsed_s for m in second.read_metrics()]
    assert elapsed == sorted(elapsed) and elapsed[3] >= elapsed[2] > 0  # the clock goes on


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

"""Checkpoints: round trip, atomic writes, validation of bad files, run folders."""

import errno
import json
import os
import zipfile

import numpy as np
import pytest

from tui_charrnn import storage
from tui_charrnn.corpus import Corpus
from tui_charrnn.events import Sample
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.session import Session
from tui_charrnn.storage import (
    CheckpointError,
    RunFolder,
    load_checkpoint,
    save_checkpoint,
    session_from_checkpoint,
)

TEXT = "the quick brown fox jumps over the lazy dog. " * 40


def trained(batch=1, iters=20, dtype="float64"):
    s = Session(
        Corpus.from_text(TEXT, "t"), Hyperparams(batch_size=batch, hidden_size=16, dtype=dtype)
    )
    for _ in range(iters):
        s.step(want_sample=True)
    return s


def seed_arrays(V=5, H=4, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "Wxh": rng.standard_normal((H, V)) * 0.01,
        "Whh": rng.standard_normal((H, H)) * 0.01,
        "Why": rng.standard_normal((V, H)) * 0.01,
        "bh": np.zeros((H, 1)),
        "by": np.zeros((V, 1)),
    }


@pytest.mark.parametrize("batch,dtype", [(1, "float64"), (3, "float64"), (2, "float32")])
def test_round_trip_continues_identically(tmp_path, batch, dtype):
    s = trained(batch, dtype=dtype)
    path = tmp_path / "c.npz"
    save_checkpoint(path, s)
    with np.load(path) as z:
        assert z["bh"].shape == (16, 1) and z["by"].shape == (s.corpus.V, 1)
        assert z["mWhh"].shape == (16, 16) and z["hprev"].shape == (batch, 16)
        assert z["chars"].dtype.kind == "U" and int(z["format"]) == 1
        assert json.loads(str(z["hparams"]))["batch_size"] == batch
    ck = load_checkpoint(path)
    assert ck.path == path and ck.chars == s.corpus.chars and (ck.n, ck.p) == (s.n, s.p)
    s2 = session_from_checkpoint(ck, Corpus.from_text(TEXT, "t", chars=ck.chars))
    assert s2.params.dtype == np.dtype(dtype) and s2.hp == s.hp
    for _ in range(15):
        a, b = s.step(True), s2.step(True)
        assert a == b
    assert np.array_equal(s.params.flat, s2.params.flat)
    assert np.array_equal(s.adagrad.mem.flat, s2.adagrad.mem.flat)
    assert np.array_equal(s.hprev, s2.hprev) and s.smooth_loss == s2.smooth_loss


def test_overrides_apply_live_settings(tmp_path):
    s = trained()
    save_checkpoint(tmp_path / "c.npz", s)
    ck = load_checkpoint(tmp_path / "c.npz")
    s2 = session_from_checkpoint(ck, s.corpus, {"learning_rate": 0.05, "temperature": 0.5})
    assert s2.hp.learning_rate == 0.05 and s2.hp.temperature == 0.5 and s2.n == s.n


def test_seed_only_file_loads(tmp_path):
    path = tmp_path / "seed.npz"
    np.savez(path, **seed_arrays(), chars=np.array(list("dcbae")))
    ck = load_checkpoint(path)
    assert ck.mem is None and ck.hprev is None and ck.hp is None and ck.rng_state is None
    assert (ck.n, ck.p, ck.smooth_loss) == (0, 0, None) and ck.chars == list("dcbae")
    corpus = Corpus.from_text("abcde" * 20, "x", chars=ck.chars)
    s = session_from_checkpoint(ck, corpus)
    assert s.hp.hidden_size == 4 and s.hp.seq_length == 25 and s.hp.dtype == "float64"
    assert s.smooth_loss == pytest.approx(25 * np.log(5))
    assert np.array_equal(s.params.Wxh, ck.arrays["Wxh"])
    s.step()


def test_vocabulary_mismatch(tmp_path):
    path = tmp_path / "seed.npz"
    np.savez(path, **seed_arrays(), chars=np.array(list("abcde")))
    ck = load_checkpoint(path)
    with pytest.raises(CheckpointError, match=r"characters not in the checkpoint's vocab.*'z'"):
        session_from_checkpoint(ck, Corpus.from_text("abcdez" * 20, "x"))
    with pytest.raises(CheckpointError, match="not loaded with the checkpoint's vocabulary"):
        session_from_checkpoint(ck, Corpus.from_text("abcde" * 20, "x", chars=list("edcba")))


def test_save_failure_keeps_previous_file(tmp_path, monkeypatch):
    s = trained()
    path = tmp_path / "c.npz"
    save_checkpoint(path, s)
    before = path.read_bytes()
    s.step()

    def boom(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    for target in ("savez", "replace"):
        with monkeypatch.context() as m:
            m.setattr(np if target == "savez" else os, target, boom)
            with pytest.raises(CheckpointError) as e:
                save_checkpoint(path, s)
        assert str(path) in str(e.value) and "No space left on device" in str(e.value)
        assert path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["c.npz"]
    assert load_checkpoint(path).n == 20


def test_interrupt_mid_write_cleans_up(tmp_path, monkeypatch):
    s = trained()
    path = tmp_path / "c.npz"
    save_checkpoint(path, s)

    def interrupted(f, **arrays):
        f.write(b"PK partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(path, s)
    assert [p.name for p in tmp_path.iterdir()] == ["c.npz"]
    monkeypatch.undo()
    assert load_checkpoint(path).n == 20


def test_unwritable_folder(tmp_path, monkeypatch):
    s = trained()
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder")
    with pytest.raises(CheckpointError, match="cannot write checkpoint"):
        save_checkpoint(blocker / "c.npz", s)

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(storage.tempfile, "mkstemp", denied)
    with pytest.raises(CheckpointError, match=r"c\.npz: cannot write checkpoint: Permission"):
        save_checkpoint(tmp_path / "c.npz", s)


def _rewrite(src, dst, **changes):
    with np.load(src) as z:
        data = {k: z[k] for k in z.files}
    data.update(changes)
    for k, v in list(data.items()):
        if v is None:
            del data[k]
    np.savez(dst, **data)
    return dst


def test_bad_files(tmp_path):
    good = tmp_path / "good.npz"
    save_checkpoint(good, trained())
    raw = good.read_bytes()
    (tmp_path / "trunc.npz").write_bytes(raw[: len(raw) // 2])
    (tmp_path / "text.npz").write_text("hello")
    with zipfile.ZipFile(tmp_path / "zip.npz", "w") as z:
        z.writestr("readme.txt", "not arrays")
    np.save(tmp_path / "arr.npy", np.zeros(3))
    nan_why = np.full((28, 16), np.nan)
    cases = {
        tmp_path / "nope.npz": "no such file",
        tmp_path: "is a directory",
        tmp_path / "trunc.npz": "truncated",
        tmp_path / "text.npz": "not a checkpoint",
        tmp_path / "zip.npz": "missing Wxh, Whh, Why, bh, by, chars",
        tmp_path / "arr.npy": "not a checkpoint",
        _rewrite(good, tmp_path / "a.npz", Whh=np.zeros((16, 15))): r"Whh has shape \(16, 15\)",
        _rewrite(good, tmp_path / "b.npz", Why=nan_why): "Why contains NaN or infinite",
        _rewrite(good, tmp_path / "c.npz", bh=np.zeros((16, 2))): "bh has shape",
        _rewrite(good, tmp_path / "d.npz", chars=np.array(list("ab"))): "chars has 2 characters",
        _rewrite(good, tmp_path / "e.npz", mWxh=None): "incomplete Adagrad memory, missing mWxh",
        _rewrite(good, tmp_path / "f.npz", hprev=np.zeros((1, 3))): "hprev has shape",
        _rewrite(good, tmp_path / "g.npz", Wxh=np.zeros((16, 28), np.int64)): "floating point",
        _rewrite(good, tmp_path / "h.npz", hparams=np.array("{")): "hparams is not valid JSON",
        _rewrite(good, tmp_path / "i.npz", format=np.array(9)): "newer than this program",
        _rewrite(good, tmp_path / "j.npz", chars=np.array([1.0] * 28)): "array of strings",
        _rewrite(good, tmp_path / "k.npz", chars=np.array(["a"] * 28)): "distinct single",
    }
    (tmp_path / "obj.npz").write_bytes(b"")
    np.savez(tmp_path / "obj.npz", Wxh=np.array([object()], dtype=object))
    cases[tmp_path / "obj.npz"] = "pickles"
    for path, message in cases.items():
        with pytest.raises(CheckpointError, match=message) as e:
            load_checkpoint(path)
        assert str(path) in str(e.value) and "\n" not in str(e.value)


def test_hp_of_wrong_size_is_refused(tmp_path):
    s = trained()
    save_checkpoint(tmp_path / "c.npz", s)
    ck = load_checkpoint(tmp_path / "c.npz")
    with pytest.raises(CheckpointError, match="hidden size 16, not 8"):
        session_from_checkpoint(ck, s.corpus, {"hidden_size": 8})


def test_run_folder(tmp_path):
    a = RunFolder.create(tmp_path / "runs", "My Corpus.txt")
    b = RunFolder.create(tmp_path / "runs", "My Corpus.txt")
    assert a.path.parent == tmp_path / "runs" and a.path.name.startswith("my-corpus-")
    assert a.path != b.path and b.path.is_dir()
    s = trained()
    assert a.save_checkpoint(s) == a.checkpoint_path and load_checkpoint(a.checkpoint_path)
    hp = Hyperparams(temperature=0.7)
    samples = [Sample(0, 82.4, 0.7, "hello"), Sample(100, 70.123456, 0.7, "wörld 🎉\nline")]
    a.write_samples(samples, hp, "fables")
    text = a.samples_path.read_text("utf-8")
    assert "corpus: fables" in text and "temperature: 0.7" in text and "hidden_size: 100" in text
    assert "iteration 100  loss 70.1235  temperature 0.7" in text and "wörld 🎉\nline" in text
    a.append_metrics([(0, 82.4, 80.0, 0.1, 0.01, 1000.0)])
    a.append_metrics([(10, 82.3, 79.0, 0.1, 0.02, 2000.0)])
    lines = a.metrics_path.read_text().splitlines()
    assert lines[0] == "iteration,smooth_loss,loss,learning_rate,elapsed_s,chars_per_s"
    assert len(lines) == 3 and lines[2].startswith("10,82.3,")
    a.write_settings(hp, "fables", "/x/fables.txt", "abc123")
    settings = json.loads(a.settings_path.read_text())
    assert settings["corpus_sha256"] == "abc123" and settings["hparams"]["temperature"] == 0.7
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(CheckpointError, match="cannot create a run folder"):
        RunFolder.create(blocker, "fables")

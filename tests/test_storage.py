"""Checkpoints: round trip, atomic writes, validation of bad files, run folders."""

import errno
import json
import os
import zipfile

import numpy as np
import pytest

from tui_charrnn import files, storage
from tui_charrnn.checkpoint import (
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
    session_from_checkpoint,
)
from tui_charrnn.corpus import Corpus
from tui_charrnn.events import Sample
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.session import Session
from tui_charrnn.storage import RunFolder

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
        assert z["chars"].dtype.kind == "U" and int(z["format"]) == 2
        assert json.loads(str(z["hparams"]))["batch_size"] == batch
    ck = load_checkpoint(path)
    assert ck.path == path and ck.chars == s.corpus.chars and (ck.n, ck.p) == (s.n, s.p)
    s2 = session_from_checkpoint(ck, Corpus.from_text(TEXT, "t", chars=ck.chars))
    assert s2.params.dtype == np.dtype(dtype) and s2.hp == s.hp
    for _ in range(15):
        a, b = s.step(True), s2.step(True)
        assert a == b
    assert np.array_equal(s.params.flat, s2.params.flat)
    assert np.array_equal(s.optimizer.mem.flat, s2.optimizer.mem.flat)
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
    assert not ck.memories and ck.hprev is None and ck.hp is None and ck.rng_state is None
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

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
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
        _rewrite(good, tmp_path / "e.npz", mWxh=None): "incomplete optimiser memory, missing mWxh",
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
    assert lines[0] == "iteration,smooth_loss,loss,learning_rate,elapsed_s,chars_per_s,val_loss"
    assert len(lines) == 3 and lines[2] == "10,82.3,79.0,0.1,0.02,2000.0,"  # no val: empty
    a.write_settings(hp, "fables", "/x/fables.txt", "abc123")
    settings = json.loads(a.settings_path.read_text())
    assert settings["corpus_sha256"] == "abc123" and settings["hparams"]["temperature"] == 0.7
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(CheckpointError, match="cannot create a run folder"):
        RunFolder.create(blocker, "fables")


def test_rotation_keeps_last_n_and_alias_is_newest(tmp_path):
    run = RunFolder.create(tmp_path, "fables", keep=3)
    s = trained(iters=1)
    for _ in range(5):
        s.step()
        assert run.save_checkpoint(s) == run.checkpoint_path
    names = sorted(p.name for p in run.path.iterdir())
    assert names == ["checkpoint-4.npz", "checkpoint-5.npz", "checkpoint-6.npz", "checkpoint.npz"]
    assert load_checkpoint(run.checkpoint_path).n == 6
    assert [p.name for p in run.checkpoints()] == [
        "checkpoint.npz",
        "checkpoint-5.npz",
        "checkpoint-4.npz",
    ]
    (run.path / ".checkpoint-7.npz.abc.tmp").write_bytes(b"left by kill -9")
    s.step()
    run.save_checkpoint(s)
    assert not list(run.path.glob(".*.tmp"))
    assert RunFolder(run.path, keep=1)._numbered()[0][2] == 7


def test_load_latest_falls_back_past_corrupt_files(tmp_path):
    run = RunFolder.create(tmp_path, "fables")
    s = trained(iters=1)
    for _ in range(3):
        s.step()
        run.save_checkpoint(s)
    ck, warnings = run.load_latest()
    assert ck.n == 4 and warnings == []
    # a truncated newest file (replace the link, as a torn copy would)
    raw = run.checkpoint_path.read_bytes()
    run.checkpoint_path.unlink()
    run.checkpoint_path.write_bytes(raw[: len(raw) // 3])
    newest = run.path / "checkpoint-4.npz"
    newest.write_bytes(b"garbage")
    ck, warnings = storage.load_latest_checkpoint(run.path)
    assert ck.n == 3 and ck.path.name == "checkpoint-3.npz"
    assert len(warnings) == 2 and all("falling back" in w for w in warnings)
    assert {w.split(": ", 1)[0] for w in warnings} == {str(run.checkpoint_path), str(newest)}
    ck, warnings = storage.load_latest_checkpoint(run.checkpoint_path)  # only older ones
    assert ck.n == 3 and warnings[0].startswith(f"{run.checkpoint_path}: not a checkpoint")
    # an explicitly named older file is used as is; a missing file is an error
    assert storage.load_latest_checkpoint(run.path / "checkpoint-2.npz")[0].n == 2
    with pytest.raises(CheckpointError, match="no such file"):
        storage.load_latest_checkpoint(run.path / "checkpoint-99.npz")
    for p in run.path.glob("checkpoint-*.npz"):
        p.write_bytes(b"x")
    with pytest.raises(CheckpointError, match="no checkpoint loads") as e:
        run.load_latest()
    assert str(run.path) in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(CheckpointError, match="no checkpoint in this folder"):
        storage.load_latest_checkpoint(RunFolder.create(tmp_path, "empty").path)


def test_rotation_save_failure_keeps_previous_files(tmp_path, monkeypatch):
    run = RunFolder.create(tmp_path, "fables")
    s = trained(iters=2)
    run.save_checkpoint(s)
    before = {p.name: p.read_bytes() for p in run.path.iterdir()}
    s.step()
    for exc in (OSError(errno.ENOSPC, "No space left on device"), PermissionError(13, "Denied")):

        def boom(*a, exc=exc, **k):
            raise exc

        with monkeypatch.context() as m:
            m.setattr(np, "savez", boom)
            with pytest.raises(CheckpointError, match="cannot write checkpoint"):
                run.save_checkpoint(s)
        assert {p.name: p.read_bytes() for p in run.path.iterdir()} == before
    run.save_checkpoint(s)  # space again: training went on, the next save works
    assert run.load_latest()[0].n == 3


def test_alias_without_hard_links(tmp_path, monkeypatch):
    def no_links(*a, **k):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    run = RunFolder.create(tmp_path, "fables")
    run.save_checkpoint(trained(iters=3))
    assert load_checkpoint(run.checkpoint_path).n == 3
    assert run.checkpoints()[0].name in ("checkpoint.npz", "checkpoint-3.npz")


def test_settings_keep_created_time(tmp_path):
    run = RunFolder.create(tmp_path, "fables")
    run.write_settings(Hyperparams(), "fables", "/x/f.txt", "abc", resumed_from="/old/run")
    first = run.read_settings()
    assert first["corpus_sha256"] == "abc" and first["resumed_from"] == "/old/run"
    assert first["created"] and first["hparams"]["learning_rate"] == 0.1
    run.settings_path.write_text(json.dumps({**first, "created": "2020-01-01T00:00:00"}))
    run.write_settings(Hyperparams(learning_rate=0.05), "fables", "/x/f.txt", "abc")
    again = run.read_settings()
    assert again["created"] == "2020-01-01T00:00:00" and again["resumed_from"] == "/old/run"
    run.settings_path.write_text("[1, 2")
    assert run.read_settings() is None


def test_list_runs_newest_first_and_skips_junk(tmp_path):
    root = tmp_path / "runs"
    s = trained(iters=2)
    made = []
    for i, name in enumerate(("fables", "logs")):
        run = RunFolder.create(root, name)
        run.write_settings(s.hp, name, None, "")
        run.append_metrics([(0, 90.0 - i, 1, 0.1, 0, 0), (1, 80.0 - i, 1, 0.1, 0, 0)])
        s.step()
        run.save_checkpoint(s)
        os.utime(run.checkpoint_path, (1000 + i, 1000 + i))
        made.append(run.path)
    (root / "junk").mkdir()
    (root / "junk" / "settings.json").write_text("{not json")
    (root / "no-ckpt").mkdir()
    RunFolder(root / "no-ckpt").write_settings(s.hp, "x", None, "")
    bad = root / "bad-ckpt"
    bad.mkdir()
    RunFolder(bad).write_settings(s.hp, "x", None, "")
    (bad / "checkpoint.npz").write_bytes(b"PK\x03\x04 torn")
    (root / "a-file.txt").write_text("not a folder")
    runs = storage.list_runs(root)
    assert [r.path for r in runs] == made[::-1]
    assert runs[0].corpus == "logs" and runs[0].iteration == 4 and runs[0].best_loss == 79.0
    assert runs[1].modified == 1000.0 and runs[1].best_loss == 80.0
    assert runs[0].net == s.params.net and runs[0].optimizer == "adagrad"  # the checkpoint's
    assert storage.list_runs(tmp_path / "missing") == []


def test_corpus_warning():
    c = Corpus.from_text(TEXT, "t")
    assert storage.corpus_warning(None, c) is None
    assert storage.corpus_warning({"corpus_sha256": c.sha256}, c) is None
    w = storage.corpus_warning({"corpus_sha256": "0" * 64}, c)
    assert w.startswith("t: changed since this run was saved") and "\n" not in w

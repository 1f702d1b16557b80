"""The held-out split: training never reads the tail; the validation loss is evaluated on a
bounded slice of it, on a cadence, with the best tracked; changes.jsonl and metrics.csv."""

from __future__ import annotations

import math

import numpy as np
import pytest
import reference

from tui_charrnn import validation
from tui_charrnn.changes import SettingChange, append_changes, from_applied, read_changes
from tui_charrnn.corpus import Corpus, CorpusError, split_point
from tui_charrnn.heldout import evaluate_loss
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.metrics import MetricRow
from tui_charrnn.session import Session
from tui_charrnn.storage import RunFolder
from tui_charrnn.validation import Validator, best_in, val_note

HEAD = "the fox and the crow sat on a branch; said the fox: sing! " * 16  # 928 chars
TAIL = "XYZ" * 34  # 102 chars no training block may contain


def tail_corpus() -> tuple[Corpus, int]:
    text = HEAD + TAIL
    corpus = Corpus.from_text(text, "tail")
    vf = len(TAIL) / len(text)
    assert split_point(corpus.N, vf) == len(HEAD)
    return corpus, vf


@pytest.mark.parametrize("batch", [1, 3])
def test_training_never_reads_the_held_out_tail(batch):
    corpus, vf = tail_corpus()
    hp = Hyperparams(hidden_size=8, seq_length=25, batch_size=batch, val_fraction=vf)
    s = Session(corpus, hp)
    held = {corpus.char_to_ix[c] for c in "XYZ"}
    highest, wraps = 0, 0
    real_next = s.next_block

    def spy():
        inputs, targets = real_next()
        starts = np.arange(batch) * s.segment_length + s.p
        nonlocal highest
        highest = max(highest, int(starts.max()) + hp.seq_length)  # last position read
        assert not held & set(inputs.ravel().tolist()) and not held & set(targets.ravel().tolist())
        return inputs, targets

    s.next_block = spy
    for _ in range(120):
        p = s.p
        s.step()
        wraps += s.p <= p  # the step started again at the start of the training part
    assert wraps >= 2  # the pointer went through the whole training part, more than once
    assert len(HEAD) - 2 * (hp.seq_length + 1) <= highest < len(HEAD) == s.train_chars


def test_the_same_session_without_a_split_reads_the_tail():
    """The check above can fail: at val_fraction 0 the pointer does reach the tail."""
    corpus, _ = tail_corpus()
    s = Session(corpus, Hyperparams(hidden_size=8, val_fraction=0))
    seen = set()
    for _ in range(60):
        inputs, _targets = s.next_block()
        seen |= set(inputs.ravel().tolist())
        s.step()
    assert corpus.char_to_ix["X"] in seen


def test_default_split_trains_exactly_like_the_seed_on_the_training_part():
    """Batch 1 at val_fraction 0.1 is the seed's loop on data[:cut], bit for bit."""
    corpus, _ = tail_corpus()
    s = Session(corpus, Hyperparams(hidden_size=16))
    assert s.hp.val_fraction == 0.1 and s.train_chars == corpus.N - round(corpus.N * 0.1)
    start = {k: v.reshape(v.shape[0], -1).copy() for k, v in s.params.arrays().items()}
    ref = reference.train(start, corpus.data[: s.train_chars].tolist(), 80)[0]
    for _ in range(80):
        s.step()
    for k, v in s.params.arrays().items():
        assert np.array_equal(v.reshape(v.shape[0], -1), ref[k]), k


def test_too_short_corpus_names_the_split():
    corpus = Corpus.from_text("abcdefghij" * 3, "tiny")  # 30 chars, T = 25 needs 26
    Session(corpus, Hyperparams(hidden_size=4, val_fraction=0))
    Session(corpus, Hyperparams(hidden_size=4, val_fraction=0.1))  # 27 left: enough
    with pytest.raises(CorpusError, match=r"24 once val_fraction 0\.2 is held out"):
        Session(corpus, Hyperparams(hidden_size=4, val_fraction=0.2))  # 24 left
    with pytest.raises(CorpusError, match="need at least 26"):
        Session(corpus, Hyperparams(hidden_size=4, val_fraction=0.2))


def test_notes_say_what_is_held_out():
    assert val_note(1000, 1000).startswith("validation: off (val_fraction 0")
    assert "1 character, it needs 2" in val_note(1000, 999)
    assert "last 100 characters held out" in val_note(1000, 900)
    assert "first 20,000 of them" in val_note(300_000, 270_000)


# --- the Validator ------------------------------------------------------------------


def long_session(vf=0.1, n=300_000) -> Session:
    rng = np.random.default_rng(0)
    text = "".join(rng.choice(list("abcde \n"), n))
    return Session(Corpus.from_text(text, "long"), Hyperparams(hidden_size=6, val_fraction=vf))


def test_validation_uses_a_bounded_slice_of_the_tail_and_tracks_the_best(monkeypatch):
    s = long_session()
    calls = []
    losses = iter([3.0, 2.5, float("nan"), 2.7])

    def fake(P, data, start, length, seq_length):
        calls.append((start, length))
        return next(losses)

    monkeypatch.setattr(validation, "evaluate_loss", fake)
    v = Validator(s)
    assert v.enabled and (v.start, v.length) == (270_000, validation.VAL_CHARS)
    got = []
    for n in (10, 20, 30, 40):
        s.n = n
        got.append(v.evaluate(s, elapsed=float(n)))
    assert calls == [(270_000, 20_000)] * 4  # the same slice every time: comparable
    assert [(r.loss, r.best, r.best_iteration) for r in got[:2]] == [(3.0, 3.0, 10), (2.5, 2.5, 20)]
    assert math.isnan(got[2].loss) and got[2].best == 2.5  # a NaN is never the best
    assert (got[3].loss, got[3].best, got[3].best_iteration, got[3].chars) == (2.7, 2.5, 20, 20_000)


def test_validation_loss_is_evaluate_loss_on_the_tail():
    s = long_session(n=40_000)
    v = Validator(s)
    r = v.evaluate(s, 0.0)
    assert (v.start, v.length) == (36_000, 4_000)
    assert r.loss == evaluate_loss(s.params, s.corpus.data, 36_000, 4_000, 25)
    assert 0 < r.loss < 3 and r.iteration == s.n == 0
    # the same slice without evaluate_loss: with Why = 0 every prediction is softmax(by)
    # whatever came before, so the loss is the mean of -log softmax(by)[c] over the
    # slice's targets, data[36_001:40_000] (the first character is context only)
    s.params.Why[...] = 0
    s.params.by[...] = 0.5 * np.arange(s.corpus.V)
    log_p = s.params.by - np.log(np.exp(s.params.by).sum())
    by_hand = -log_p[s.corpus.data[36_001:40_000]].mean()
    assert v.evaluate(s, 0.0).loss == pytest.approx(by_hand, rel=1e-12)


def test_cadence_metrics_rows_and_time_budget():
    s = long_session(n=20_000)
    clock = iter([0.0, 0.5, 1.0, 1.1, 5.0, 5.01]).__next__  # evaluations of 0.5, 0.1, 0.01 s
    emitted = []
    v = Validator(s, every_s=2.0, budget=0.02, clock=clock, emit=emitted.append)
    assert not v.due(5, 0.0)  # only on metrics rows
    assert v.check(s, 0, 0.0) is not None and len(emitted) == 1
    assert v.next_at == 2.0  # the first (cold) evaluation does not count against the budget
    assert v.check(s, 10, 2.0) is not None
    assert v.next_at == pytest.approx(7.0)  # 0.1 s / 2 % = 5 s stretches the 2 s
    assert not v.due(20, 6.9) and v.due(20, 7.01)
    assert v.check(s, 20, 8.0) is not None and v.next_at == 10.0  # 0.01 s: 2 s rules
    assert emitted[0].chars == 2_000 and emitted[2].best == min(e.loss for e in emitted)


def test_no_validation_without_a_held_out_part():
    s = long_session(vf=0, n=5_000)
    v = Validator(s)
    assert not v.enabled and not v.due(0, 100.0)
    assert v.check(s, 0, 100.0) is None and v.summary(s, 1.0) is None


def test_best_in_metrics_rows():
    metrics = [MetricRow(0, 90, 90, 0.1, 0, 0, 3.1), MetricRow(10, 80, 80, 0.1, 1, 0)]
    metrics.append(MetricRow(20, 70, 70, 0.1, 2, 0, 2.9))
    assert best_in(metrics) == (2.9, 21) and best_in(metrics[1:2]) is None


# --- files ---------------------------------------------------------------------------


def test_metrics_csv_val_column_and_old_files(tmp_path):
    run = RunFolder(tmp_path)
    run.append_metrics([(0, 90.0, 89.0, 0.1, 0.5, 100.0, 3.25), (10, 89.0, 88.0, 0.1, 1.0, 90.0)])
    lines = run.metrics_path.read_text().splitlines()
    assert lines[0].endswith(",chars_per_s,val_loss")
    assert lines[1].endswith(",3.25") and lines[2].endswith(",90.0,")
    rows = run.read_metrics()
    assert [r.val_loss for r in rows] == [3.25, None]
    old = RunFolder(tmp_path / "old")
    old.path.mkdir()
    old.metrics_path.write_text(
        "iteration,smooth_loss,loss,learning_rate,elapsed_s,chars_per_s\n"
        "0,90.0,89.0,0.1,0.5,100.0\n10,89.0,88.0,0.1,1.0,90.0\n"
    )
    assert [(r.iteration, r.val_loss) for r in old.read_metrics()] == [(0, None), (10, None)]
    new = RunFolder(tmp_path / "new")
    new.path.mkdir()
    new.append_history(old.read_metrics(100), [], [])
    assert new.metrics_path.read_text().splitlines()[1] == "0,90.0,89.0,0.1,0.5,100.0,"


def test_changes_file_roundtrip_and_inheritance(tmp_path):
    changes = from_applied(
        120, {"learning_rate": 0.05, "clip": 5.0}, {"learning_rate": 0.1, "clip": 5.0}
    )
    assert changes == [SettingChange(120, "learning_rate", 0.1, 0.05)]  # clip did not change
    append_changes(tmp_path, changes)
    with (tmp_path / "changes.jsonl").open("a") as f:
        f.write('{"iteration": 300, "na')  # cut short by a crash
    append_changes(tmp_path, [SettingChange(400, "temperature", 1.0, 0.5)])
    assert read_changes(tmp_path) == [changes[0], SettingChange(400, "temperature", 1.0, 0.5)]
    assert read_changes(tmp_path, upto=200) == changes
    src, dst = RunFolder(tmp_path), RunFolder(tmp_path / "resumed")
    dst.path.mkdir()
    dst.append_history([], [], read_changes(src.path, 400))
    assert read_changes(dst.path) == read_changes(tmp_path)

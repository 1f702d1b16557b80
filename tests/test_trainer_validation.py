"""Validation and setting changes in the worker thread: the trainer evaluates the held-out
loss, reports it, and the recorder writes it (metrics.csv) with the changes (changes.jsonl);
the insight views use the session's own split."""

from __future__ import annotations

import csv
import threading

from trainer_helpers import HP, Recorder
from waiting import wait_for

from tui_charrnn import events
from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.insight.tracker import Tracker
from tui_charrnn.recorder import Recorder as RunRecorder
from tui_charrnn.screens.insight import loss_tab
from tui_charrnn.session import Session
from tui_charrnn.trainer import Trainer

TEXT = "the quick brown fox jumps over the lazy dog. " * 60


def start(tmp_path, hp=HP, **kwargs):
    got = Recorder()
    rec = RunRecorder(tmp_path / "runs", got, autosave_s=0)
    trainer = Trainer(Session(Corpus.from_text(TEXT, "fox"), hp), got, recorder=rec, **kwargs)
    th = threading.Thread(target=trainer.run, daemon=True)
    th.start()
    return trainer, got, th


def test_trainer_validates_reports_and_records(tmp_path):
    trainer, got, th = start(tmp_path)
    try:
        wait_for(lambda: got.of(events.Validated) and trainer.session.n > 200)
        trainer.set_live(learning_rate=0.05, temperature=1.0)
        wait_for(lambda: got.of(events.SettingsApplied))
    finally:
        trainer.stop()
        th.join(5)
    first = got.of(events.Validated)[0]
    assert first.iteration == 1 and first.chars == 270  # 10 % of 2,700 characters
    assert first.best == first.loss and first.best_iteration == 1
    applied = got.last(events.SettingsApplied)
    assert applied.iteration > 200  # iterations trained when it took effect
    assert applied.previous == {"learning_rate": 0.1, "temperature": 1.0}
    (folder,) = (tmp_path / "runs").iterdir()
    rows = list(csv.reader((folder / "metrics.csv").read_text().splitlines()))
    assert rows[0][-1] == "val_loss" and rows[1][0] == "0"
    assert float(rows[1][6]) == first.loss  # the row of the iteration it followed
    changes = (folder / "changes.jsonl").read_text().splitlines()
    assert len(changes) == 1 and '"learning_rate"' in changes[0]  # temperature did not change
    assert f'"iteration": {applied.iteration}' in changes[0]


def test_no_validation_events_at_val_fraction_zero(tmp_path):
    trainer, got, th = start(tmp_path, HP.with_(val_fraction=0))
    try:
        wait_for(lambda: trainer.session.n > 100)
    finally:
        trainer.stop()
        th.join(5)
    assert not got.of(events.Validated)
    assert got.of(events.SessionStarted)[0].val_note.startswith("validation: off")


def test_divergence_halving_is_a_recorded_change(tmp_path):
    trainer, got, th = start(tmp_path, HP.with_(learning_rate=5e5))
    try:
        wait_for(lambda: got.of(events.Diverged), what="a divergence")
        wait_for(lambda: got.of(events.SettingsApplied))
    finally:
        trainer.stop()
        th.join(5)
    d, applied = got.of(events.Diverged)[0], got.of(events.SettingsApplied)[0]
    assert applied.previous == {"learning_rate": 5e5}
    assert applied.settings == {"learning_rate": d.learning_rate}
    assert applied.iteration == d.rolled_back_to


def test_loss_tab_says_when_nothing_is_held_out():
    t = Tracker()
    t.started(Hyperparams(val_fraction=0.0, seq_length=25))
    assert "computing the n-gram baselines" in loss_tab.render(t, None).plain
    t.baselines = {}  # what the controller sets when the held-out part is empty
    text = loss_tab.render(t, None).plain
    assert "No held-out figures: val_fraction is 0" in text and "also reads" not in text
    t.started(Hyperparams(val_fraction=0.2, seq_length=25))
    t.baselines = {"uniform": 3.0, "unigram": 2.5, "bigram": 2.0, "trigram": 1.8}
    text = loss_tab.render(t, None).plain
    assert "the last 20% of the corpus, never trained on" in text
    assert "counted on the first 80%" in text

"""The training loop and its thread-safe controls, without any UI."""

from __future__ import annotations

import threading
import time

import pytest
from trainer_helpers import HP, TEXT, Recorder, loop_went_round
from waiting import wait_for

from tui_charrnn import events
from tui_charrnn import trainer as trainer_module
from tui_charrnn.corpus import Corpus
from tui_charrnn.recorder import NullRecorder
from tui_charrnn.session import Session
from tui_charrnn.trainer import Trainer


@pytest.fixture
def started():
    threads = []

    def start(hp=HP, text=TEXT, **kwargs):
        rec = Recorder()
        trainer = Trainer(Session(Corpus.from_text(text, "fox"), hp), rec, **kwargs)
        th = threading.Thread(target=trainer.run, daemon=True)
        th.start()
        threads.append((trainer, th))
        return trainer, rec, th

    yield start
    for trainer, th in threads:
        trainer.stop()
        th.join(2)


def test_progress_is_throttled(started):
    t0 = time.monotonic()
    trainer, rec, _ = started()
    # the window: at least a second of training (and 300 iterations, however slow)
    wait_for(
        lambda: time.monotonic() - t0 >= 1.0 and trainer.session.n > 300,
        what="a second and 300 iterations of training",
    )
    trainer.pause()
    wait_for(lambda: trainer.state == "paused", what="paused")
    window = time.monotonic() - t0  # >= 1 s: all the time the trainer could report in
    progress = rec.of(events.Progress)
    iterations = progress[-1].iteration
    assert iterations > 300  # far more iterations than events
    assert len(progress) <= 15 * window + 5  # 15 a second (+5), over the window
    # every trained iteration's smooth loss is reported exactly once, in order
    points = [it for p in progress for it, _ in p.losses]
    assert points == list(range(1, iterations + 1))
    assert progress[-1].chars_per_s > 0 and progress[-1].elapsed_s > 0


def test_pause_stops_iterations_and_resume_continues(started):
    trainer, rec, _ = started()
    wait_for(lambda: (p := rec.last(events.Progress)) and p.iteration > 20)
    trainer.pause()
    wait_for(lambda: rec.last(events.StateChanged).state == "paused")
    n = trainer.session.n
    # the loop goes round twice more, handling a marker command each time: a paused loop
    # that still trained would have trained by then
    assert loop_went_round(trainer, rec).iteration == n
    assert trainer.session.n == n
    assert rec.last(events.Progress).iteration == n
    trainer.resume()
    wait_for(lambda: trainer.session.n > n + 20)
    assert rec.last(events.StateChanged).state == "training"


def test_step_once_advances_exactly_one(started):
    trainer, rec, _ = started(start_paused=True)
    wait_for(lambda: rec.last(events.StateChanged) is not None)
    assert rec.last(events.StateChanged).state == "paused"
    assert trainer.session.n == 0
    for expected in (1, 2, 3):
        trainer.step_once()
        wait_for(lambda e=expected: (p := rec.last(events.Progress)) and p.iteration == e)
    # a fourth step, had one been left over, is taken before the second marker is handled
    assert loop_went_round(trainer, rec).iteration == 3
    assert trainer.session.n == 3
    # iteration 0 takes a sample, as the seed does
    assert [s.sample.iteration for s in rec.of(events.SampleTaken)] == [0]


def test_stop_while_paused_returns_quickly(started):
    trainer, rec, th = started(start_paused=True)
    wait_for(lambda: rec.last(events.StateChanged) is not None)
    loop_went_round(trainer, rec)  # the loop is past its start, waiting while paused
    t0 = time.perf_counter()
    trainer.stop()
    th.join(1.0)
    assert not th.is_alive()
    assert time.perf_counter() - t0 < 0.5
    assert rec.last(events.StateChanged).state == "stopped"
    assert trainer.stopped.is_set()


def test_stop_while_training_returns_quickly(started):
    trainer, _rec, th = started()
    wait_for(lambda: trainer.session.n > 10)
    t0 = time.perf_counter()
    trainer.stop()
    th.join(1.0)
    assert not th.is_alive() and time.perf_counter() - t0 < 0.5


def test_live_settings_apply_between_steps(started):
    trainer, rec, _ = started()
    wait_for(lambda: trainer.session.n > 5)
    seen = []
    original = trainer.session.step

    def spy(want_sample=False):
        seen.append(trainer.session.hp.learning_rate)
        return original(want_sample)

    trainer.session.step = spy
    trainer.set_live(learning_rate=0.05, temperature="0.5")
    wait_for(lambda: rec.of(events.SettingsApplied))
    assert rec.last(events.SettingsApplied).settings == {"learning_rate": 0.05, "temperature": 0.5}
    n_seen = len(seen)
    wait_for(lambda: len(seen) > n_seen + 2)
    assert seen[-1] == 0.05  # the next steps run with the new rate
    assert seen == sorted(seen, reverse=True)  # never a mix within one step sequence
    assert trainer.session.hp.temperature == 0.5


def test_seq_length_live_and_bad_values(started):
    trainer, rec, _ = started(start_paused=True, text=TEXT[:300])
    trainer.set_live(seq_length=5)
    wait_for(lambda: rec.of(events.SettingsApplied))
    assert trainer.session.hp.seq_length == 5
    trainer.step_once()
    wait_for(lambda: rec.last(events.Progress).iteration == 1)
    assert rec.last(events.Progress).seq_length == 5
    with pytest.raises(ValueError):
        trainer.set_live(learning_rate="-1")
    with pytest.raises(ValueError):
        trainer.set_live(hidden_size=10)  # shape-changing: only on reset
    trainer.set_live(seq_length=500)  # longer than the corpus: reported, not applied
    wait_for(lambda: rec.of(events.TrainerError))
    assert "too short" in rec.last(events.TrainerError).message
    assert trainer.session.hp.seq_length == 5
    assert len(rec.of(events.SettingsApplied)) == 1


def test_reset_with_new_hidden_size(started):
    trainer, rec, _ = started()
    wait_for(lambda: trainer.session.n > 10)
    old = trainer.session
    trainer.reset(HP.with_(hidden_size=12))
    wait_for(lambda: len(rec.of(events.SessionStarted)) == 2)
    started_event = rec.last(events.SessionStarted)
    assert started_event.hp.hidden_size == 12 and started_event.iteration == 0
    assert trainer.session is not old and trainer.session.params.H == 12
    wait_for(lambda: trainer.session.n > 10)
    assert rec.last(events.StateChanged).state == "training"


def test_reset_with_new_corpus_and_failed_reset_keeps_run(started):
    trainer, rec, _ = started(start_paused=True)
    trainer.reset(HP, Corpus.from_text("abcabc" * 100, "abc"))
    wait_for(lambda: len(rec.of(events.SessionStarted)) == 2)
    assert rec.last(events.SessionStarted).V == 3
    session = trainer.session
    trainer.reset(HP, Corpus.from_text("ab", "tiny"))  # too short for seq_length 10
    wait_for(lambda: rec.of(events.TrainerError))
    assert trainer.session is session


def test_sample_now_while_paused(started):
    trainer, rec, _ = started(start_paused=True)
    trainer.sample_now()
    wait_for(lambda: rec.of(events.SampleTaken))
    s = rec.last(events.SampleTaken).sample
    assert s.iteration == 0 and len(s.text) == HP.sample_length and s.temperature == 1.0


def test_error_in_step_is_reported_and_training_waits(started):
    trainer, rec, _ = started(start_paused=True)

    def boom(want_sample=False):
        raise FloatingPointError("overflow")

    trainer.session.step = boom
    trainer.resume()
    wait_for(lambda: rec.of(events.TrainerError))
    assert "overflow" in rec.last(events.TrainerError).message
    wait_for(lambda: rec.last(events.StateChanged).state == "error")
    trainer.reset(HP)  # a reset recovers
    wait_for(lambda: rec.last(events.StateChanged).state == "training")


def test_failing_factory_waits_for_reset_with_corpus():
    rec = Recorder()

    def factory():
        raise ValueError("cannot read the corpus")

    trainer = Trainer(opener=factory, on_event=rec)
    th = threading.Thread(target=trainer.run, daemon=True)
    th.start()
    wait_for(lambda: rec.of(events.TrainerError))
    assert rec.last(events.StateChanged).state == "error"
    trainer.resume()  # nothing to resume: still waiting
    trainer.reset(HP, Corpus.from_text(TEXT, "fox"))
    wait_for(lambda: trainer.session is not None and trainer.session.n > 5)
    assert rec.last(events.StateChanged).state == "training"
    trainer.stop()
    th.join(1)
    assert not th.is_alive()


def test_save_checkpoint_between_steps(started, tmp_path):
    class Saving(NullRecorder):
        """Saves the iteration to a file the first time, then finds the disk full."""

        def save(self, session):
            path = tmp_path / "ck.txt"
            if path.exists():
                raise OSError("disk full")
            path.write_text(str(session.n))
            return path

    trainer, rec, _ = started(start_paused=True, recorder=Saving())
    trainer.step_once()
    wait_for(lambda: trainer.session.n == 1)
    trainer.save_checkpoint()
    trainer.save_checkpoint()
    wait_for(lambda: len(rec.of(events.CheckpointSaved)) == 2)
    ok, bad = rec.of(events.CheckpointSaved)
    assert ok.path == str(tmp_path / "ck.txt") and ok.iteration == 1 and ok.error is None
    assert bad.path is None and "disk full" in bad.error
    assert rec.last(events.StateChanged).state == "paused"


def test_yield_to_ui_holds_training_briefly(started, monkeypatch):
    holding: list[float] = []  # the 1 ms sleeps of the loop while it holds

    class CountingTime:  # the trainer's `time` module, counting the sleeps of a hold
        def __getattr__(self, name):
            return getattr(time, name)

        @staticmethod
        def sleep(seconds):
            if seconds > 0:  # time.sleep(0) is the plain hand-over of the GIL
                holding.append(seconds)
            time.sleep(seconds)

    monkeypatch.setattr(trainer_module, "time", CountingTime())
    trainer, _rec, _ = started()
    wait_for(lambda: trainer.session.n > 10)
    trainer.yield_to_ui(600)  # ends with ui_done() below, long before
    wait_for(lambda: holding, what="the loop to notice the hold (within a yield period)")
    n = trainer.session.n
    seen = len(holding)
    wait_for(lambda: len(holding) > seen + 50, what="50 more sleeps of the hold")
    assert trainer.session.n == n  # held
    trainer.ui_done()
    wait_for(lambda: trainer.session.n > n + 10)
    trainer.yield_to_ui(0.1)
    n = trainer.session.n
    wait_for(lambda: trainer.session.n > n + 10, what="the hold to end by itself")


def test_a_ruinous_live_change_is_rolled_back_and_undone(started):
    """The guard keeps the state from just before a live change; when the change makes
    training diverge, the run goes back to that state and the setting to its old value
    (halving 1e6 twenty times would leave the run at a rate still far too high)."""
    trainer, rec, _ = started()
    wait_for(lambda: trainer.session.n > 150)
    trainer.set_live(learning_rate=1e6)
    wait_for(lambda: rec.of(events.Diverged), what="a divergence")
    d = rec.of(events.Diverged)[0]
    changed = [e for e in rec.of(events.SettingsApplied) if e.settings == {"learning_rate": 1e6}]
    assert "diverged" in d.message and "the change undone" in d.message and not d.paused
    assert d.learning_rate == 0.1 and d.rolled_back_to == changed[0].iteration
    undone = rec.of(events.SettingsApplied)[-1]
    assert undone.settings == {"learning_rate": 0.1} and undone.previous == {"learning_rate": 1e6}
    assert undone.iteration == d.rolled_back_to
    wait_for(lambda: trainer.session.n > d.rolled_back_to + 50)
    assert trainer.session.hp.learning_rate == 0.1 and len(rec.of(events.Diverged)) == 1
    assert rec.last(events.StateChanged).state == "training"

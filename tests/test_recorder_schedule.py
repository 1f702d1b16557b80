"""When the Recorder saves, on a clock the test moves by hand: the first checkpoint 2 s
into a run, then every 30 s; an explicit interval exactly; 0 never on its own; a failing
save reported once and retried at doubling intervals."""

from tui_charrnn import events
from tui_charrnn import recorder as recorder_module
from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.opening import new_run
from tui_charrnn.recorder import Recorder

TEXT = "the fox and the crow sat on a branch. " * 20


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def recorder(runs_dir, autosave_s=None):
    clock, got = Clock(), []
    rec = Recorder(runs_dir, got.append, autosave_s=autosave_s, clock=clock)
    opened = new_run(Corpus.from_text(TEXT, "fox"), Hyperparams(hidden_size=8, seq_length=8))
    rec.started(opened)
    return rec, opened.session, clock, got


def saves_at(rec, session, clock, got, until_s: float, step_s: float = 0.5) -> list[float]:
    """Train and tick every step_s seconds of the fake clock; the times of the saves."""
    start, times = clock.now, []
    while clock.now - start < until_s:
        session.step()
        clock.now += step_s
        before = len(got)
        rec.tick(1000.0)
        times += [clock.now - start for e in got[before:] if isinstance(e, events.CheckpointSaved)]
    return times


def test_default_first_save_after_2_s_then_every_30_s(tmp_path):
    rec, session, clock, got = recorder(tmp_path)
    assert saves_at(rec, session, clock, got, 70) == [2.0, 32.0, 62.0]


def test_an_explicit_interval_is_kept_exactly(tmp_path):
    rec, session, clock, got = recorder(tmp_path, autosave_s=5.0)
    assert saves_at(rec, session, clock, got, 16) == [2.0, 7.0, 12.0]


def test_autosave_0_saves_only_when_asked(tmp_path):
    rec, session, clock, got = recorder(tmp_path, autosave_s=0)
    assert saves_at(rec, session, clock, got, 70) == []
    rec.finish(session)  # quit
    assert [e.iteration for e in got if isinstance(e, events.CheckpointSaved)] == [session.n]


def test_a_failing_save_is_said_once_and_retried_less_often(tmp_path, monkeypatch):
    blocker = tmp_path / "runs"
    blocker.write_text("a file where the runs folder should be")
    rec, session, clock, got = recorder(blocker, autosave_s=5.0)
    start, tries = clock.now, []
    real = recorder_module.RunFolder.create

    def create(*args, **kwargs):
        tries.append(clock.now - start)
        return real(*args, **kwargs)

    monkeypatch.setattr(recorder_module.RunFolder, "create", create)
    saves_at(rec, session, clock, got, 100)
    said = [e for e in got if isinstance(e, events.CheckpointSaved)]
    assert len(said) == 1 and said[0].path is None and "nothing saved yet" in said[0].error
    # the first try at 2 s, then 2 x 5 s later, 4 x 5 s later, 8 x 5 s later
    assert tries == [2.0, 12.0, 32.0, 72.0]

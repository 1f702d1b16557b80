"""A resumed run in the app carries on where it stopped: baselines it had beaten are not
announced again, its training time goes on, its corpus keeps its catalogue name."""

from __future__ import annotations

import json
from datetime import timedelta

from app_helpers import HP, SIZE, file_app, fox_file, recording_notify, resume_app
from pilot_helpers import press
from waiting import until

from tui_charrnn import catalog
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.insight.tracker import BASELINE_NAMES, Tracker
from tui_charrnn.opening import corpus_of_run
from tui_charrnn.storage import RunFolder


async def train_and_quit(tmp_path, until_cond, what: str, **kwargs):
    corpus_file = fox_file(tmp_path)
    app = file_app(tmp_path, corpus_file, HP.with_(learning_rate=0.05), autosave_s=0, **kwargs)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: until_cond(app), what=what)
        await press(pilot, "q")
        await until(pilot, lambda: app.trainer.stopped.is_set(), what="stopped")
    (folder,) = (tmp_path / "runs").iterdir()
    return app, folder, corpus_file


async def test_baselines_beaten_before_a_resume_are_not_announced_again(tmp_path):
    app, folder, corpus_file = await train_and_quit(
        tmp_path, lambda app: len(app.insight.tracker.beaten) >= 2, "two baselines beaten"
    )
    beaten = dict(app.insight.tracker.beaten)
    n = app.trainer.session.n  # saved at quit (the drawn app.iteration can lag behind it)

    app2 = resume_app(tmp_path, folder, corpus_file)
    seen = recording_notify(app2)
    async with app2.run_test(size=SIZE) as pilot:
        tracker = app2.insight.tracker
        await until(pilot, lambda: app2.run_started is not None, what="resumed")
        await until(pilot, lambda: tracker.baselines, what="baselines")
        settled = lambda: set(beaten) <= set(tracker.beaten)  # noqa: E731
        await until(pilot, lambda: settled() and app2.iteration > n + 20, what="settled")
        for name in beaten:
            assert tracker.beaten[name] <= n  # when it was beaten, in the first session
        again = [m for _, m in seen if "baseline" in m]
        for name in beaten:
            assert not [m for m in again if f" {BASELINE_NAMES[name]} baseline" in m], again
        await press(pilot, "q")
        await until(pilot, lambda: app2.trainer.stopped.is_set(), what="stopped")


def test_tracker_settles_a_resumed_history_silently():
    t = Tracker()
    t.started(Hyperparams())
    t.resumed([(0, 4.2), (10, float("nan")), (20, 3.0), (30, 3.5), (40, 2.0)])
    assert t.earlier == [(0, 4.2), (20, 3.0), (40, 2.0)]  # record lows only
    t.baselines = {"uniform": 4.1, "unigram": 3.1, "bigram": 2.5, "trigram": 1.0}
    assert t.progress(41, 2.0) == []  # beaten before the resume: not announced
    assert t.beaten == {"uniform": 20, "unigram": 20, "bigram": 40}
    assert t.progress(50, 0.9) == ["trigram"]  # a new one is
    t.started(Hyperparams())
    assert t.earlier == [] and t.beaten == {}


async def test_training_time_goes_on_after_a_resume(tmp_path):
    def trained_two_seconds(app) -> bool:
        p = app.status_bar.progress
        return p is not None and p.elapsed_s > 2.2

    _, folder, corpus_file = await train_and_quit(tmp_path, trained_two_seconds, "2 s trained")
    before = RunFolder(folder).read_metrics()[-1].elapsed_s
    assert before > 2

    app2 = resume_app(tmp_path, folder, corpus_file, start_paused=True)
    async with app2.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app2.status_bar.elapsed0 > 0, what="resumed")
        assert app2.status_bar.elapsed0 == before
        await until(pilot, lambda: app2.status_bar.progress is not None, what="progress")
        app2._draw_all()
        status = str(app2.query_one("#stats").content)
        assert str(timedelta(seconds=int(before))) in status, status  # H:MM:SS
        await press(pilot, "space")
        await until(pilot, lambda: app2.iteration > app2.run_started.iteration + 50)
        await press(pilot, "q")
        await until(pilot, lambda: app2.trainer.stopped.is_set(), what="stopped")
    runs = sorted((tmp_path / "runs").iterdir())
    (new,) = [r for r in runs if r != folder]
    rows = RunFolder(new).read_metrics()
    assert rows[-1].elapsed_s > before  # metrics.csv goes on from it too


def test_a_resumed_catalogue_corpus_keeps_its_name(tmp_path):
    """settings.json names the corpus file by path; resuming shows "fables", as the
    corpus list does, not "fables.txt"."""
    path = catalog.corpus_path("fables")
    (tmp_path / "settings.json").write_text(
        json.dumps({"corpus": "fables", "corpus_path": str(path)}), "utf-8"
    )
    settings = RunFolder(tmp_path).read_settings()
    name, resolved = catalog.resolve(corpus_of_run(settings, tmp_path))
    assert (name, resolved) == ("fables", path)
    assert catalog.resolve(str(path)) == ("fables", path)
    own = tmp_path / "fables.txt"  # a file of one's own with the same name is not it
    own.write_text("my own fables", "utf-8")
    assert catalog.resolve(str(own)) == ("fables.txt", own)

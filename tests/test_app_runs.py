"""Never lose a run, in the app: save on quit, autosave, resume with history, the runs
browser, divergence, and a monkey test. Pilot sessions; every wait polls an explicit
condition with a timeout (see test_app.py for why keys are posted with `press`)."""

from __future__ import annotations

import asyncio
import math
import random
import time
from pathlib import Path

import numpy as np
from app_helpers import (
    HP,
    SIZE,
    file_app,
    fox_file,
    make_app,
    record_events,
    resume_app,
    set_field,
    trainer_caught_up,
)
from pilot_helpers import press
from textual import events
from waiting import until

from tui_charrnn.events import CheckpointSaved
from tui_charrnn.screens.runs_browser import RunsBrowser
from tui_charrnn.storage import RunFolder, list_runs
from tui_charrnn.widgets.dialogs import ConfirmScreen


def checkpoints(root: Path) -> list[Path]:
    return sorted(root.glob("*/checkpoint-*.npz"))


async def test_quit_saves_and_resume_shows_the_same_run(tmp_path):
    corpus_file = fox_file(tmp_path)
    app = file_app(tmp_path, corpus_file, HP.with_(learning_rate=0.05), autosave_s=0)
    seen = record_events(app)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(app.sample_pane.samples) >= 4, what="samples")
        await press(pilot, "space")
        await until(pilot, lambda: app.state == "paused", what="paused")
        await trainer_caught_up(pilot, seen)  # the last Progress and samples handled
        app._draw_all()
        n, loss = app.iteration, app.trainer.session.smooth_loss
        session = app.trainer.session
        state = (session.p, session.hprev.copy(), session.optimizer.mem.flat.copy())
        rng = session.rng.bit_generator.state
        before_samples = [(s.iteration, s.text) for s in app.sample_pane.samples]
        before_points = dict(app.loss_pane.recent.points)  # (the old window, point for point)
        t0 = time.monotonic()
        await press(pilot, "q")
        await until(pilot, lambda: app.trainer.stopped.is_set(), timeout=1.0, what="stopped")
        assert time.monotonic() - t0 < 1.0
    (folder,) = (tmp_path / "runs").iterdir()
    assert (folder / f"checkpoint-{n}.npz").is_file()  # quit wrote a checkpoint

    app2 = resume_app(tmp_path, folder, corpus_file, start_paused=True)
    async with app2.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app2.run_started is not None, what="resumed")
        await until(pilot, lambda: len(app2.sample_pane.samples) == len(before_samples))
        s2 = app2.trainer.session
        assert app2.iteration == s2.n == n and s2.smooth_loss == loss
        assert s2.p == state[0] and np.array_equal(s2.hprev, state[1])
        assert np.array_equal(s2.optimizer.mem.flat, state[2])
        assert s2.rng.bit_generator.state == rng
        assert app2.hp.learning_rate == 0.05  # the run's settings, not the defaults
        assert app2.query_one("#hp-learning_rate").value == "0.05"
        assert [(s.iteration, s.text) for s in app2.sample_pane.samples] == before_samples
        points = dict(app2.loss_pane.recent.points)
        whole = dict(app2.loss_pane.whole.points)
        assert min(whole) == 1 and max(whole) <= n  # the whole run too
        assert min(points) == 1 and max(points) == n  # the curve from its start (iteration 0
        # is the initial ln V guess, not a metrics row) to where it stopped
        common = set(points) & set(before_points)
        assert len(common) >= 5
        for it in common:
            assert math.isclose(points[it], before_points[it], rel_tol=1e-9)
        assert any("Resumed" in m.message for m in app2.notices)
        status = str(app2.query_one("#stats").content)
        assert f"iter {n:,}" in status
        await press(pilot, "q")
        await until(pilot, lambda: app2.trainer.stopped.is_set(), timeout=1.0, what="stopped")
    assert len(list((tmp_path / "runs").iterdir())) == 1  # nothing trained: nothing new


async def test_autosave_with_a_tiny_interval_keeps_the_last_n(tmp_path):
    """Files are counted only between saves: a save writes its checkpoint, then deletes
    the old ones, then reports CheckpointSaved; and none runs while the trainer is paused
    (counting while one ran saw three files, once, on a loaded machine)."""
    app = make_app(tmp_path, autosave_s=0.2, keep=2)
    seen = record_events(app)

    def autosaves() -> list[CheckpointSaved]:
        return [e for e in seen.of(CheckpointSaved) if e.auto and e.path is not None]

    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(autosaves()) >= 2, what="two autosaves")
        folder = Path(autosaves()[0].path).parent
        await until(pilot, lambda: (folder / "samples.jsonl").is_file(), what="samples.jsonl")
        await until(pilot, lambda: (folder / "metrics.csv").is_file(), what="metrics.csv")
        first = autosaves()[-1].iteration
        await until(
            pilot,
            lambda: autosaves()[-1].iteration > first,
            what="a newer autosave",
        )
        await press(pilot, "space")  # paused: no save is under way, none starts
        await until(pilot, lambda: app.state == "paused", what="paused")
        assert checkpoints(tmp_path / "runs")[0].parent == folder
        assert len(checkpoints(tmp_path / "runs")) <= 2  # rotation
        assert not any("Autosaved" in m.message for m in app.notices)  # silent
        await press(pilot, "q")
        await until(pilot, lambda: app.trainer.stopped.is_set(), timeout=1.0, what="stopped")
    run = RunFolder(folder)
    rows = run.read_metrics()
    assert rows and all(math.isfinite(r.smooth_loss) for r in rows)
    assert [r.iteration for r in rows] == sorted(r.iteration for r in rows)
    assert run.read_samples() and run.read_settings()["corpus"] == "fox"


async def test_runs_browser_lists_and_opens_a_run(tmp_path):
    corpus_file = fox_file(tmp_path)
    app = file_app(tmp_path, corpus_file, autosave_s=0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 30, what="iterations")
        await press(pilot, "r")  # a new run: the first one is saved first
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await press(pilot, "y")
        await until(pilot, lambda: list_runs(tmp_path / "runs"), what="first run saved")
        (first,) = list_runs(tmp_path / "runs")
        await until(pilot, lambda: app.iteration > 30, what="training the second run")
        await press(pilot, "o")
        await until(pilot, lambda: isinstance(app.screen, RunsBrowser), what="browser")
        browser = app.screen
        await until(pilot, lambda: browser.loaded, what="runs listed")
        assert [r.path for r in browser.runs] == [first.path]
        await press(pilot, "escape")
        await until(pilot, lambda: not isinstance(app.screen, RunsBrowser), what="closed")
        await press(pilot, "o")
        await until(pilot, lambda: isinstance(app.screen, RunsBrowser), what="browser again")
        await until(pilot, lambda: app.screen.loaded, what="runs listed")
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
        await press(pilot, "y")
        opened = lambda: app.run_started and app.run_started.iteration == first.iteration  # noqa: E731
        await until(pilot, opened, what="the first run reopened")
        resumed = lambda: any("Resumed" in m.message for m in app.notices)  # noqa: E731
        await until(pilot, resumed, what="resumed notification")
        await until(pilot, lambda: len(list_runs(tmp_path / "runs")) == 2, what="second saved")
        await until(pilot, lambda: app.iteration > first.iteration + 5, what="training it")
        assert app.state == "training"


async def test_huge_learning_rate_rolls_back_and_the_app_responds(tmp_path):
    app = make_app(tmp_path, autosave_s=0.3)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 120, what="iterations")
        await set_field(pilot, "#hp-learning_rate", "1e6")
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked first")
        await press(pilot, "y")
        warned = lambda: [m for m in app.notices if "diverged" in m.message]  # noqa: E731
        await until(pilot, lambda: warned(), what="divergence warning")
        message = warned()[0].message
        assert "run back to iteration" in message
        assert "change undone: learning_rate 1e+06 -> 0.1" in message
        field = app.query_one("#hp-learning_rate")
        await until(pilot, lambda: field.value == "0.1", what="the old value in the field")
        assert app.hp.learning_rate == 0.1
        await press(pilot, "space")  # still responds
        await until(pilot, lambda: app.state == "paused", what="paused")
        await press(pilot, "c")
        await until(pilot, lambda: len(checkpoints(tmp_path / "runs")) >= 1, what="checkpoint")
        await press(pilot, "q")
        await until(pilot, lambda: app.trainer.stopped.is_set(), timeout=1.0, what="stopped")
    for ckpt in checkpoints(tmp_path / "runs"):
        with np.load(ckpt) as data:
            for name in data.files:
                if data[name].dtype.kind == "f":
                    assert np.isfinite(data[name]).all(), (ckpt, name)
    for path in (tmp_path / "runs").glob("*/*.*"):
        if path.suffix in (".csv", ".jsonl", ".json"):
            text = path.read_text("utf-8").lower()
            assert "nan" not in text and "inf" not in text.replace("info", ""), path


async def test_monkey(tmp_path):
    """A few hundred random keys (the bindings, plus text typed into fields) while
    training: no exception, and the app still quits cleanly and promptly."""
    rng = random.Random(4)
    app = make_app(tmp_path, autosave_s=1.0)
    keys = ["space", "n", "g", "s", "c", "r", "o", "question_mark", "escape", "tab", "enter"]
    keys += ["y", "down", "up"]  # (i: the insight screen has tests of its own)
    fields = ["#hp-learning_rate", "#hp-temperature", "#hp-sample_every", "#hp-clip"]
    fields += ["#hp-seq_length", "#hp-hidden_size", "#corpus-path"]
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        sent = 0
        while sent < 300:  # bursts of 1-4 keys, then one short pause: a fast typist
            if rng.random() < 0.15 and app.screen is app.screen_stack[0]:
                app.query_one(rng.choice(fields)).focus()
                text = "".join(rng.choice("0123456789.abc") for _ in range(rng.randint(1, 3)))
                burst = [*text, rng.choice(["enter", "escape"])]
            else:
                burst = [rng.choice(keys) for _ in range(rng.randint(1, 4))]
            for key in burst:
                char = key if len(key) == 1 else " " if key == "space" else None
                app.post_message(events.Key(key, char))
            sent += len(burst)
            # not pilot.pause: it waits for every widget of the current screen to drain its
            # queue, and a screen popped meanwhile never does (a 30 s stall)
            await asyncio.sleep(0.03)

        # A posted key goes to the app, which forwards it to the focused widget, from where
        # it bubbles back up one queue at a time; on a loaded machine some are still on
        # their way now (a late ? opened the help after the dialogs were closed; a late
        # enter reached the app after q had removed the screens). So first every queue
        # empty, twice in a row; then escape, as a user would, whatever dialog is open.
        # Not pilot.pause here: see above.
        quiet_polls: list[bool] = []

        def settled() -> bool:
            nodes = [app]
            for screen in app.screen_stack:
                nodes += screen.walk_children(with_self=True)
            quiet_polls.append(all(node.message_queue_size == 0 for node in nodes))
            return quiet_polls[-2:] == [True, True]

        def settled_and_closed() -> bool:
            if not settled():
                return False
            if len(app.screen_stack) == 1:
                return True
            app.post_message(events.Key("escape", None))
            quiet_polls.clear()
            return False

        await until(None, settled_and_closed, what="the keys handled and every dialog closed")
        assert len(app.screen_stack) == 1 and app.is_running
        # the keys posted above may still be queued on a loaded machine: a queued tab would
        # move the focus into a field after the focus() below, and q would be typed there
        drained = []
        app.call_later(drained.append, True)  # runs once the messages queued now are handled
        await until(pilot, lambda: drained, what="the posted keys handled")
        assert len(app.screen_stack) == 1
        log = app.query_one("#log")
        log.focus()
        await until(pilot, lambda: app.focused is log, what="focus on the sample log")
        app.post_message(events.Key("q", "q"))
        # prompt = well under the 5 s allowed here (a loaded CI machine is slow too); not
        # pilot.pause while the app quits (see waiting.until)
        await until(
            None,
            lambda: app.trainer.stopped.is_set(),
            timeout=5.0,
            poll=0.02,
            what=lambda: f"the trainer to stop {(app.hp, app.screen_stack, app.focused)}",
        )
        assert app.trainer.stopped.is_set(), (app.hp, app.screen_stack, app.focused, app.state)
    assert app.return_code == 0
    assert app.trainer.state == "stopped"

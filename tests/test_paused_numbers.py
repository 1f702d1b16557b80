"""Pausing shows the exact paused iteration: the trainer sends a last snapshot for the
insight views when it enters the paused state (the status bar's last Progress already has
it), and the insight screen shows it even on a tab it otherwise recomputes every 2 s."""

from __future__ import annotations

import threading
import time

from app_helpers import body
from app_helpers import insight_app as make_app
from pilot_helpers import press
from trainer_helpers import HP, TEXT, Recorder
from waiting import until, wait_for

from tui_charrnn import events
from tui_charrnn.corpus import Corpus
from tui_charrnn.screens.insight import InsightScreen
from tui_charrnn.session import Session
from tui_charrnn.trainer import Trainer


def test_trainer_sends_a_last_snapshot_when_paused():
    rec = Recorder()
    trainer = Trainer(Session(Corpus.from_text(TEXT, "fox"), HP), rec)
    trainer.set_insight(True)
    th = threading.Thread(target=trainer.run, daemon=True)
    th.start()
    try:
        wait_for(lambda: trainer.session.n > 300 and rec.of(events.InsightSnapshot))
        trainer.pause()
        wait_for(lambda: rec.last(events.StateChanged).state == "paused")
        n = trainer.session.n
        with rec.lock:
            seen = list(rec.events)
    finally:
        trainer.stop()
        th.join(5)
    paused = max(i for i, e in enumerate(seen) if isinstance(e, events.StateChanged))
    before = seen[:paused]
    snaps = [e for e in before if isinstance(e, events.InsightSnapshot)]
    progress = [e for e in before if isinstance(e, events.Progress)]
    assert snaps[-1].iteration == n and progress[-1].iteration == n


async def open_insight(pilot, app) -> InsightScreen:
    await until(pilot, lambda: app.iteration > 20, what="training")
    await press(pilot, "i")
    await until(pilot, lambda: isinstance(app.screen, InsightScreen), what="screen")
    screen = app.screen
    await until(pilot, lambda: screen.snap is not None, what="a snapshot")
    return screen


async def test_paused_status_bar_and_insight_show_the_exact_iteration(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_insight(pilot, app)
        await until(pilot, lambda: "iteration " in body(app, "loss"), what="the loss tab")
        await press(pilot, "space")
        await until(pilot, lambda: app.state == "paused", what="paused")
        n = app.trainer.session.n
        assert screen.snap.iteration == n
        assert f"iteration {n:,}\n" in body(app, "loss")
        assert app.status_bar.progress.iteration == n
        stats = str(app.status_bar.query_one("#stats").content)
        assert stats.startswith(f"iter {n:,} ·")


async def test_a_heavy_tab_is_recomputed_for_the_paused_state(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_insight(pilot, app)
        await press(pilot, "2")
        await until(pilot, lambda: "expected " in body(app, "surprisal"), what="surprisal")
        computed: list[int] = []
        screen._compute_surprisal = lambda snap, corpus, sample: computed.append(snap.iteration)
        screen._heavy_next = time.monotonic() + 1000  # the 2 s throttle would skip it
        await press(pilot, "space")
        await until(pilot, lambda: app.state == "paused", what="paused")
        assert computed and computed[-1] == app.trainer.session.n

"""After a divergence rollback (guard.py, events.Diverged) the main loss chart forgets what
came after the iteration the run went back to, as the recorder forgets its metrics rows
and samples: training points, validation points (●) and setting markers (▲); the
iterations trained again are plotted as they come."""

from __future__ import annotations

import math
import threading

from pilot_helpers import paused_app
from trainer_helpers import HP, TEXT, Recorder
from waiting import until, wait_for

from tui_charrnn import events
from tui_charrnn.corpus import Corpus
from tui_charrnn.events import Progress, Validated
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.session import Session
from tui_charrnn.trainer import Trainer
from tui_charrnn.widgets.loss_pane import LossPane

T = 10


def progress(first: int, last: int, npc: float = 2.0) -> Progress:
    losses = tuple((i, npc * T) for i in range(first, last + 1))
    return Progress(last, npc * T, losses, 0.0, 0.0, T)


def test_pane_drops_what_came_after_the_rollback():
    pane = LossPane()
    pane.add(progress(0, 300))
    for it in (1, 120, 250):
        pane.validated(Validated(it, 2.5, 2.5, it, 100))
    pane.mark(100, {"learning_rate": 0.05}, {"learning_rate": 0.1})
    pane.mark(280, {"learning_rate": 1e6}, {"learning_rate": 0.05})
    pane.rolled_back(200)
    assert pane.points[-1][0] == 200 and len(pane.points) == 201
    assert [v[0] for v in pane.vals] == [1, 120]
    assert pane.val is None  # the latest evaluation (250) was undone
    assert [m[0] for m in pane.marks] == [100]
    pane.add(progress(201, 210, npc=1.5))  # trained again: plotted, not skipped
    assert pane.points[-1] == (210, 1.5) and len(pane.points) == 211


def test_pane_rollback_keeps_the_stride():
    pane = LossPane()
    pane.add(progress(0, 1000))  # the window filled: one point every 4 iterations
    assert pane.stride == 4 and pane.whole.stride == 2  # (the whole run: 512 points)
    pane.rolled_back(505)
    recent = pane.recent.points
    assert recent[-1][0] == 502 and all(p[0] <= 505 for p in recent)
    assert pane.whole.points[-1][0] == 504  # (even iterations: the start, 0, is kept)
    pane.add(progress(503, 520, npc=1.0))  # one point every 4 iterations still
    assert [p[0] for p in pane.recent.points][-6:] == [502, 504, 508, 512, 516, 520]
    assert [p[0] for p in pane.whole.points][-4:] == [514, 516, 518, 520]
    assert pane.vals == [] and pane.marks == []


def test_trainer_reports_no_loss_past_the_rollback():
    """The losses not yet reported when the guard rolls back are not reported after it:
    once a Diverged event is out, the reported iterations go on from the rollback."""
    rec = Recorder()
    session = Session(Corpus.from_text(TEXT, "fox"), HP.with_(learning_rate=1e6))
    trainer = Trainer(session, rec)
    th = threading.Thread(target=trainer.run, daemon=True)
    th.start()
    try:
        wait_for(lambda: len(rec.of(events.Diverged)) >= 2, what="two divergences")
    finally:
        trainer.stop()
        th.join(5)
    with rec.lock:
        seen = list(rec.events)
    last = None  # the last iteration reported
    for e in seen:
        if isinstance(e, events.Diverged) and last is not None:
            last = min(last, e.rolled_back_to)
        elif isinstance(e, events.Progress):
            for iteration, _ in e.losses:
                assert last is None or iteration == last + 1, (iteration, last)
                last = iteration


async def test_app_chart_after_a_real_rollback(tmp_path):
    text = "THE FOX AND THE CROW\nA crow sat on a branch with a piece of cheese. " * 20
    hp = Hyperparams(hidden_size=16, seq_length=16, sample_every=50, seed=3)
    app = paused_app(tmp_path, text, hp)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.loss_pane
        await until(pilot, lambda: app.state == "paused", what="paused")

        async def step(n: int) -> None:
            target = app.iteration + n
            for _ in range(n):
                app.action_step()
            await until(pilot, lambda: app.iteration == target, what=f"iteration {target}")

        await step(12)
        await until(pilot, lambda: pane.vals, what="the validation at iteration 1")
        assert pane.vals[0][0] == 1
        app.trainer.set_live(learning_rate=1e6)
        await until(pilot, lambda: pane.marks, what="a marker at 12")
        assert pane.marks == [(12, "learning_rate", 0.1, 1e6)]
        app.action_step()  # one step at 1e6 spoils the parameters, the next diverges
        app.action_step()
        await until(pilot, lambda: len(pane.marks) == 2, what="the change undone")
        # the guard kept the state from just before the change: the run goes back to it,
        # and the setting to its value then
        assert app.trainer.session.n == 12 and app.hp.learning_rate == 0.1
        assert pane.marks == [(12, "learning_rate", 0.1, 1e6), (12, "learning_rate", 1e6, 0.1)]
        assert [v[0] for v in pane.vals] == [1]  # the validation before the change stays
        assert max(p[0] for p in pane.points) <= 12  # the undone iterations are gone
        assert all(math.isfinite(p[1]) for p in pane.points)
        before = [p[0] for p in pane.points]
        await step(1)
        await until(pilot, lambda: [p[0] for p in pane.points] == [*before, 13], what="re-trained")

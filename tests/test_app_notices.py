"""Messages (issue 11, items 2 and 5): one line under the status bar instead of toasts
over the panes; ln V is never announced as a baseline beaten; why the divergence guard
paused training stays on screen until training resumes; a ruinous learning rate set
mid-run is undone within seconds, and the line says so."""

from __future__ import annotations

import math

from app_helpers import SIZE, TEXT, make_app, recording_notify, set_field, shown
from pilot_helpers import paused_app, press, until

from tui_charrnn import events
from tui_charrnn.widgets.dialogs import ConfirmScreen


def toasts(app) -> int:
    return len(app.screen.query("Toast"))


async def test_messages_share_one_line_and_no_toast_covers_the_panes(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="iterations")
        for i in range(4):
            app.notify(f"message {i}", title="Something", timeout=30)
        await until(pilot, lambda: "message 3" in shown(app), what="the latest message")
        await until(pilot, lambda: app.notice.region.height == 1, what="one line")
        assert toasts(app) == 0
        assert [n.message for n in app.notices][-4:] == [f"message {i}" for i in range(4)]
        await press(pilot, "question_mark")
        await until(pilot, lambda: app.screen.id != "_default", what="help")
        app.notify("while the help is open")
        await pilot.pause(0.2)
        assert toasts(app) == 0


async def test_ln_v_is_never_announced(tmp_path):
    app = make_app(tmp_path, start_paused=True)
    seen = recording_notify(app)
    async with app.run_test(size=SIZE) as pilot:
        tracker = app.insight.tracker
        await until(pilot, lambda: tracker.baselines, timeout=20, what="the baselines")
        uniform, unigram = tracker.baselines["uniform"], tracker.baselines["unigram"]
        assert unigram < uniform - 0.1
        below_ln_v = (uniform + unigram) / 2  # below ln V, above the unigram baseline
        app._from_trainer(events.Validated(1, below_ln_v, below_ln_v, 1, 500))
        await until(pilot, lambda: "uniform" in tracker.beaten, what="ln V beaten")
        app._from_trainer(events.Validated(2, unigram - 0.05, unigram - 0.05, 2, 500))
        await until(pilot, lambda: "unigram" in tracker.beaten, what="unigram beaten")
        assert [m for _, m in seen if "unigram" in m]  # a real achievement is announced
        assert not [m for _, m in seen if "ln V" in m or "uniform" in m], seen


async def test_why_the_guard_paused_stays_until_training_resumes(tmp_path):
    app = paused_app(tmp_path, TEXT)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        app.action_resume()
        await until(pilot, lambda: app.state == "training", what="training")
        message = "diverged at iteration 9 (loss is nan); rolled back to iteration 0, paused"
        app.trainer.pause()  # as the trainer does when the guard advises a pause
        app._from_trainer(events.Diverged(message, 0, 1.5e-8, True))
        await until(pilot, lambda: app.state == "paused", what="paused")
        await until(pilot, lambda: "loss is nan" in shown(app), what="the reason")
        assert "space resumes" in shown(app) and app.notice.region.y == 1  # under the status
        app.notify("Checkpoint saved", timeout=0.3)  # a passing message...
        await until(pilot, lambda: "Checkpoint" in shown(app), what="a passing message")
        await until(pilot, lambda: "loss is nan" in shown(app), what="...gives the line back")
        await pilot.pause(0.5)
        assert "loss is nan" in shown(app)
        await press(pilot, "space")
        await until(pilot, lambda: app.state == "training", what="resumed")
        await until(pilot, lambda: not app.notice.display, what="the reason cleared")


async def test_a_learning_rate_of_1e9_mid_run_is_undone_and_said(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.iteration > 600, timeout=20, what="a trained run")
        await set_field(pilot, "#hp-learning_rate", "1e9")
        session = app.trainer.session
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="asked first")
        before = session.smooth_loss / session.hp.seq_length
        await press(pilot, "y")
        await until(pilot, lambda: "diverged" in shown(app), timeout=10, what="said on screen")
        assert "learning_rate 1e+09 -> 0.1" in shown(app)
        assert app.hp.learning_rate == 0.1 and app.state == "training"
        now = session.smooth_loss / session.hp.seq_length
        assert math.isfinite(now) and now < before + 0.05, (before, now)  # (still learning)

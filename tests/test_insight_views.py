"""The insight screen (i): the trainer feeds it only while shown; it opens, updates while
training, switches tabs and closes. Plus the bookkeeping behind it (units, baselines
beaten, settings markers). Waits poll explicit conditions with a timeout."""

from __future__ import annotations

import math
import re
import threading
from types import SimpleNamespace

import numpy as np
import pytest
from app_helpers import INSIGHT_TEXT as TEXT
from app_helpers import body
from app_helpers import insight_app as make_app
from pilot_helpers import press
from trainer_helpers import queue_marker
from waiting import until, wait_for

from tui_charrnn import events
from tui_charrnn.corpus import Corpus
from tui_charrnn.hparams import Hyperparams
from tui_charrnn.insight.probe import INSIGHT_S
from tui_charrnn.insight.tracker import BEAT_MARGIN, UNITS, Tracker, convert, fmt
from tui_charrnn.screens.insight import TABS, InsightScreen, neurons_tab
from tui_charrnn.screens.insight_text import act_level, styled
from tui_charrnn.session import Session
from tui_charrnn.trainer import PROGRESS_HZ, Trainer

HP = Hyperparams(hidden_size=16, seq_length=10, sample_every=20, sample_length=30)


# --- bookkeeping -----------------------------------------------------------------------


def test_units():
    npc = 1.5
    assert convert(npc, "nats/char", 25) == npc
    assert convert(npc, "bits/char", 25) == pytest.approx(npc / math.log(2))
    assert convert(npc, "perplexity", 25) == pytest.approx(math.exp(npc))
    assert convert(npc, "per sequence", 25) == pytest.approx(37.5)
    assert fmt(None, "nats/char") == "–" and fmt(float("nan"), "bits/char") == "–"
    t = Tracker()
    seen = [t.next_unit() for _ in UNITS]
    assert seen[-1] == "nats/char" and set(seen) == set(UNITS)
    with pytest.raises(ValueError):
        convert(1.0, "furlongs", 25)


def test_baselines_beaten_once_each_in_order():
    t = Tracker()
    assert t.progress(5, 0.1) == []  # no baselines yet
    t.baselines = {"uniform": 3.0, "unigram": 2.5, "bigram": 2.0, "trigram": 1.8}
    assert t.progress(10, 3.2) == []
    assert t.progress(15, 3.0 - BEAT_MARGIN / 2) == []  # noise-level below ln V: not a beat
    assert t.progress(20, 2.9) == ["uniform"]
    assert t.progress(30, 2.9) == []
    assert t.progress(40, 1.9) == ["unigram", "bigram"]
    assert t.beaten == {"uniform": 20, "unigram": 40, "bigram": 40}
    t.started(Hyperparams(learning_rate=0.1))
    assert t.baselines is None and not t.beaten


def test_settings_markers_and_best_validation():
    t = Tracker()
    t.started(Hyperparams(learning_rate=0.1, temperature=1.0))
    t.settings(100, {"learning_rate": 0.05, "temperature": 1.0})
    assert [(m.iteration, m.name, m.old, m.new) for m in t.markers] == [
        (100, "learning_rate", 0.1, 0.05)
    ]
    t.settings(250, {"learning_rate": 0.2})
    assert [(m.iteration, m.old, m.new) for m in t.markers] == [(100, 0.1, 0.05), (250, 0.05, 0.2)]
    for it, loss in ((0, 3.0), (500, 2.0), (1000, None), (1500, 2.5)):
        t.validation(it, loss)
    assert t.best_val == (2.0, 500)


def test_styled_merges_runs_and_marks_the_cursor():
    c = styled(list("ab\nc"), ["x", "x", "y", "y"], cursor=3)
    assert c.plain == "ab↵\nc"
    assert [(s.start, s.end, str(s.style)) for s in c.spans] == [
        (0, 2, "x"),
        (2, 4, "y"),
        (4, 5, "y reverse"),
    ]
    assert act_level(np.array([-1, -0.5, 0, 0.3, 0.9])).tolist() == [0, 1, 2, 3, 4]


# --- the trainer feeds the views only while one is shown --------------------------------


def run_trainer(hp: Hyperparams, actions):
    got: list[object] = []
    s = Session(Corpus.from_text(TEXT, "fox"), hp)
    t = Trainer(s, got.append)
    th = threading.Thread(target=t.run)
    th.start()
    try:
        actions(t, got)
    finally:
        t.stop()
        th.join(5)
    return got


def snapshots(got):
    return [e for e in got if isinstance(e, events.InsightSnapshot)]


def progress_since(got, start: int) -> int:
    return sum(isinstance(e, events.Progress) for e in got[start:])


# A shown view gets a snapshot with the first Progress INSIGHT_S after training (re)started;
# Progress comes at most PROGRESS_HZ times a second, so after this many a snapshot is due.
SNAPSHOT_DUE = math.ceil(INSIGHT_S * PROGRESS_HZ) + 3


def test_snapshots_only_while_insight_is_active():
    def actions(t, got):
        wait_for(lambda: t.session.n > 50)
        wait_for(lambda: progress_since(got, 0) >= SNAPSHOT_DUE, what="Progress events")
        assert not snapshots(got)  # hidden: nothing
        t.set_insight(True)
        wait_for(lambda: len(snapshots(got)) >= 3)
        t.set_insight(False)
        queue_marker(t)  # handled once set_insight(False) has been
        wait_for(lambda: any(isinstance(e, events.SettingsApplied) for e in got), what="marker")
        n = len(snapshots(got))
        start = len(got)
        wait_for(lambda: progress_since(got, start) >= SNAPSHOT_DUE, what="Progress events")
        assert len(snapshots(got)) == n
        assert t.session.grad_hook is None

    got = run_trainer(HP, actions)
    snaps = snapshots(got)
    assert snaps[0].val_loss is not None and snaps[0].val_chars > 0
    assert [s.iteration for s in snaps] == sorted(s.iteration for s in snaps)
    later = [s for s in snaps if s.health is not None]
    assert later and all(s.health_iteration <= s.iteration for s in later)


def test_health_is_of_the_gradient_before_clipping():
    hp = HP.with_(clip=1e-6)

    def actions(t, got):
        t.set_insight(True)
        wait_for(lambda: any(s.health is not None for s in snapshots(got)))

    got = run_trainer(hp, actions)
    snap = next(s for s in snapshots(got) if s.health is not None)
    size = snap.params.flat.size
    # a clipped gradient could not be longer than clip * sqrt(size)
    assert snap.health["grad_norm"]["all"] > 100 * hp.clip * math.sqrt(size)
    assert snap.health["clipped_fraction"]["all"] > 0.5


def test_step_paused_posts_a_snapshot_per_step():
    def actions(t, got):
        t.pause()
        wait_for(lambda: t.state == "paused")
        t.set_insight(True)
        wait_for(lambda: len(snapshots(got)) == 1)
        n = t.session.n
        t.step_once()
        wait_for(lambda: len(snapshots(got)) == 2)
        assert snapshots(got)[-1].iteration == n + 1

    run_trainer(HP, actions)


# --- the screen in the app --------------------------------------------------------------


async def test_insight_opens_updates_switches_tabs_and_closes(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.iteration > 20, what="training")
        assert not app.trainer._insight
        await press(pilot, "i")
        await until(pilot, lambda: isinstance(app.screen, InsightScreen), what="screen")
        screen = app.screen
        assert app.trainer._insight
        await until(pilot, lambda: screen.snap is not None, what="a snapshot")
        first = screen.snap.iteration
        await until(pilot, lambda: screen.snap.iteration > first, what="a newer snapshot")
        await until(pilot, lambda: app.insight.tracker.baselines, what="baselines")
        await until(pilot, lambda: "trigram" in body(app, "loss"), what="baselines shown")
        assert "held-out" in body(app, "loss")
        before = body(app, "loss")
        await press(pilot, "u")
        await until(pilot, lambda: app.insight.tracker.unit == "bits/char", what="units")
        assert "bits/char" in body(app, "loss") and body(app, "loss") != before
        expect = {
            "surprisal": "expected ",
            "temperature": "argmax",
            "neurons": "inside quotes",
            "novelty": "copied",
            "health": "before clipping",
        }
        for i, tab in enumerate(TABS[1:], start=2):
            await press(pilot, str(i))
            await until(pilot, lambda t=tab: screen.active == t, what=f"tab {tab}")
            await until(pilot, lambda t=tab: expect[t] in body(app, t), what=f"{tab} shown")
        await press(pilot, "2")
        await until(pilot, lambda: "expected " in body(app, "surprisal"), what="surprisal")
        await press(pilot, "right", "right")
        await until(pilot, lambda: screen.cursor == 3, what="cursor moved")
        await until(pilot, lambda: "#3 " in body(app, "surprisal"), what="top-5")
        await press(pilot, "escape")
        await until(pilot, lambda: not isinstance(app.screen, InsightScreen), what="closed")
        await until(pilot, lambda: not app.trainer._insight, what="trainer told")
        assert app.insight.screen is None
        n = app.iteration
        await until(pilot, lambda: app.iteration > n + 20, what="training goes on")


async def test_settings_change_is_listed(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.iteration > 10, what="training")
        app.trainer.set_live(learning_rate=0.05)
        await until(pilot, lambda: app.insight.tracker.markers, what="marker")
        m = app.insight.tracker.markers[0]
        assert (m.name, m.old, m.new) == ("learning_rate", 0.1, 0.05)
        app.action_insight()
        await until(pilot, lambda: isinstance(app.screen, InsightScreen), what="screen")
        await until(pilot, lambda: "learning_rate 0.1 → 0.05" in body(app, "loss"), what="list")


# what each tab shows once it has content
EXPECT = {
    "loss": "trigram",
    "surprisal": "expected ",
    "temperature": "argmax",
    "neurons": "inside quotes",
    "novelty": "% copied",
    "health": "before clipping",
}


def shown_iteration(text: str) -> int:
    """The iteration a tab says it shows (loss, temperature, health); -1 if none."""
    m = re.search(r"[Ii]teration ([\d,]+)", text)
    return int(m[1].replace(",", "")) if m else -1


@pytest.mark.parametrize("tab", TABS)
async def test_each_tab_opens_updates_while_training_and_closes(tmp_path, tab):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.iteration > 20, what="training")
        await press(pilot, "i")
        await until(pilot, lambda: isinstance(app.screen, InsightScreen), what="screen")
        screen = app.screen
        await press(pilot, str(TABS.index(tab) + 1))
        await until(pilot, lambda: screen.active == tab, what=f"tab {tab}")
        await until(pilot, lambda: EXPECT[tab] in body(app, tab), what=f"{tab} shown")
        before = body(app, tab)
        if tab == "temperature":  # kept still so it can be read: t resamples the latest
            shown = shown_iteration(before)
            await until(pilot, lambda: screen.snap.iteration > shown, what="a newer snapshot")
            await press(pilot, "t")
        await until(
            pilot,
            lambda: body(app, tab) != before and EXPECT[tab] in body(app, tab),
            what=f"{tab} updated",
        )
        assert app.state == "training"
        if shown_iteration(before) >= 0:  # a newer model, not only a redraw
            assert shown_iteration(body(app, tab)) > shown_iteration(before)
        await press(pilot, "escape")
        await until(pilot, lambda: not isinstance(app.screen, InsightScreen), what="closed")
        await until(pilot, lambda: not app.trainer._insight, what="trainer told")
        assert app.insight.screen is None


def test_neurons_tab_skips_a_feature_that_does_not_vary():
    corpus = Corpus.from_text("no brackets here, and no quotes either.\n" * 20, "plain")
    params = Session(corpus, HP).params
    snap = SimpleNamespace(params=params, hp=HP.with_(val_fraction=0.1))
    neurons = neurons_tab.compute(snap, corpus)
    ranked = neurons.ranked["h"]
    assert ranked["bracket_depth"] == [] and ranked["in_quotes"] == []
    assert len(ranked["after_newline"]) == 3
    units = neurons_tab.unit_list(ranked)
    assert units and set(units) <= {u for u, _ in ranked["line_position"] + ranked["after_newline"]}
    shown = neurons_tab.render(neurons, 0, units[0]).plain
    assert shown.count("does not vary in this passage") == 2

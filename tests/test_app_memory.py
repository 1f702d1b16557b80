"""Memory stays bounded while the app trains (issue #4, the soak): Textual's Footer leak,
the sample log's bounds, s still saving every sample, and the soak benchmark's verdict."""

from __future__ import annotations

import gc
import importlib.util
from pathlib import Path

from app_helpers import HP, SIZE, make_app
from pilot_helpers import press
from textual._styles_cache import StylesCache
from textual.widget import Widget
from textual.widgets import RichLog
from textual.widgets._footer import FooterKey
from waiting import until

from tui_charrnn.storage import RunFolder
from tui_charrnn.widgets import samples_pane
from tui_charrnn.widgets.footer import Footer

SOAK = Path(__file__).parent / "bench" / "soak.py"


def shows(footer: Footer, action: str) -> bool:
    return any(key.action == action for key in footer.query(FooterKey))


async def test_footer_keeps_no_removed_keys(tmp_path):
    """Each pause/resume rebuilds the footer's keys; Textual's Footer kept every key it
    ever built (~30 KB each time, textualize/textual#6666), and an lru_cache kept the
    StylesCache of up to 1,024 removed ones."""
    app = make_app(tmp_path, start_paused=True)
    async with app.run_test(size=SIZE) as pilot:
        footer = app.query_one(Footer)
        await until(pilot, lambda: app.state == "paused" and shows(footer, "resume"))
        for i in range(12):
            await press(pilot, "space")
            state, action = ("training", "pause") if i % 2 == 0 else ("paused", "resume")
            await until(pilot, lambda: app.state == state and shows(footer, action), what=state)
        await until(pilot, lambda: len(footer.query(FooterKey)) > 5, what="footer keys")
        shown = len(footer.query(FooterKey))
        gc.collect()
        removed = [o for o in gc.get_objects() if isinstance(o, FooterKey) and not o.is_attached]
        watchers = getattr(footer, "__watchers")["compact"]
        assert len(removed) < shown, f"{len(removed)} removed footer keys still alive"
        assert len(watchers) <= shown  # ~12 x shown without the pruning
        live = {id(w._styles_cache) for w in gc.get_objects() if isinstance(w, Widget)}
        caches = [o for o in gc.get_objects() if isinstance(o, StylesCache)]
        assert len([c for c in caches if id(c) not in live]) < shown
        await press(pilot, "q")
        await until(pilot, lambda: app.trainer.stopped.is_set(), what="stopped")


async def test_sample_log_and_list_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(samples_pane, "MAX_SAMPLES", 5)
    monkeypatch.setattr(samples_pane, "MAX_LINES", 30)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.sample_pane
        await until(pilot, lambda: pane.count > 40, what="40 samples")
        app._draw_all()
        assert len(pane.samples) == 5
        assert len(app.query_one(RichLog).lines) <= 30
        assert pane.samples[-1].iteration > pane.samples[0].iteration
        assert f"{pane.count:,} samples" == pane.border_subtitle
        await press(pilot, "q")
        await until(pilot, lambda: app.trainer.stopped.is_set(), what="stopped")


async def test_s_saves_every_sample_though_the_pane_keeps_the_latest(tmp_path, monkeypatch):
    """Old samples come from samples.jsonl, the ones not flushed yet from the pane."""
    monkeypatch.setattr(samples_pane, "MAX_SAMPLES", 3)
    app = make_app(tmp_path, HP.with_(sample_every=1), start_paused=True, autosave_s=0)
    runs = tmp_path / "runs"

    def on_disk() -> list:
        return [s for f in runs.glob("*/samples.jsonl") for s in RunFolder(f.parent).read_samples()]

    async with app.run_test(size=SIZE) as pilot:
        pane = app.sample_pane
        await until(pilot, lambda: app.state == "paused", what="paused")
        for n in (4, 2):  # 4 steps, a checkpoint (it flushes samples.jsonl), 2 more steps
            target = pane.count + n
            for _ in range(n):
                await press(pilot, "n")
            await until(pilot, lambda: pane.count >= target, what="samples")
            if n == 4:
                flushed = pane.count
                await press(pilot, "c")
                await until(pilot, lambda: len(on_disk()) == flushed, what="samples.jsonl")
        total = pane.count
        assert total >= 6 and len(pane.samples) == 3  # the older ones only on disk
        assert len(on_disk()) < total  # the last steps only in memory
        await press(pilot, "s")
        saved = next(runs.iterdir()) / "samples.txt"
        await until(pilot, lambda: saved.is_file(), what="samples.txt")
        text = saved.read_text("utf-8")
        assert text.count("----- iteration ") == total
        await press(pilot, "q")
        await until(pilot, lambda: app.trainer.stopped.is_set(), what="stopped")


def soak_module():
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_soak_verdict_can_say_growing():
    soak = soak_module()
    wobble = [0.0, 0.6, -0.4, 0.3, -0.5, 0.2]
    times = [5.0 * i for i in range(1, 37)]  # 180 s, every 5 s
    flat = [(t, 80 + wobble[i % 6]) for i, t in enumerate(times)]
    assert soak.verdict(flat)[0] == "FLAT"
    warm = [(t, 60 + min(t, 30) + wobble[i % 6]) for i, t in enumerate(times)]
    assert soak.verdict(warm)[0] == "FLAT"  # the warm-up is not judged
    leak = [(t, 80 + 3 * t / 60 + wobble[i % 6]) for i, t in enumerate(times)]
    said, per_min, judged = soak.verdict(leak)
    assert said == "GROWING" and 2.5 < per_min < 3.5
    assert judged[0][0] >= 60  # the last two thirds
    assert soak.verdict(flat[:5])[0] == "TOO SHORT"

"""Snapshots of the insight screen (i) at 80x24, in a seeded, paused, deterministic state.

The app starts paused, steps a fixed number of iterations, opens the insight screen and
waits until the snapshot, the held-out loss and the baselines are shown; one tab each. The
health tab needs one more step with the screen open (the gradient is captured only while a
view is shown). Regenerate after a deliberate change with
`pytest tests/test_insight_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest
from pilot_helpers import paused_app
from waiting import until

from tui_charrnn.app import CharRNNApp
from tui_charrnn.screens.insight import InsightScreen

TEXT = (
    "THE FOX AND THE CROW\n\nA crow sat on a branch with a piece of cheese. "
    'A fox came by and said: "What a voice (if only she would sing)!" She sang; '
    "the cheese fell.\nMoral: do not trust flatterers.\n\n"
) * 12
STEPS = 12
SAMPLE_EVERY = 5  # SNAPSHOT_HP.sample_every


def make_app(tmp_path) -> CharRNNApp:
    return paused_app(tmp_path, TEXT)


def shown(app, tab: str, text: str) -> bool:
    found = app.screen.query(f"#ins-{tab}")
    return bool(found) and text in str(found.first().content)


async def step(pilot, n: int) -> None:
    """n single steps, queued at once (each is the same iteration however it is timed)."""
    app = pilot.app
    target = app.iteration + n
    for _ in range(n):
        app.action_step()
    await until(pilot, lambda: app.iteration == target, timeout=60, what=f"iteration {target}")


def latest_sample(app) -> int | None:
    samples = app.sample_pane.samples
    return samples[-1].iteration if samples else None


def open_on(tab: str, text: str, steps: int = STEPS, steps_open: int = 0):
    """Step `steps` times, open the screen, step `steps_open` more times, show `tab`."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await until(pilot, lambda: app.state == "paused")
        await step(pilot, steps)
        last = (steps - 1) // SAMPLE_EVERY * SAMPLE_EVERY  # the latest sample's iteration
        await until(pilot, lambda: latest_sample(app) == last, what=f"sample {last}")
        await until(pilot, lambda: app.insight.tracker.baselines is not None)
        app.action_insight()
        await until(pilot, lambda: isinstance(app.screen, InsightScreen))
        await until(
            pilot, lambda: app.screen.snap is not None and app.screen.snap.iteration == steps
        )
        if steps_open:
            await step(pilot, steps_open)
            await until(pilot, lambda: app.screen.snap.iteration == steps + steps_open)
        app.screen.action_tab(tab)
        await until(pilot, lambda: shown(app, tab, text), what=f"{text!r} on {tab}")
        app.clear_notifications()
        await until(pilot, lambda: not app.screen.query("Toast"), what="no notification shown")

    return run_before


# what each tab shows once its content is complete
SHOWN = {
    "loss": "trigram",
    "surprisal": "expected ",
    "temperature": "T = 1.5",
    "neurons": "inside quotes",
    "novelty": "iteration 685:",  # the oldest of the three samples shown
    "health": "saturated units",
}
# novelty: trained long enough to copy spans of the corpus (and not only copy)
STEPS_BEFORE = {"novelty": 700}
# health: the gradient is captured only while a view is shown, so one step after opening
STEPS_OPEN = {"health": 1}


@pytest.mark.parametrize("tab", list(SHOWN))
def test_insight_screen(snap_compare, tmp_path, tab):
    app = make_app(tmp_path)
    run_before = open_on(tab, SHOWN[tab], STEPS_BEFORE.get(tab, STEPS), STEPS_OPEN.get(tab, 0))
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)

"""Snapshots of the insight screen (i) at 80x24, in a seeded, paused, deterministic state.

The app starts paused, steps a fixed number of iterations, opens the insight screen and
waits until the snapshot, the held-out loss and the baselines are shown. Regenerate after a
deliberate change with `pytest tests/test_insight_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest
from pilot_helpers import paused_app, until

from tui_charrnn.app import CharRNNApp
from tui_charrnn.screens.insight import InsightScreen

TEXT = (
    "THE FOX AND THE CROW\n\nA crow sat on a branch with a piece of cheese. "
    'A fox came by and said: "What a voice (if only she would sing)!" She sang; '
    "the cheese fell.\nMoral: do not trust flatterers.\n\n"
) * 12
STEPS = 12


def make_app(tmp_path) -> CharRNNApp:
    return paused_app(tmp_path, TEXT)


def shown(app, tab: str, text: str) -> bool:
    found = app.screen.query(f"#ins-{tab}")
    return bool(found) and text in str(found.first().content)


def open_on(tab: str, text: str):
    async def run_before(pilot) -> None:
        app = pilot.app
        await until(pilot, lambda: app.state == "paused")
        for i in range(1, STEPS + 1):
            app.action_step()
            await until(pilot, lambda i=i: app.iteration == i)
        await until(pilot, lambda: len(app.sample_pane.samples) == 3)
        await until(pilot, lambda: app.insight.tracker.baselines is not None)
        app.action_insight()
        await until(pilot, lambda: isinstance(app.screen, InsightScreen))
        await until(
            pilot, lambda: app.screen.snap is not None and app.screen.snap.iteration == STEPS
        )
        app.screen.action_tab(tab)
        await until(pilot, lambda: shown(app, tab, text))
        app.clear_notifications()
        await pilot.pause(0.3)

    return run_before


SHOWN = {"loss": "trigram", "surprisal": "expected ", "neurons": "inside quotes"}


@pytest.mark.parametrize("tab", list(SHOWN))
def test_insight_screen(snap_compare, tmp_path, tab):
    app = make_app(tmp_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_on(tab, SHOWN[tab]))

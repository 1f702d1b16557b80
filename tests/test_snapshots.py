"""Snapshots of the paused app at 80x24 and 120x40, in a seeded, deterministic state.

The app starts paused in deterministic mode (clock-dependent numbers are shown as
dashes), then steps a fixed number of iterations. Regenerate after a deliberate change
with `pytest tests/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import pytest
from pilot_helpers import paused_app
from waiting import until

from tui_charrnn.app import CharRNNApp

TEXT = (
    "THE FOX AND THE CROW\n\nA crow sat on a branch with a piece of cheese. "
    "A fox came by and praised her voice, and when she sang the cheese fell.\n"
    "Moral: do not trust flatterers.\n\n"
) * 12
STEPS = 12


def make_app(tmp_path) -> CharRNNApp:
    return paused_app(tmp_path, TEXT)


async def step_paused(pilot) -> None:
    app = pilot.app
    await until(pilot, lambda: app.state == "paused")
    for i in range(1, STEPS + 1):
        app.action_step()
        await until(pilot, lambda i=i: app.iteration == i)
    await until(pilot, lambda: len(app.sample_pane.samples) == 3)  # iterations 0, 5, 10
    app.sample_pane.flush()
    log = app.sample_pane.log_view
    await until(pilot, lambda: len(log.lines) > 0, what="the samples written in the log")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_paused_app(snap_compare, tmp_path, size):
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=step_paused)

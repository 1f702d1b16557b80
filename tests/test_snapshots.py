"""Snapshots of the paused app at 80x24 and 120x40, in a seeded, deterministic state, and
of the compare screen (a saved run written by hand beside the current one).

The app starts paused in deterministic mode (clock-dependent numbers are shown as
dashes), then steps a fixed number of iterations. Regenerate after a deliberate change
with `pytest tests/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

import json

import pytest
from pilot_helpers import paused_app
from waiting import until

from tui_charrnn.app import CharRNNApp
from tui_charrnn.model import Net
from tui_charrnn.run_folder import RunFolder
from tui_charrnn.screens.compare import CompareScreen
from tui_charrnn.storage import RunInfo

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


def saved_run(tmp_path) -> RunInfo:
    """A 2-layer lstm run's folder with five held-out losses (batch 4 x 16 characters)."""
    folder = RunFolder(tmp_path / "saved" / "fables-20250101-120000")
    folder.path.mkdir(parents=True)
    hp = {"seq_length": 16, "batch_size": 4}
    (folder.path / "settings.json").write_text(json.dumps({"corpus": "fables", "hparams": hp}))
    vals = (3.69, 3.2, 2.9, 2.75, 2.7)
    folder.append_metrics([(i * 2 - 1, 50.0, 50.0, 0.002, 0, 0, v) for i, v in enumerate(vals, 1)])
    return RunInfo(folder.path, "fables", 10, None, 0.0, net=Net(40, 32, "lstm", 2))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_compare_screen(snap_compare, tmp_path, size):
    app = make_app(tmp_path)

    async def compare(pilot) -> None:
        await step_paused(pilot)
        screen = CompareScreen([saved_run(tmp_path)], app.runs.current_curve)
        app.push_screen(screen)
        await until(pilot, lambda: screen.saved, what="the saved run read")
        await until(pilot, lambda: len(screen.chart.curves) == 2, what="both curves")

    assert snap_compare(app, terminal_size=size, run_before=compare)

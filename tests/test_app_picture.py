"""The app's end of a run on disk: p writes the whole run's loss curves to loss.svg in the
run folder (through the recorder, as `train --plot` does) and says where; quitting puts
the held-out loss at the last iteration into metrics.csv's last row."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from app_helpers import SIZE, make_app, shown
from pilot_helpers import press
from waiting import until

from tui_charrnn.metrics import METRICS_EVERY
from tui_charrnn.run_folder import RunFolder

SVG = "{http://www.w3.org/2000/svg}"


def points(line: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in line.get("points").split()]


async def test_p_writes_the_loss_curves_of_the_whole_run(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration >= 8 * METRICS_EVERY, what="a few rows")
        await press(pilot, "space")
        await until(pilot, lambda: app.state == "paused", what="paused")
        await press(pilot, "p")
        await until(pilot, lambda: "loss.svg" in shown(app), what="the notice")
        folder = app.recorder.folder
        path = folder.path / "loss.svg"
        assert str(path) in shown(app).replace("\n", "")  # where it was written
        rows = folder.read_metrics()  # paused: the picture has every row
        svg = ET.parse(path).getroot()
        assert svg.tag == f"{SVG}svg"
        train, held_out = svg.findall(f"{SVG}polyline")
        assert len(points(train)) == len(rows) >= 8
        assert len(points(held_out)) == sum(m.val_loss is not None for m in rows) >= 1
        xs = [x for x, _ in points(train)]
        assert xs == sorted(xs) and len(set(xs)) == len(xs)  # one point per row, in order
        await press(pilot, "q")
        await until(pilot, lambda: app.trainer.stopped.is_set(), what="stopped")


async def test_quit_puts_the_final_held_out_loss_in_the_last_row(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.iteration >= 3 * METRICS_EVERY, what="a few rows")
        await press(pilot, "space")
        await until(pilot, lambda: app.state == "paused", what="paused")
        n = app.trainer.session.n
        await press(pilot, "q")
        await until(pilot, lambda: app.trainer.stopped.is_set(), what="stopped")
    folder = RunFolder(Path(next((tmp_path / "runs").iterdir())))
    rows = folder.read_metrics()
    iterations = [m.iteration for m in rows]
    assert len(set(iterations)) == len(iterations)  # never two rows for one iteration
    last = rows[-1]
    assert last.iteration == n - 1 and last.val_loss is not None
    assert app.trainer.validator.latest.iteration == n
    assert last.val_loss == app.trainer.validator.latest.loss

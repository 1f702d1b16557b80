"""Comparing runs: the chart's curves (pure layout, by hand) and the runs browser's marks
and compare screen in the app (Pilot), against characters trained and iterations."""

from __future__ import annotations

from app_helpers import file_app, fox_file
from pilot_helpers import press
from waiting import until

from tui_charrnn.screens.compare import CompareScreen
from tui_charrnn.screens.runs_browser import MARK, RunsBrowser
from tui_charrnn.storage import list_runs
from tui_charrnn.widgets.dialogs import ConfirmScreen
from tui_charrnn.widgets.loss_chart import CURVE_GLYPHS, curve_cells, x_column


def test_curve_cells_average_a_column_and_join_points():
    assert [x_column(x, 0, 100, 11) for x in (0, 50, 100, 4, 6)] == [0, 5, 10, 0, 1]
    assert x_column(7, 7, 7, 11) == 0  # one x: the first column
    # scale 0..1 on 2 rows: levels 0..15, row = level // 8
    points = [(0, 1.0), (1, 0.0), (100, 0.0)]  # the first two share column 0: mean 0.5
    cells = curve_cells(points, (0, 100), (0.0, 1.0), 5, 2)
    assert cells[0] == (0, True)  # 0.5 -> level 7 -> row 0
    assert cells[4] == (0, True)
    assert cells[1] == cells[2] == cells[3] == (0, False)  # the line between them
    up = curve_cells([(0, 0.0), (4, 1.0)], (0, 4), (0.0, 1.0), 5, 2)
    # levels on the line: 0, 3.75, 7.5, 11.25, 15 -> 0, 3, 7, 11, 15 -> rows 0 0 0 1 1
    assert [up[c][0] for c in range(5)] == [0, 0, 0, 1, 1]


async def test_mark_runs_and_compare_their_held_out_loss(tmp_path):
    corpus = fox_file(tmp_path)
    app = file_app(tmp_path, corpus, autosave_s=0)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: app.iteration > 30, what="training")
        await press(pilot, "r")  # the first run is saved, a second one starts
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await press(pilot, "y")
        await until(pilot, lambda: list_runs(tmp_path / "runs"), what="the first run saved")
        (first,) = list_runs(tmp_path / "runs")
        await until(pilot, lambda: app.loss_pane.vals and app.iteration > 30, what="run 2")
        await press(pilot, "o")
        await until(pilot, lambda: isinstance(app.screen, RunsBrowser), what="the browser")
        browser = app.screen
        await until(pilot, lambda: browser.loaded, what="runs listed")
        row = [r.path for r in browser.runs].index(first.path)
        await press(pilot, *["down"] * row, "space")
        table = browser.query_one("#runs-table")
        await until(pilot, lambda: table.get_cell_at((row, 0)) == MARK, what="the mark")
        # rnn, H 16, V 28: 16x28 + 16x16 + 28x16 + 16 + 28 = 1,196 parameters
        assert table.get_cell_at((row, 2)) == "rnn 16 · 1.2k params"
        await press(pilot, "c")
        await until(pilot, lambda: isinstance(app.screen, CompareScreen), what="the chart")
        chart = app.screen.chart
        await until(pilot, lambda: len(chart.curves) == 2, what="two curves")
        saved, now = chart.curves
        assert saved.label == "rnn 16 · 1.2k params · fox"
        assert now.label == "rnn 16 · 1.2k params · fox (this run)"
        # against characters trained: iterations trained x seq_length 10 x batch 1
        held = app.screen.saved[0]
        assert saved.points == [(n * 10, v) for n, v in held.points]
        assert held.points[0][0] == 1  # the first validation: one iteration trained
        text = chart.render().plain
        assert CURVE_GLYPHS[0] in text and f"{CURVE_GLYPHS[1]} {now.label}" in text
        axis = app.screen.query_one("#compare-axis")
        await until(pilot, lambda: "characters trained" in str(axis.content), what="x: chars")
        await press(pilot, "x")
        await until(pilot, lambda: chart.curves[0].points == list(held.points), what="x: iter")
        await until(pilot, lambda: "iterations" in str(axis.content).split("·")[0])
        # the current run's curve grows while it trains
        count = len(app.loss_pane.vals)
        await until(pilot, lambda: len(app.loss_pane.vals) > count, what="another validation")
        await until(pilot, lambda: len(chart.curves[1].points) > count, what="drawn live")
        await press(pilot, "escape")
        await until(pilot, lambda: isinstance(app.screen, RunsBrowser), what="back")

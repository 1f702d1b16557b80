"""The loss chart: columns, bars, markers (pure functions), and the app showing validation
points and a marker for a live setting change (Pilot), including after a resume."""

from __future__ import annotations

from app_helpers import file_app, fox_file, resume_app, set_field
from pilot_helpers import paused_app, press
from textual.content import Content
from waiting import until

from tui_charrnn.hparams import Hyperparams
from tui_charrnn.widgets.loss_chart import (
    MARK_GLYPH,
    VAL_GLYPH,
    LossChart,
    bar_cell,
    column_of,
    column_starts,
    column_values,
    level,
    marker_row,
)

TEXT = "THE FOX AND THE CROW\nA crow sat on a branch with a piece of cheese. " * 20


def test_columns_average_or_stretch_like_a_sparkline():
    its = list(range(100, 900, 100))  # 8 points
    assert column_starts(its, 4) == [100, 300, 500, 700]
    assert column_values([1, 3, 5, 7, 9, 11, 13, 15], 4) == [2, 6, 10, 14]
    assert column_starts(its[:2], 4) == [100, 100, 200, 200]  # fewer points: stretched
    assert column_values([1.0, 2.0], 4) == [1.0, 1.0, 2.0, 2.0]
    starts = column_starts(its, 4)
    assert column_of(50, starts) is None  # scrolled off the left
    assert [column_of(x, starts) for x in (100, 299, 300, 750, 5000)] == [0, 0, 1, 3, 3]


def test_bars_in_eighths():
    assert level(1.0, 1.0, 2.0, 2) == 0 and level(2.0, 1.0, 2.0, 2) == 15
    assert level(9.0, 1.0, 2.0, 2) == 15 and level(1.5, 1.5, 1.5, 3) == 0  # clipped, flat
    assert [bar_cell(11, r) for r in (0, 1, 2)] == ["█", "▄", " "]


def test_marker_row_puts_the_legend_beside_the_latest_marker():
    row, at = marker_row(40, [5, 12], "lr 0.1→0.05 @ 400", anchor=12)
    assert row[5] == row[12] == MARK_GLYPH and row[14:31] == "lr 0.1→0.05 @ 400"
    assert at == 14 and len(row) == 40
    row, at = marker_row(30, [5, 26], "lr 0.1→0.05 @ 400", anchor=26)  # no room right
    assert row[8:25] == "lr 0.1→0.05 @ 400" and row[26] == MARK_GLYPH and at == 8
    row, at = marker_row(20, [2, 10, 18], "a label too long", anchor=18)  # nowhere free
    assert at is None and row.count(MARK_GLYPH) == 3
    row, at = marker_row(40, [], f"{VAL_GLYPH} validation  {MARK_GLYPH} setting change")
    assert row.endswith("setting change") and at == 40 - 30


# --- in the app ----------------------------------------------------------------------

HP = Hyperparams(hidden_size=16, seq_length=16, sample_every=50, seed=3)


def chart_text(app) -> str:
    return app.loss_pane.query_one(LossChart).render().plain


def labels(app) -> str:
    return Content.from_markup(str(app.query_one("#loss-now").content)).plain


async def test_chart_shows_validation_and_a_marker_for_a_live_change(tmp_path):
    app = paused_app(tmp_path, TEXT, HP)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        assert VAL_GLYPH not in chart_text(app).splitlines()[0]
        await press(pilot, "n")  # one step: iteration 0 is a metrics row, validation is due
        await until(pilot, lambda: app.loss_pane.val is not None, what="a validation")
        want = f"{VAL_GLYPH} val {app.loss_pane.val.loss:.3f} · best"
        await until(pilot, lambda: want in labels(app), what="the validation line")
        await until(pilot, lambda: VAL_GLYPH in chart_text(app)[:-30], what="a ● on the chart")
        await set_field(pilot, "#hp-learning_rate", "0.05")
        await press(pilot, "enter")
        await until(pilot, lambda: app.loss_pane.marks, what="a marker")
        assert app.loss_pane.marks == [(1, "learning_rate", 0.1, 0.05)]
        await until(pilot, lambda: "lr 0.1→0.05 @ 1" in chart_text(app), what="the legend")
        assert MARK_GLYPH in chart_text(app).splitlines()[-1]


async def test_a_resumed_run_shows_its_markers_and_validation(tmp_path):
    corpus = fox_file(tmp_path)
    first = file_app(tmp_path, corpus, HP.with_(val_fraction=0.2), start_paused=True)
    async with first.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: first.state == "paused" and first.run_started, what="paused")
        for n in (1, 2, 3):
            await press(pilot, "n")
            await until(pilot, lambda n=n: first.iteration == n, what=f"step {n}")
        first.trainer.set_live(temperature=0.5)
        await until(pilot, lambda: first.loss_pane.marks, what="a marker")
        for n in range(4, 12):
            await press(pilot, "n")
            await until(pilot, lambda n=n: first.iteration == n, what=f"step {n}")
        await press(pilot, "q")
        await until(pilot, lambda: first.trainer.stopped.is_set(), what="saved and stopped")
    (folder,) = (tmp_path / "runs").iterdir()
    assert (folder / "changes.jsonl").read_text().count('"temperature"') == 1
    app = resume_app(tmp_path, folder, corpus, start_paused=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.loss_pane.marks, what="the saved marker")
        assert app.loss_pane.marks == [(3, "temperature", 1.0, 0.5)]
        assert app.loss_pane.vals[0][0] == 1 and app.loss_pane.val_best is not None
        await until(pilot, lambda: "temp 1→0.5 @ 3" in chart_text(app), what="its legend")
        assert VAL_GLYPH in chart_text(app)[:-30]
        tracker = app.insight.tracker
        await until(pilot, lambda: [m.name for m in tracker.markers] == ["temperature"])

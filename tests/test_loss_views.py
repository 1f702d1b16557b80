"""The loss chart keeps the whole run (issue 11, item 3): a long run is shown from its
start, downsampled; w switches to the recent window and back; the y axis is labelled in a
gutter and the row under the chart names the view and its iterations, at 80x24; the
validation points (●) and setting markers (▲) are on both views."""

from __future__ import annotations

import math

from app_helpers import TEXT
from pilot_helpers import paused_app, press, until

from tui_charrnn import events
from tui_charrnn.widgets import loss_chart
from tui_charrnn.widgets.loss_chart import MARK_GLYPH, VAL_GLYPH, LossChart

T = 16  # paused_app's seq_length
LAST = 100_000


def npc(i: int) -> float:
    """A loss curve that falls from ln V to about 1.2 nats/char."""
    return 1.2 + 2.1 * math.exp(-i / 8_000)


async def feed_a_long_run(app) -> None:
    for start in range(1, LAST + 1, 1_000):
        losses = tuple((i, npc(i) * T) for i in range(start, start + 1_000))
        app._from_trainer(events.Progress(losses[-1][0], losses[-1][1], losses, 0, 0, T))
        if start in (1_001, 97_001):  # a setting change and a validation early and late
            temperature = 0.5 if start < LAST // 2 else 0.8
            app._from_trainer(events.SettingsApplied({"temperature": temperature}, start, {}))
            app._from_trainer(events.Validated(start + 10, 2.0, 2.0, start + 10, 500))


def chart_lines(app) -> list[str]:
    return app.loss_pane.query_one(LossChart).render().plain.splitlines()


def axis(app) -> str:
    return str(app.query_one("#loss-axis").content)


def y_label(value: float) -> str:
    return loss_chart.y_label(value)


def test_axis_row_and_labels():
    axis_row = loss_chart.axis_row
    assert axis_row(30, 5, "0", "9,000", ["whole run", "w"]) == "     0     whole run     9,000"
    assert axis_row(14, 5, "0", "9,000", ["whole run", "w"]) == "     0   9,000"  # no room
    assert [y_label(v) for v in (4.174, 12.34, 213.6)] == ["4.17", "12.3", "214"]


async def test_the_whole_run_and_the_recent_window(tmp_path):
    app = paused_app(tmp_path, TEXT)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        await feed_a_long_run(app)
        await until(pilot, lambda: app.iteration == LAST, what="the run fed")
        pane = app.loss_pane
        await until(pilot, lambda: "whole run" in axis(app), what="the whole run")
        points = pane.shown_points()
        assert points[0][0] == 0 and points[-1][0] == LAST  # from the start to the latest
        lines = chart_lines(app)
        values = [v for _, v in points]
        assert values[0] == max(values) and values[-1] == min(values)  # a falling curve
        assert lines[0].startswith(y_label(values[0]) + "┤")  # top: the start (ln V)
        assert lines[-2].startswith(y_label(values[-1]) + "┤")  # bottom: the latest
        assert axis(app).strip().startswith(f"{points[0][0]:,}")
        assert axis(app).endswith(f"{LAST:,}") and "w: recent" in axis(app)
        text = "\n".join(lines)
        assert text.count(VAL_GLYPH) == 2 and lines[-1].count(MARK_GLYPH) == 2
        await press(pilot, "w")
        await until(pilot, lambda: "w: whole" in axis(app), what="the recent window")
        first = pane.points[0][0]
        assert first > LAST - 26_000 and "recent · w: whole" in axis(app)
        lines = chart_lines(app)
        assert "\n".join(lines).count(VAL_GLYPH) == 1 and lines[-1].count(MARK_GLYPH) == 1
        assert lines[0].startswith(y_label(2.0) + "┤")  # the validation point is the top
        await pilot.resize_terminal(120, 40)
        span = f"last {LAST - first:,} iterations · nats/char"
        await until(pilot, lambda: span in axis(app), what="the long form")
        await press(pilot, "w")
        await until(pilot, lambda: "whole run · nats/char" in axis(app), what="the whole run")

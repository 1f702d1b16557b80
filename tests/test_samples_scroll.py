"""The sample log while training (issue 11, item 4): scrolled up to read, it stays put and
says how many new samples wait below; End (or scrolling back to the bottom) shows them and
follows the new ones again."""

from __future__ import annotations

from app_helpers import HP, make_app
from pilot_helpers import press, until


async def test_scrolled_up_stays_put_and_end_follows_again(tmp_path):
    app = make_app(tmp_path, HP.with_(sample_every=5, sample_length=40))
    async with app.run_test(size=(80, 24)) as pilot:
        pane, log = app.sample_pane, app.sample_pane.log_view
        await until(pilot, lambda: log.max_scroll_y > 30, timeout=20, what="a long log")
        log.focus()
        await press(pilot, "pageup", "pageup")
        await until(pilot, lambda: not log.is_vertical_scroll_end, what="scrolled up")
        await until(pilot, lambda: log.scroll_y == log.scroll_target_y, what="scroll settled")
        y, lines, count = log.scroll_y, len(log.lines), pane.count
        await until(pilot, lambda: pane.count > count + 3, what="new samples")
        hint = lambda: "new below" in str(pane.border_subtitle)  # noqa: E731
        await until(pilot, lambda: hint() or log.scroll_y != y, what="a flush")
        assert log.scroll_y == y and len(log.lines) == lines  # nothing moved under the reader
        assert hint()
        await press(pilot, "end")
        await until(pilot, lambda: "new below" not in str(pane.border_subtitle), what="shown")
        await until(pilot, lambda: log.is_vertical_scroll_end and len(log.lines) > lines)
        y = log.scroll_y
        await until(pilot, lambda: log.scroll_y > y, what="following again")

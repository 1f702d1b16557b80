"""Resizing: at 80 columns the footer shows every key, and the palette hint comes back when
it fits; the tips pane hides in a short terminal and comes back in a tall one."""

from __future__ import annotations

from app_helpers import TEXT
from pilot_helpers import paused_app
from textual.widgets._footer import FooterKey
from waiting import until

from tui_charrnn.app import PALETTE_HINT_WIDTH


def keys(app) -> list[FooterKey]:
    return list(app.footer.query(FooterKey))


def all_inside(app) -> bool:
    """Every key laid out, none cut by the screen's right edge."""
    width = app.screen.size.width
    shown = keys(app)
    return bool(shown) and all(0 < k.region.width and k.region.right <= width for k in shown)


def hint_shown(app) -> bool:
    return any(k.has_class("-command-palette") for k in keys(app))


async def test_every_key_fits_at_80_columns_and_the_hint_returns_when_wide(tmp_path):
    app = paused_app(tmp_path, TEXT)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        await until(pilot, lambda: all_inside(app), what="every key inside 80 columns")
        assert not hint_shown(app)
        assert {"o", "q", "question_mark"} <= {k.key for k in keys(app)}
        await pilot.resize_terminal(PALETTE_HINT_WIDTH + 10, 30)
        await until(pilot, lambda: hint_shown(app) and all_inside(app), what="palette hint")
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: not hint_shown(app) and all_inside(app), what="hint hidden")


async def test_tips_come_back_when_the_terminal_grows(tmp_path):
    app = paused_app(tmp_path, TEXT)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        assert not app.tips_pane.display
        await pilot.resize_terminal(120, 40)  # the settings need the rows
        await until(pilot, lambda: app.size.height == 40, what="resized")
        await pilot.resize_terminal(120, 44)  # one row short: still hidden
        await until(pilot, lambda: app.size.height == 44, what="resized again")
        assert not app.tips_pane.display
        await pilot.resize_terminal(120, 45)
        await until(pilot, lambda: app.tips_pane.display, what="tips shown")
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: not app.tips_pane.display, what="tips hidden")

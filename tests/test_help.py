"""The help (issue 11, items 6 and 8): the keyboard scrolls it at 80x24, a wrapped bullet
or key line keeps its indent, it names every key (i, w too) and speaks of the original
min-char-rnn, not of "the seed"."""

from __future__ import annotations

from app_helpers import TEXT
from pilot_helpers import paused_app, press, until
from textual.widgets import Static

from tui_charrnn.insight.tracker import Tracker
from tui_charrnn.screens.insight import loss_tab
from tui_charrnn.widgets.dialogs import HELP, HelpScreen


def test_help_names_every_key_and_the_original_script():
    for key in ("space", "n", "g", "i", "w", "s", "c", "p", "r", "o", "q", "End", "F1"):
        assert f"[b]{key}[/]" in HELP or f"/ {key}[/]" in HELP, key
    assert "seed's" not in HELP and "the original min-char-rnn" in HELP
    text = loss_tab.render(Tracker(), None).plain  # the pane is titled Hyperparameters
    assert "change one in the Hyperparameters pane" in text and "settings pane" not in text


async def test_help_scrolls_with_the_keyboard_and_keeps_indents(tmp_path):
    app = paused_app(tmp_path, TEXT)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.state == "paused", what="paused")
        await press(pilot, "question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await until(pilot, lambda: app.screen.query("#help"), what="composed")
        scroll = app.screen.query_one("#help")
        await until(pilot, lambda: scroll.max_scroll_y > 5, what="laid out")
        await press(pilot, "down")
        await until(pilot, lambda: scroll.scroll_y >= 1, what="one line down")
        await press(pilot, "pagedown")
        await until(pilot, lambda: scroll.scroll_y > 5, what="a page down")
        await press(pilot, "end")
        await until(pilot, lambda: scroll.scroll_y == scroll.max_scroll_y, what="the end")
        await press(pilot, "home")
        await until(pilot, lambda: scroll.scroll_y == 0, what="the top")
        rows = list(app.screen.query(".help-row"))
        wrapped = [r for r in rows if r.region.height > 1]
        assert wrapped, "at 80 columns some bullets wrap"
        for row in rows:  # the text column starts right of the bullet or key, every line
            first, text = row.query_one(".help-bullet, .help-key"), row.query_one(".help-text")
            assert text.region.x >= first.region.right and text.region.height == row.region.height
        key_texts = [str(s.content) for s in app.screen.query(".help-key").results(Static)]
        assert "[b]i[/]" in key_texts
        await press(pilot, "escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen), what="closed")

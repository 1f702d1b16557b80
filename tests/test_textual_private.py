"""The private Textual details that tui_charrnn/widgets/textual_private.py relies on, one
test per workaround. A failure after a Textual upgrade means the workaround no longer
works as written (or is no longer needed): see the function's docstring."""

from __future__ import annotations

import gc
import weakref

from textual._styles_cache import StylesCache
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.widgets import Footer, RichLog
from textual.widgets._footer import FooterKey
from waiting import until

from tui_charrnn.widgets import textual_private
from tui_charrnn.widgets.samples_pane import SampleLog


class FooterApp(App[None]):
    BINDINGS = [Binding("a", "bell", "Alpha"), Binding("b", "focus_next", "Beta")]  # noqa: RUF012

    def compose(self) -> ComposeResult:
        yield Footer(compact=True)


def bound_keys(footer: Footer) -> list[FooterKey]:
    """The keys bound to Footer.compact: all but the command palette's."""
    return [k for k in footer.query(FooterKey) if not k.has_class("-command-palette")]


async def test_footer_keys_leave_watchers_that_prune_closed_watchers_drops():
    """Footer binds each FooterKey to Footer.compact (data_bind) and keeps the entry in
    `__watchers` after a recompose removed the key (textualize/textual#6666); the entries
    of closed keys are dropped, those of the live keys kept and still bound."""
    app = FooterApp()
    async with app.run_test(size=(60, 5)) as pilot:
        footer = app.query_one(Footer)
        await until(pilot, lambda: len(bound_keys(footer)) == 2, what="footer keys")
        await pilot.pause()
        old_keys = bound_keys(footer)
        watchers = getattr(footer, textual_private.WATCHERS_ATTRIBUTE)["compact"]
        assert {id(n) for n, _ in watchers} == {id(k) for k in old_keys}
        app.screen.refresh_bindings()  # the footer rebuilds its keys (recompose)

        def rebuilt() -> bool:
            new = bound_keys(footer)
            return len(new) == 2 and not {id(k) for k in new} & {id(k) for k in old_keys}

        await until(pilot, rebuilt, what="new footer keys")
        await pilot.pause()
        new_keys = bound_keys(footer)
        assert all(k._closing or k._closed for k in old_keys)  # the flags the pruning reads
        assert not any(k._closing or k._closed for k in new_keys)
        # the leak: Textual still holds the removed keys (else drop the workaround)
        assert len(watchers) == len(old_keys) + len(new_keys)
        assert textual_private.prune_closed_watchers(footer) == len(old_keys)
        assert [id(n) for n, _ in watchers] == [id(k) for k in new_keys]
        assert textual_private.prune_closed_watchers(footer) == 0
        footer.compact = False  # the live keys are still bound
        await pilot.pause()
        assert not any(k.compact for k in new_keys)


def test_styles_cache_lru_holds_removed_widgets_until_cleared():
    """StylesCache.get_inner_outer is an lru_cache keyed on the StylesCache itself: it keeps
    a StylesCache alive after its widget is gone, until clear_styles_cache empties it."""
    clear = textual_private._styles_cache_clear()
    assert clear == StylesCache.get_inner_outer.cache_clear
    cache = StylesCache()
    ref = weakref.ref(cache)
    assert len(cache.get_inner_outer(Color(10, 20, 30), Color(40, 50, 60, 0.5))) == 2
    assert StylesCache.get_inner_outer.cache_info().currsize >= 1
    del cache
    gc.collect()
    assert ref() is not None, "the lru_cache no longer holds its StylesCache: drop the clear"
    assert textual_private.clear_styles_cache()
    gc.collect()
    assert ref() is None
    assert StylesCache.get_inner_outer.cache_info().currsize == 0


class LogApp(App[None]):
    CSS = "RichLog { height: 6; overflow-y: auto; }"  # as #log: the bar comes when needed

    def __init__(self, log: RichLog) -> None:
        super().__init__()
        self.log_view = log

    def compose(self) -> ComposeResult:
        yield self.log_view


def layout_requests(widget) -> list[bool]:
    """Record, for each refresh() of `widget`, whether it asked for a layout."""
    calls: list[bool] = []
    refresh = widget.refresh

    def spy(*args, **kwargs):
        calls.append(bool(kwargs.get("layout", False)))
        return refresh(*args, **kwargs)

    widget.refresh = spy
    return calls


async def test_sample_log_grows_without_a_layout_and_its_scrollbar_follows():
    """A stock RichLog lays out the screen on every write (the cost worked around); the
    SampleLog only when its scrollbar appears, and otherwise update_scrollbars_only keeps
    the scrollbar's size and the scroll offset in step with the lines."""
    stock = RichLog()
    async with LogApp(stock).run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        calls = layout_requests(stock)
        stock.write("one line")
        assert any(calls), "RichLog no longer lays out on write: SampleLog can go"

    log = SampleLog(wrap=True)
    async with LogApp(log).run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        calls = layout_requests(log)
        log.write("a\nb")  # fits: no scrollbar, no layout
        assert calls and not any(calls)
        assert not log.show_vertical_scrollbar
        calls.clear()
        log.write("\n".join(f"line {i}" for i in range(20)))  # the scrollbar appears
        assert any(calls)
        await pilot.pause()
        assert log.show_vertical_scrollbar
        calls.clear()
        log.write("\n".join(f"more {i}" for i in range(30)))  # grows: no layout
        assert calls and not any(calls)
        await pilot.pause()
        bar = log.vertical_scrollbar
        assert log.virtual_size.height == len(log.lines) == 52
        assert bar.window_virtual_size == len(log.lines)
        assert bar.window_size == log.scrollable_content_region.height
        assert log.scroll_y == log.max_scroll_y > 0  # auto-scrolled to the newest line
        # and the private methods alone: a new size updates the bar, no layout asked
        assert textual_private.update_scrollbars_only(log, log.virtual_size) is False

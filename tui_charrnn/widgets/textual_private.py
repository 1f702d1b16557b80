"""Every use of Textual's private details, in one place.

Each function below works around something in Textual that its public API cannot reach,
and relies on names that Textual may change in any release (tuned to Textual 8.2; the
dependency is capped below 9). tests/test_textual_private.py has one test per function
that fails when the detail it relies on is gone or behaves differently: if one fails after
a Textual upgrade, fix the function here (or drop it, when Textual fixed the problem).

At run time each function degrades to doing nothing (or to Textual's own behaviour) when
the detail is missing, so a changed Textual costs memory or speed, not a crash.

Public API, but leaning on how Textual uses it (kept where it is, tested by the app's
tests): SampleLog redefines Widget.virtual_size without layout (samples_pane.py; it
shares the value Textual's layout pass sets with set_reactive(Widget.virtual_size, ...));
the Footer subclass redefines show_command_palette with recompose=True (footer.py);
InsightScreen overrides Screen.active_bindings to choose what its footer shows.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Size
from textual.widget import Widget

try:
    from textual._styles_cache import StylesCache
except ImportError:  # another Textual: nothing to clear
    StylesCache = None  # type: ignore[assignment,misc]

WATCHERS_ATTRIBUTE = "__watchers"  # where textual.reactive._watch keeps an object's watchers


def prune_closed_watchers(obj: object) -> int:
    """Drop the watchers that closed (removed) nodes left on `obj`; returns how many.

    Works around textualize/textual#6666. `data_bind` (textual.reactive._watch) stores a
    (node, callback) entry for the bound node in `obj.__watchers[name]`, and Textual only
    prunes the entries of closed nodes when that reactive changes (in
    Reactive._check_watchers). Footer binds every FooterKey it builds to Footer.compact,
    which never changes, and rebuilds its keys on every bindings change: every key ever
    shown stayed alive (~30 KB per recompose). This is the same pruning as Textual's own,
    done after each recompose; it relies on the name of that dict and on MessagePump's
    `_closing` / `_closed` flags.
    """
    dropped = 0
    for watchers in getattr(obj, WATCHERS_ATTRIBUTE, {}).values():
        alive = [(n, cb) for n, cb in watchers if not (n._closing or n._closed)]
        dropped += len(watchers) - len(alive)
        watchers[:] = alive
    return dropped


def _styles_cache_clear() -> Callable[[], None] | None:
    method = getattr(StylesCache, "get_inner_outer", None)
    return getattr(method, "cache_clear", None)


def clear_styles_cache() -> bool:
    """Empty StylesCache.get_inner_outer's lru_cache; False if there is none to empty.

    textual._styles_cache.StylesCache.get_inner_outer is an lru_cache(1024) on a method, so
    its keys hold the StylesCache (and, through it, the rendered lines) of up to 1,024
    widgets already removed, most of them footer keys rebuilt on each bindings change:
    ~5 MB. Emptying it is harmless: the live widgets refill it on their next paint (an
    entry is two rich Style objects).
    """
    clear = _styles_cache_clear()
    if clear is None:
        return False
    clear()
    return True


def update_scrollbars_only(widget: Widget, virtual_size: Size) -> bool:
    """Fit `widget`'s scrollbars to a new virtual size without laying out the screen.

    Returns True when a scrollbar must appear or disappear (or the private methods are
    gone): the caller must then `refresh(layout=True)`, as Textual itself would.

    Widget.virtual_size is a layout reactive, so every write to a RichLog re-lays out and
    repaints the whole screen, which costs the trainer thread (same GIL) about a tenth of
    its speed at a few writes a second. Growing a log changes nothing outside it, so the
    sample log redefines virtual_size without layout and calls this instead. It uses
    Widget._refresh_scrollbars (which decides show_vertical/horizontal_scrollbar) and
    Widget._scroll_update (which sizes the scrollbars and clamps the scroll offsets),
    what Textual's own layout pass calls (Widget._size_updated).
    """
    refresh_bars = getattr(widget, "_refresh_scrollbars", None)
    scroll_update = getattr(widget, "_scroll_update", None)
    if refresh_bars is None or scroll_update is None:
        return True
    before = widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar
    refresh_bars()
    if (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar) != before:
        return True
    scroll_update(virtual_size)
    return False

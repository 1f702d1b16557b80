"""Textual's Footer without its leak: use this one on every screen.

Footer rebuilds its keys (recompose) each time the screen's bindings change: every pause
and resume here (space: Pause <-> Resume), every focus change, every dialog. Each new
FooterKey is bound to Footer.compact with data_bind, which stores a (key, callback) entry
on the Footer. Textual (8.2.8; textualize/textual#6666) prunes that list only when
`compact` itself changes, which it never does, so every key ever shown stays alive with
its styles and render caches: about 30 KB per recompose, 17 MB a minute when the soak
benchmark toggles pause twice a second (tests/bench/soak.py). Here the entries of removed
keys are dropped after each recompose, as Textual would do on the next change of
`compact`.

Then a bounded one: StylesCache.get_inner_outer is an lru_cache(1024) on a method, so its
keys hold the StylesCache (and the rendered lines) of up to 1,024 widgets already gone,
most of them footer keys: ~5 MB more, reached after ~2 minutes of the soak. It is emptied
after each recompose too; the live widgets refill it on their next paint (it only makes
two Style objects).

Both rely on Textual's private details: see textual_private.py.
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Footer as TextualFooter

from .textual_private import clear_styles_cache, prune_closed_watchers


class Footer(TextualFooter):
    # Textual's redraws only on the next bindings change; the app toggles it on resize
    show_command_palette = reactive(True, recompose=True)

    async def recompose(self) -> None:
        await super().recompose()  # the old keys are removed (closed) by now
        prune_closed_watchers(self)
        clear_styles_cache()

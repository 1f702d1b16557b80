"""Corpus pane: the catalogue, a path field for any text file, and the corpus in use.

Loading happens in a thread worker (a big file or building the stdlib corpus must not
freeze the screen). A file that cannot be used shows its one-line reason here and
nothing else changes; a good one is handed to the app, which asks before switching.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, ListItem, ListView, Static

from .. import catalog
from ..corpus import CorpusError, load
from ..messages import CorpusFailed, CorpusLoaded
from ..safefile import show_path
from .fields import PathField


class CorpusPane(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.entries = {e.name: e for e in catalog.entries()}
        self.current = ""

    def compose(self) -> ComposeResult:
        yield ListView(
            *(
                ListItem(Label(e.title), id=f"corpus-{e.name}", name=e.name)
                for e in self.entries.values()
            ),
            id="corpus-list",
        )
        yield PathField(placeholder="…or a file path + Enter", id="corpus-path", compact=True)
        yield Static("", id="corpus-info")
        yield Static("", id="corpus-error")

    def on_mount(self) -> None:
        self.border_title = "Corpus"
        self.border_subtitle = "Enter: train on it"

    def set_current(self, name: str, N: int, V: int) -> None:
        """The corpus being trained on (from the trainer's SessionStarted)."""
        self.current = name
        self.query_one("#corpus-info", Static).update(f"[b]{name}[/] {N:,} ch, V={V}")

    def show_error(self, message: str) -> None:
        error = self.query_one("#corpus-error", Static)
        error.update(Content(message))  # plain text: a path may hold [brackets]
        error.display = bool(message)

    @on(ListView.Highlighted, "#corpus-list")
    def _highlighted(self, event: ListView.Highlighted) -> None:
        if event.item is not None and event.item.name in self.entries:
            event.item.tooltip = self.entries[event.item.name].description

    @on(ListView.Selected, "#corpus-list")
    def _selected(self, event: ListView.Selected) -> None:
        if event.item.name:
            self.load(event.item.name)

    @on(Input.Submitted, "#corpus-path")
    def _path_entered(self, event: Input.Submitted) -> None:
        """The focus stays in the field: to correct the path if it cannot be used."""
        event.stop()
        if event.value.strip():
            self.load(event.value.strip())

    def load(self, name_or_path: str) -> None:
        self.show_error("")
        shown = show_path(name_or_path)  # a pasted 20,000-character path stays one line
        self.query_one("#corpus-info", Static).update(Content(f"loading {shown}…"))
        self._load(name_or_path)

    @work(thread=True, exclusive=True, exit_on_error=False, group="corpus")
    def _load(self, name_or_path: str) -> None:
        try:
            name, path = catalog.resolve(name_or_path)
            corpus = load(path, name)
        except (CorpusError, catalog.CatalogError) as e:
            self.post_message(CorpusFailed(str(e)))
        except Exception as e:  # never let a surprise kill the app
            shown = show_path(name_or_path)
            self.post_message(CorpusFailed(f"{shown}: {type(e).__name__}: {e}"))
        else:
            self.post_message(CorpusLoaded(corpus))

    @on(CorpusFailed)
    def _failed(self, event: CorpusFailed) -> None:
        event.stop()
        self.show_error(event.message)
        self.restore_info()

    def restore_info(self) -> None:
        info = self.query_one("#corpus-info", Static)
        if str(info.content).startswith("loading"):
            info.update(f"[b]{self.current}[/] (unchanged)" if self.current else "")

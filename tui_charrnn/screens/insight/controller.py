"""App-side glue of the insight screen: bookkeeping that runs even while it is hidden."""

from __future__ import annotations

from functools import partial

from textual.app import App

from ... import events
from ...corpus import Corpus, train_val_split
from ...insight.baselines import ngram_losses
from ...insight.novelty import NoveltyIndex
from ...insight.tracker import BASELINE_NAMES, Marker, Tracker
from .novelty_tab import NOVELTY_N
from .screen import InsightScreen


class InsightController:
    """App-side glue: bookkeeping that runs even while the screen is hidden."""

    def __init__(self, app: App) -> None:
        self.app = app  # the CharRNNApp (not imported: it imports this module)
        self.tracker = Tracker()
        self.corpus: Corpus | None = None
        self.novelty: NoveltyIndex | None = None
        self.latest: events.InsightSnapshot | None = None
        self.screen: InsightScreen | None = None

    def handle(self, e: events.Event) -> None:
        """Every trainer event, in the UI thread (cheap: a few comparisons)."""
        if isinstance(e, events.SettingsApplied):
            at = e.iteration if e.iteration >= 0 else self.app.iteration
            self.tracker.settings(at, e.settings)
        elif isinstance(e, events.Validated):
            self.tracker.best_val = (e.best, e.best_iteration)
            for name in self.tracker.progress(e.iteration, e.loss):  # held-out vs held-out
                if name == "uniform":  # ln V: any net beats a uniform guess, no news
                    continue
                level = self.tracker.baselines[name]
                self.app.notify(
                    f"Held-out loss {e.loss:.3f} beat the {BASELINE_NAMES[name]} baseline "
                    f"{level:.3f} (iteration {e.iteration:,})"
                )
        elif isinstance(e, events.RunOpened):  # a resumed run: its earlier changes first
            old = [Marker(c.iteration, c.name, c.old, c.new) for c in e.changes]
            self.tracker.markers[:0] = old
        elif isinstance(e, events.SessionStarted):
            self.tracker.started(e.hp)
            self.latest = None
            held = e.hp.val_fraction  # baselines use the session's split
            if e.corpus is not None and e.corpus is not self.corpus:
                self.corpus, self.novelty = e.corpus, None
                self._prepare(e.corpus, held)
            elif self.corpus is not None:
                self._prepare(self.corpus, held, index=False)
        elif isinstance(e, events.InsightSnapshot):
            self.latest = e
            self.tracker.validation(e.val_iteration, e.val_loss)
            if self.screen is not None:
                self.screen.snapshot(e)

    def _prepare(self, corpus: Corpus, val_fraction: float, index: bool = True) -> None:
        """Once per corpus, in a thread worker: the n-gram baselines, the novelty index."""
        self.app.run_worker(
            partial(self._prepare_work, corpus, val_fraction, index),
            thread=True,
            exclusive=True,
            group="insight-prepare",
            exit_on_error=False,
        )

    def _prepare_work(self, corpus: Corpus, val_fraction: float, index: bool) -> None:
        """Baselines counted on the training part, scored on the held-out tail; {} when
        nothing (or < 3 characters) is held out: no held-out figures then, rather than
        in-sample ones passed off as held-out."""
        train, val = train_val_split(corpus.N, val_fraction)
        data = corpus.data
        held = val.stop - val.start >= 3
        base = ngram_losses(data[train], data[val], corpus.V) if held else {}
        self.app.call_from_thread(self._baselines_ready, corpus, base)
        if index:
            novelty = NoveltyIndex(data, NOVELTY_N)
            self.app.call_from_thread(self._index_ready, corpus, novelty)

    def _baselines_ready(self, corpus: Corpus, base: dict) -> None:
        if corpus is self.corpus:
            self.tracker.baselines = base
            if self.screen is not None:
                self.screen.refresh_tab()

    def _index_ready(self, corpus: Corpus, novelty: NoveltyIndex) -> None:
        if corpus is self.corpus:
            self.novelty = novelty
            if self.screen is not None:
                self.screen.refresh_tab()

    def open(self) -> None:
        if self.screen is not None:
            return
        self.screen = InsightScreen(self)
        self.app.push_screen(self.screen, self._closed)
        self.app.trainer.set_insight(True)

    def _closed(self, _result: object = None) -> None:
        self.app.trainer.set_insight(False)
        self.screen = None

"""The insight screen: six tabs, the keys that move between and within them, and the
thread workers that compute the heavier tabs (each tab's own module draws it)."""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static, TabbedContent, TabPane

from ... import events
from ...widgets.footer import Footer  # Textual's, without its leak
from ...widgets.notice import NoticeLine
from . import (
    health_tab,
    loss_tab,
    neurons_tab,
    novelty_tab,
    surprisal_tab,
    temperature_tab,
)

if TYPE_CHECKING:
    from ...corpus import Corpus

TABS = ("loss", "surprisal", "temperature", "neurons", "novelty", "health")
# recomputed at most every HEAVY_S seconds (health: its gates)
HEAVY_TABS = ("surprisal", "neurons", "novelty", "health")
HEAVY_S = 2.0


class InsightScreen(Screen[None]):
    """Six tabs; see the package docstring for where the numbers come from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("1", "tab('loss')", "Tabs", key_display="1-6"),  # one footer entry for six
        Binding("u", "units", "Units"),
        Binding("left", "move(-1)", "◀", priority=True),
        Binding("right", "move(1)", "▶", priority=True),
        Binding("p", "passage", "Passage"),
        Binding("p", "part", "Part"),  # the neurons tab's (check_action: one p per tab)
        Binding("t", "temperature", "Resample"),
        *(Binding(str(i + 1), f"tab('{t}')", t, show=False) for i, t in enumerate(TABS) if i),
    ]
    # the app's keys named in this screen's footer (the others work here too); all of
    # them would not fit in 80 columns beside this screen's own
    APP_KEYS_SHOWN = frozenset({"pause", "resume", "step", "quit", "command_palette"})

    def __init__(self, controller) -> None:  # its InsightController (which imports this)
        super().__init__()
        self.controller = controller
        self.tracker = controller.tracker
        self.snap: events.InsightSnapshot | None = None
        self._heavy_next = 0.0  # heavy tabs: when the next snapshot may recompute them
        self.cursor = 1  # surprisal: the selected position
        self.on_sample = False  # surprisal: colour the latest sample (else held-out text)
        self._surprisal: surprisal_tab.Scored | None = None
        self.temp_seed = 0  # temperature: the sampling seed (t adds one)
        self._temps_shown = False  # temperature: shown, so kept until t
        self.part = 0  # neurons: index into the net's state_parts()
        self.unit_choice = 0  # neurons: index into the ranked list
        self.units: list[int] = []  # neurons: units of the part worth looking at, best first
        self._neurons: neurons_tab.Neurons | None = None
        self._gates: health_tab.Gates | None = None  # health: gate saturation per layer

    def compose(self) -> ComposeResult:
        yield NoticeLine(id="ins-notice")  # the app's messages while this screen is shown
        # kept: a snapshot can arrive between this screen's mount and its children's,
        # when query_one would find no TabbedContent yet
        self.tabs = TabbedContent(id="ins-tabs")
        with self.tabs:
            for tab, title, help_ in (
                ("loss", "Loss", "Loading…"),
                ("surprisal", "Surprisal", "Waiting for the model…"),
                ("temperature", "Temperature", "Waiting for the model…"),
                ("neurons", "Neurons", "Waiting for the model…"),
                ("novelty", "Novelty", "Building the index of the corpus…"),
                ("health", "Health", "Waiting for a gradient…"),
            ):
                with TabPane(title, id=f"tab-{tab}"), VerticalScroll(can_focus=False):
                    yield Static(help_, id=f"ins-{tab}", classes="ins-body")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        if self.snap is None and self.controller.latest is not None:
            self.snap = self.controller.latest
        if self.snap is not None:
            self.snapshot(self.snap)
        else:
            self.refresh_tab()

    # -- data in ----------------------------------------------------------------------

    def snapshot(self, e: events.InsightSnapshot) -> None:
        first = self.snap is None
        self.snap = e
        if not self.is_mounted:  # on_mount shows it
            return
        tab = self.active
        if tab == "temperature" and not first and self._temps_shown:
            return  # refreshed on t only, so it can be read
        now = time.monotonic()
        paused = self.controller.app.trainer.paused  # then the trainer sends none after it
        if tab in HEAVY_TABS and now < self._heavy_next and not (first or paused):
            return  # recomputed every HEAVY_S: the worker's time is the trainer's GIL
        self._heavy_next = now + HEAVY_S
        self.refresh_tab()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """What the footer shows: this screen's keys and the app's run controls."""
        return {
            key: b
            for key, b in super().active_bindings.items()
            if b.node is not self.app or b.binding.action in self.APP_KEYS_SHOWN
        }

    @property
    def active(self) -> str:
        return self.tabs.active.removeprefix("tab-") or "loss"

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        self.refresh_bindings()
        self.refresh_tab()

    def refresh_tab(self) -> None:
        if not self.is_mounted or not self.is_attached:
            return
        tab = self.active
        if tab == "loss":
            self.show_loss()
        elif tab == "health":
            self.show_health()
            corpus = self.controller.corpus
            if self.snap is not None and corpus is not None and health_tab.has_gates(self.snap):
                self._compute_gates(self.snap, corpus)
        elif self.snap is None or self.controller.corpus is None:
            return
        elif tab == "surprisal":
            self._compute_surprisal(self.snap, self.controller.corpus, self._sample_text())
        elif tab == "temperature":
            self._compute_temperatures(self.snap, self.controller.corpus, self.temp_seed)
        elif tab == "neurons":
            self._compute_neurons(self.snap, self.controller.corpus)
        elif tab == "novelty":
            self.show_novelty()

    def _update(self, tab: str, content: Content | str) -> None:
        with contextlib.suppress(NoMatches):  # still mounting: the next snapshot shows it
            self.query_one(f"#ins-{tab}", Static).update(content)

    # -- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            return True
        tab = self.active
        if action == "move":
            return tab in ("surprisal", "neurons")
        if action == "passage":
            return tab == "surprisal"
        if action == "part":  # only where the state has several parts to choose from
            return tab == "neurons" and self._neurons is not None and len(self._neurons.parts) > 1
        if action == "temperature":
            return tab == "temperature"
        if action == "units":
            return tab == "loss"
        return True

    def action_close(self) -> None:
        self.dismiss()

    def action_units(self) -> None:
        unit = self.tracker.next_unit()
        self.notify(f"Losses in {unit}", timeout=2)
        self.show_loss()

    def action_tab(self, tab: str) -> None:
        self.tabs.active = f"tab-{tab}"

    def action_move(self, delta: int) -> None:
        if self.active == "surprisal":
            if self._surprisal is not None:
                n = len(self._surprisal.chars)
                self.cursor = min(max(1, self.cursor + delta), max(n - 1, 1))
                self.show_surprisal()
        elif self.units:
            self.unit_choice = (self.unit_choice + delta) % len(self.units)
            self.show_neurons()

    def action_passage(self) -> None:
        self.on_sample = not self.on_sample
        self.cursor = 1
        self.refresh_tab()

    def action_part(self) -> None:
        if self._neurons is not None:
            self.part = (self.part + 1) % len(self._neurons.parts)
            self.unit_choice, self.units = 0, []  # another part's units: none to keep
            self._choose_units()
            self.show_neurons()

    def action_temperature(self) -> None:
        self.temp_seed += 1
        self._temps_shown = False
        self.refresh_tab()

    # -- loss ------------------------------------------------------------------------

    def show_loss(self) -> None:
        self._update("loss", loss_tab.render(self.tracker, self.snap))

    # -- surprisal -------------------------------------------------------------------

    def _sample_text(self) -> str | None:
        if not self.on_sample:
            return None
        samples = getattr(self.app, "sample_pane", None)
        samples = list(samples.samples) if samples is not None else []
        return samples[-1].text if samples else ""

    @work(thread=True, exclusive=True, group="insight-surprisal", exit_on_error=False)
    def _compute_surprisal(
        self, snap: events.InsightSnapshot, corpus: Corpus, sample: str | None
    ) -> None:
        scored = surprisal_tab.compute(snap, corpus, sample)
        self.app.call_from_thread(self._surprisal_ready, scored)

    def _surprisal_ready(self, scored: surprisal_tab.Scored) -> None:
        self._surprisal = scored
        if self.is_attached:
            self.show_surprisal()

    def show_surprisal(self) -> None:
        if self._surprisal is None:
            return
        n = len(self._surprisal.chars)
        if n >= 2:
            self.cursor = min(self.cursor, n - 1)
        self._update("surprisal", surprisal_tab.render(self._surprisal, self.cursor))

    # -- temperature -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="insight-temperature", exit_on_error=False)
    def _compute_temperatures(
        self, snap: events.InsightSnapshot, corpus: Corpus, seed: int
    ) -> None:
        texts = temperature_tab.compute(snap, corpus, seed)
        self.app.call_from_thread(
            self._temps_ready, snap.iteration, corpus.chars[snap.seed_ix], texts
        )

    def _temps_ready(self, iteration: int, seed_char: str, texts: dict) -> None:
        if not self.is_attached:
            return
        self._temps_shown = True
        self._update("temperature", temperature_tab.render(iteration, seed_char, texts))

    # -- neurons ---------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="insight-neurons", exit_on_error=False)
    def _compute_neurons(self, snap: events.InsightSnapshot, corpus: Corpus) -> None:
        self.app.call_from_thread(self._neurons_ready, neurons_tab.compute(snap, corpus))

    def _neurons_ready(self, neurons: neurons_tab.Neurons) -> None:
        if not self.is_attached:
            return
        if self._neurons is None or self._neurons.parts != neurons.parts:
            self.part, self.units = 0, []  # another network
        self._neurons = neurons
        self._choose_units()
        self.refresh_bindings()  # p (part) shows once there are parts to choose from
        self.show_neurons()

    def _choose_units(self) -> None:
        """The ranked units of the part shown, keeping the selected one while it is ranked."""
        label = self._neurons.parts[self.part][0]
        units = neurons_tab.unit_list(self._neurons.ranked[label])
        if self.units:
            keep = self.units[self.unit_choice % len(self.units)]
            self.unit_choice = units.index(keep) if keep in units else 0
        self.units = units

    def show_neurons(self) -> None:
        if self._neurons is None:
            return
        if not self.units:
            self._update("neurons", "None of the features varies in the held-out passage.")
            return
        unit = self.units[self.unit_choice % len(self.units)]
        self._update("neurons", neurons_tab.render(self._neurons, self.part, unit))

    # -- novelty ---------------------------------------------------------------------

    def show_novelty(self) -> None:
        novelty, corpus = self.controller.novelty, self.controller.corpus
        if novelty is None or corpus is None:
            return
        samples = getattr(self.app, "sample_pane", None)
        latest = list(samples.samples)[-3:] if samples is not None else []
        self._update("novelty", novelty_tab.render(novelty, corpus, latest[::-1]))

    # -- health ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="insight-gates", exit_on_error=False)
    def _compute_gates(self, snap: events.InsightSnapshot, corpus: Corpus) -> None:
        self.app.call_from_thread(self._gates_ready, health_tab.compute(snap, corpus))

    def _gates_ready(self, gates: health_tab.Gates) -> None:
        self._gates = gates
        if self.is_attached:
            self.show_health()

    def show_health(self) -> None:
        if self.snap is not None and self.snap.health is not None:
            self._update("health", health_tab.render(self.snap, self._gates))

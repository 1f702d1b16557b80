"""The Insight screen: what the network has learned, live, in six tabs.

Data flow. The trainer posts InsightSnapshot events (copies of the parameters, the
hidden state, gradient health, the held-out loss) about twice a second, and only while
this screen is shown (Trainer.set_insight). The app hands every trainer event to the
InsightController, which keeps the bookkeeping that must run even while the screen is
hidden (baselines beaten, settings changes) and forwards snapshots to the screen.

Everything heavier than formatting numbers (n-gram baselines, the novelty index, the
surprisal of a passage, hidden activations, samples at several temperatures) runs in
Textual thread workers on the snapshot's copies; the UI thread never touches the
trainer's session.
"""

from __future__ import annotations

import contextlib
import math
import time
from functools import partial
from typing import TYPE_CHECKING, ClassVar

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from .. import events
from ..insight.baselines import ngram_losses
from ..insight.neurons import activations, features, rank_units
from ..insight.novelty import NoveltyIndex
from ..insight.split import train_val_split
from ..insight.surprisal import buckets, surprisal
from ..insight.temperature import TEMPERATURES, side_by_side
from ..insight.tracker import BASELINE_NAMES, Tracker, convert, fmt
from ..trainer import VAL_FRACTION
from .insight_text import (
    ACT_STYLES,
    COPIED_STYLE,
    SURPRISE_LEGEND,
    SURPRISE_STYLES,
    act_level,
    show_char,
    styled,
)

if TYPE_CHECKING:
    from ..app import CharRNNApp
    from ..corpus import Corpus

NOVELTY_N = 10  # spans of at least this many characters copied verbatim are highlighted
PASSAGE = 360  # held-out characters coloured by surprisal / activation
NEURON_CHARS = 2000  # held-out characters the units are ranked on
TEMP_CHARS = 120  # characters sampled per temperature
BAR = 24  # width of the loss bars
HEAVY_TABS = ("surprisal", "neurons", "novelty")  # recomputed at most every HEAVY_S seconds
HEAVY_S = 2.0
FEATURES = {
    "in_quotes": "inside quotes",
    "bracket_depth": "bracket depth",
    "line_position": "position in line",
    "after_newline": "after a newline",
}
TABS = ("loss", "surprisal", "temperature", "neurons", "novelty", "health")


def held_out(corpus: Corpus) -> slice:
    """The validation slice (last VAL_FRACTION); the whole corpus when that is empty."""
    _, val = train_val_split(corpus.N, VAL_FRACTION)
    return val if val.stop - val.start > 3 else slice(0, corpus.N)


class InsightController:
    """App-side glue: bookkeeping that runs even while the screen is hidden."""

    def __init__(self, app: CharRNNApp) -> None:
        self.app = app
        self.tracker = Tracker()
        self.corpus: Corpus | None = None
        self.novelty: NoveltyIndex | None = None
        self.latest: events.InsightSnapshot | None = None
        self.screen: InsightScreen | None = None

    def handle(self, e: object) -> None:
        """Every trainer event, in the UI thread (cheap: a few comparisons)."""
        if isinstance(e, events.Progress):
            for name in self.tracker.progress(e.iteration, e.nats_per_char):
                level = self.tracker.baselines[name]
                self.app.notify(
                    f"Iteration {e.iteration:,}: the training loss {e.nats_per_char:.3f} "
                    f"is below the {BASELINE_NAMES[name]} baseline ({level:.3f} nats/char)",
                    title="Baseline beaten",
                )
        elif isinstance(e, events.SettingsApplied):
            self.tracker.settings(self.app.iteration, e.settings)
        elif isinstance(e, events.SessionStarted):
            self.tracker.started(e.hp)
            self.latest = None
            if e.corpus is not None and e.corpus is not self.corpus:
                self.corpus, self.novelty = e.corpus, None
                self._prepare(e.corpus)
            elif self.corpus is not None:
                self._prepare(self.corpus, index=False)
        elif isinstance(e, events.InsightSnapshot):
            self.latest = e
            self.tracker.validation(e.val_iteration, e.val_loss)
            if self.screen is not None:
                self.screen.snapshot(e)

    def _prepare(self, corpus: Corpus, index: bool = True) -> None:
        """Once per corpus, in a thread worker: the n-gram baselines, the novelty index."""
        self.app.run_worker(
            partial(self._prepare_work, corpus, index),
            thread=True,
            exclusive=True,
            group="insight-prepare",
            exit_on_error=False,
        )

    def _prepare_work(self, corpus: Corpus, index: bool) -> None:
        train, val = train_val_split(corpus.N, VAL_FRACTION)
        data = corpus.data
        base = ngram_losses(data[train], data[val], corpus.V)
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


class InsightScreen(Screen[None]):
    """Six tabs; see the module docstring for where the numbers come from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("u", "units", "Units"),
        Binding("left", "move(-1)", "◀", priority=True),
        Binding("right", "move(1)", "▶", priority=True),
        Binding("p", "passage", "Passage"),
        Binding("t", "temperature", "Resample"),
        *(Binding(str(i + 1), f"tab('{t}')", t, show=False) for i, t in enumerate(TABS)),
    ]

    def __init__(self, controller: InsightController) -> None:
        super().__init__()
        self.controller = controller
        self.tracker = controller.tracker
        self.snap: events.InsightSnapshot | None = None
        self.cursor = 1  # surprisal: the selected position
        self.on_sample = False  # surprisal: colour the latest sample (else held-out text)
        self.unit_choice = 0  # neurons: index into the ranked list
        self.units: list[int] = []  # neurons: units worth looking at, best first
        self.temp_seed = 0
        self._surprisal: tuple | None = None  # (chars, probs, top, top_p, label)
        self._acts: np.ndarray | None = None  # neurons: (T, H) on the passage
        self._acts_text = ""

    def compose(self) -> ComposeResult:
        with TabbedContent(id="ins-tabs"):
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
        if tab in HEAVY_TABS and now < self._heavy_next and not first:
            return  # recomputed every HEAVY_S: the worker's time is the trainer's GIL
        self._heavy_next = now + HEAVY_S
        self.refresh_tab()

    @property
    def active(self) -> str:
        return self.query_one(TabbedContent).active.removeprefix("tab-") or "loss"

    _temps_shown = False
    _heavy_next = 0.0

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
        self.query_one(TabbedContent).active = f"tab-{tab}"

    def action_move(self, delta: int) -> None:
        if self.active == "surprisal":
            if self._surprisal is not None:
                n = len(self._surprisal[0])
                self.cursor = min(max(1, self.cursor + delta), max(n - 1, 1))
                self.show_surprisal()
        elif self.units:
            self.unit_choice = (self.unit_choice + delta) % len(self.units)
            self.show_neurons()

    def action_passage(self) -> None:
        self.on_sample = not self.on_sample
        self.cursor = 1
        self.refresh_tab()

    def action_temperature(self) -> None:
        self.temp_seed += 1
        self._temps_shown = False
        self.refresh_tab()

    # -- loss ------------------------------------------------------------------------

    def show_loss(self) -> None:
        t, snap = self.tracker, self.snap
        unit = t.unit
        T = snap.seq_length if snap else int(t.hp.get("seq_length", 25))
        rows: list[tuple[str, float | None, str, str]] = []  # label, nats/char, style, note
        if snap is not None:
            rows.append(("training (smooth)", snap.smooth_loss / T, "$primary", ""))
            note = ""
            if t.best_val is not None:
                note = f"best {fmt(convert(t.best_val[0], unit, T), unit)} at {t.best_val[1]:,}"
            chars = snap.val_chars
            size = f"{chars / 1000:.0f}k" if chars >= 10_000 else f"{chars:,}"
            label = f"held-out ({size} ch)" if chars else "held-out"
            rows.append((label, snap.val_loss, "$accent", note))
        if t.baselines:
            for name, level in t.baselines.items():
                at = t.beaten.get(name)
                note = f"beaten at {at:,}" if at is not None else "not yet beaten"
                style = "$success" if at is not None else "$text-muted"
                rows.append((BASELINE_NAMES[name], level, style, note))
        top = max((r[1] for r in rows if r[1] is not None and r[1] == r[1]), default=1.0)
        parts: list[str | tuple[str, str]] = [
            (f"Loss in {unit}", "bold"),
            f"  u: units · 1-6: tabs   iteration {snap.iteration:,}\n" if snap else "\n",
        ]
        for label, value, style, note in rows:
            shown = fmt(None if value is None else convert(value, unit, T), unit)
            n = 0 if value is None or value != value else round(BAR * min(value / top, 1.0))
            parts += [
                f"{label:<18} {shown:>7} ",
                ("█" * n, style),
                (" " * (BAR - n) + f" {note}\n", "$text-muted"),
            ]
        if not t.baselines:
            parts.append(("computing the n-gram baselines…\n", "$text-muted"))
        else:
            parts.append(
                (
                    f"Baselines: counted on the first {1 - VAL_FRACTION:.0%} of the corpus, "
                    f"scored on the last {VAL_FRACTION:.0%} (held-out; the RNN also reads it "
                    "while training).\n",
                    "$text-muted",
                )
            )
        parts.append(("\nSetting changes\n", "bold"))
        if not t.markers:
            parts.append(("  none yet: change one in the settings pane\n", "$text-muted"))
        for m in t.markers[-8:]:
            parts.append(f"  iter {m.iteration:>8,}  {m.name} {m.old} → {m.new}\n")
        self._update("loss", Content.assemble(*parts).rstrip())

    # -- surprisal -------------------------------------------------------------------

    def _sample_text(self) -> str | None:
        if not self.on_sample:
            return None
        samples = getattr(self.app, "sample_pane", None)
        samples = list(samples.samples) if samples is not None else []
        return samples[-1].text if samples else ""

    @work(thread=True, exclusive=True, group="insight-surprisal", exit_on_error=False)
    def _compute_surprisal(self, snap, corpus, sample: str | None) -> None:
        if sample is None:
            val = held_out(corpus)
            ixs = corpus.data[val.start : val.start + PASSAGE]
            label = "held-out text"
        else:
            ixs = corpus.encode(sample[:PASSAGE]) if sample else corpus.data[:0]
            label = "latest sample"
        probs, top, top_p = surprisal(snap.params, ixs, np.zeros(snap.params.H))
        chars = [corpus.chars[i] for i in ixs]
        result = (chars, probs, top, top_p, label, list(corpus.chars))
        self.app.call_from_thread(self._surprisal_ready, result)

    def _surprisal_ready(self, result: tuple) -> None:
        self._surprisal = result
        if self.is_attached:
            self.show_surprisal()

    def show_surprisal(self) -> None:
        if self._surprisal is None:
            return
        chars, probs, top, top_p, label, vocab = self._surprisal
        if len(chars) < 2:
            self._update("surprisal", "No sample yet: press p for the held-out text.")
            return
        self.cursor = min(self.cursor, len(chars) - 1)
        legend: list[str | tuple[str, str]] = [(f"{label}, p of each char: ", "$text-muted")]
        for st, lab in zip(SURPRISE_STYLES, SURPRISE_LEGEND, strict=True):
            legend += [(f" {lab} ", st)]
        legend += ["\n"]
        styles = [SURPRISE_STYLES[b] for b in buckets(probs)]
        styles[0] = "$text-muted"
        c = self.cursor
        guesses: list[str | tuple[str, str]] = [
            f"\n\n#{c} {show_char(chars[c])} p={probs[c]:.3f}  expected "
        ]
        for ix, p in zip(top[c], top_p[c], strict=True):
            if ix >= 0:
                st = "bold $success" if vocab[ix] == chars[c] else "bold"
                guesses += [(show_char(vocab[ix]), st), f" {p:.0%}  "]
        guesses.append(("\n←/→ move · p: sample / held-out · from a blank state", "$text-muted"))
        body = Content.assemble(*legend, styled(chars, styles, c), *guesses)
        self._update("surprisal", body)

    # -- temperature -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="insight-temperature", exit_on_error=False)
    def _compute_temperatures(self, snap, corpus, seed: int) -> None:
        out = side_by_side(snap.params, snap.h, snap.seed_ix, TEMP_CHARS, seed, TEMPERATURES)
        texts = {t: corpus.decode(ixs) for t, ixs in out.items()}
        self.app.call_from_thread(
            self._temps_ready, snap.iteration, corpus.chars[snap.seed_ix], texts
        )

    def _temps_ready(self, iteration: int, seed_char: str, texts: dict) -> None:
        if not self.is_attached:
            return
        self._temps_shown = True
        parts: list[str | tuple[str, str]] = [
            (f"One hidden state (iteration {iteration:,}), after {show_char(seed_char)}, "
             "sampled four ways. t: resample\n", "$text-muted"),
        ]  # fmt: skip
        for t, text in texts.items():
            name = "argmax" if t == 0 else f"T = {t}"
            parts += [(f"\n{name}\n", "bold $primary"), text.replace("\n", "↵ ") + "\n"]
        self._update("temperature", Content.assemble(*parts).rstrip())

    # -- neurons ---------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="insight-neurons", exit_on_error=False)
    def _compute_neurons(self, snap, corpus) -> None:
        val = held_out(corpus)
        ixs = corpus.data[val.start : val.start + NEURON_CHARS]
        text = corpus.decode(ixs)
        acts = activations(snap.params, ixs, np.zeros(snap.params.H))  # (T, H)
        ranked = {name: rank_units(acts, f)[:3] for name, f in features(text).items()}
        self.app.call_from_thread(self._neurons_ready, text, acts, ranked)

    def _neurons_ready(self, text: str, acts: np.ndarray, ranked: dict) -> None:
        if not self.is_attached:
            return
        self._acts, self._acts_text, self._ranked = acts, text, ranked
        units: list[int] = []
        for name in FEATURES:
            for u, _ in ranked[name]:
                if u not in units:
                    units.append(u)
        if self.units:  # keep the selected unit while the ranking changes
            keep = self.units[self.unit_choice % len(self.units)]
            self.unit_choice = units.index(keep) if keep in units else 0
        self.units = units
        self.show_neurons()

    def show_neurons(self) -> None:
        if self._acts is None or not self.units:
            return
        unit = self.units[self.unit_choice % len(self.units)]
        parts: list[str | tuple[str, str]] = [
            (f"Units that track a feature (correlation on {len(self._acts_text):,} held-out"
             " chars)\n", "$text-muted"),
        ]  # fmt: skip
        for name, label in FEATURES.items():
            parts.append(f"{label:<17}")
            for u, r in self._ranked[name]:
                st = "bold reverse" if u == unit else "bold" if abs(r) >= 0.5 else ""
                parts += [(f" #{u:<3} {r:+.2f}", st), "  "]
            parts.append("\n")
        parts += [("\nunit ", "bold"), (f"#{unit}", "bold reverse"), " (←/→)  activation: "]
        for st, lab in zip(ACT_STYLES, ("-1", "-.6", "0", "+.2", "+.6"), strict=True):
            parts.append((f" {lab} ", st))
        parts.append("\n")
        n = PASSAGE
        levels = act_level(self._acts[:n, unit])
        chars = list(self._acts_text[:n])
        body = Content.assemble(*parts, styled(chars, [ACT_STYLES[lv] for lv in levels]))
        self._update("neurons", body)

    # -- novelty ---------------------------------------------------------------------

    def show_novelty(self) -> None:
        novelty, corpus = self.controller.novelty, self.controller.corpus
        if novelty is None or corpus is None:
            return
        samples = getattr(self.app, "sample_pane", None)
        samples = list(samples.samples)[-3:] if samples is not None else []
        parts: list[str | tuple[str, str]] = [
            (f"Spans of ≥ {NOVELTY_N} characters found verbatim in the corpus: ", "$text-muted"),
            (" copied ", COPIED_STYLE),
            "\n",
        ]
        if not samples:
            parts.append(("\nNo samples yet.", "$text-muted"))
        for s in reversed(samples):
            try:
                ixs = corpus.encode(s.text)
            except Exception:
                continue
            spans = novelty.verbatim_spans(ixs)
            copied = np.zeros(len(ixs), bool)
            for a, b in spans:
                copied[a:b] = True
            frac = copied.mean() if len(ixs) else 0.0
            parts.append((f"\niteration {s.iteration:,}: {frac:.0%} copied\n", "bold"))
            styles = [COPIED_STYLE if c else "" for c in copied]
            parts.append(styled(list(s.text), styles))
            parts.append("\n")
        self._update("novelty", Content.assemble(*parts).rstrip())

    # -- health ----------------------------------------------------------------------

    def show_health(self) -> None:
        snap = self.snap
        if snap is None or snap.health is None:
            return
        h = snap.health
        clip = snap.hp.get("clip", 5.0)
        parts: list[str | tuple[str, str]] = [
            (f"Gradient of iteration {snap.health_iteration:,} before clipping to ±{clip:g}\n\n",
             "$text-muted"),
            ("param    norm   clipped  Adagrad step lr/√mem (median)\n", "bold"),
        ]  # fmt: skip
        for name in ("Wxh", "Whh", "Why", "bh", "by", "all"):
            frac = h["clipped_fraction"][name]
            st = "$error" if frac > 0.01 else "$warning" if frac > 0 else "$success"
            parts += [
                f"{name:<6} {h['grad_norm'][name]:>7.3f}  ",
                (f"{frac:>7.2%}", st),
                f"  {h['step_median'][name]:.3g}\n",
            ]
        sat = h["saturated_fraction"]
        if sat == sat:
            st = "$error" if sat > 0.5 else "$warning" if sat > 0.2 else "$success"
            parts += ["\nsaturated units |h| > 0.95: ", (f"{sat:.0%}", st)]
            parts.append((" (of the last hidden state)", "$text-muted"))
        big = h["grad_norm"]["all"]
        if big != big or math.isinf(big):
            parts.append(("\nthe gradient is not finite", "$error"))
        self._update("health", Content.assemble(*parts))

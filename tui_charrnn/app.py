"""The Textual app: panes around a Trainer running in a worker thread.

The trainer thread posts its events with post_message (thread-safe, never blocks); the
UI only talks to it through the Trainer's control methods.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Event, Key, MouseDown, Resize
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input

from . import events
from .hparams import Hyperparams
from .messages import CorpusLoaded, FieldDone, SettingEntered, TrainerEvent
from .opening import OpenedRun
from .pacing import KeyPacer
from .recorder import Recorder
from .screens.insight import InsightController
from .screens.runs_browser import RunKeeper
from .storage import DEFAULT_KEEP
from .trainer import Trainer
from .trainer_events import TrainerEvents
from .widgets.corpus_pane import CorpusPane
from .widgets.dialogs import ConfirmScreen, HelpScreen
from .widgets.footer import Footer  # Textual's, without its leak
from .widgets.hparams_pane import HyperparamPane
from .widgets.loss_pane import LossPane
from .widgets.notice import NoticeLine, Notices
from .widgets.samples_pane import SamplePane
from .widgets.status import StatusBar
from .widgets.tips_pane import TipsPane

# Redraw budget. Every repaint is UI-thread time, which the trainer loses (one GIL): with
# these rates the UI takes ~5% of a core while training (tests/bench/app_throughput.py).
# The status bar redraws on odd ticks (4/s), the loss pane and the sample log together on
# every 8th tick (1/s).
REDRAW_S = 0.125
# Below this width the footer's "^p palette" hint is dropped so that every key fits (at 80
# columns it pushed "o Runs" off the edge); ctrl+p still works and the help screen lists it.
PALETTE_HINT_WIDTH = 90
LOSS_TICKS = 8
SAMPLE_TICKS = 8
PALETTE = (  # the command palette's entries: (title, help, action)
    ("Step one iteration", "n (while paused)", "step"),
    ("Sample now", "g", "sample"),
    ("Insight views", "i: baselines, surprisal, neurons, ...", "insight"),
    ("Loss chart: whole run / recent", "w", "loss_view"),
    ("Save samples", "s: every sample of the run", "save_samples"),
    ("Picture of the loss", "p: loss.svg in the run folder, the whole run", "picture"),
    ("Save checkpoint", "c", "checkpoint"),
    ("Reset run", "r: with the settings in the fields", "reset"),
    ("Open a saved run", "o: the runs browser", "open_run"),
    ("Help", "? / F1", "help"),
)


class CharRNNApp(Notices, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "charrnn-tui"
    AUTO_FOCUS = "#log"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "pause", "Pause", id="pause"),
        Binding("space", "resume", "Resume", id="resume"),
        Binding("n", "step", "Step", id="step"),
        Binding("g", "sample", "Sample", id="sample"),
        Binding("i", "insight", "Insight", tooltip="What the network learned, live"),
        Binding("s", "save_samples", "Save", tooltip="Save every sample of the run"),
        Binding("c", "checkpoint", "Ckpt", tooltip="Save a checkpoint"),
        # "New", not "Reset": while paused (Resume, Step) every key must fit in 80 columns
        Binding("r", "reset", "New", tooltip="Reset: a new run with the settings in the fields"),
        # two bindings: in a field "?" is typed, and the footer shows F1 instead
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("f1", "help", "Help", key_display="F1"),
        Binding("q", "quit", "Quit"),
        Binding("o", "open_run", "Runs", tooltip="Open a saved run"),
        Binding("escape", "leave_field", "Leave field"),  # shown only in a field
        # not in the footer (no room at 80 columns): the row under the chart names it
        Binding("w", "loss_view", "Loss: whole run / recent", show=False),
        Binding("p", "picture", "Picture", show=False),  # the help and the palette name it
    ]
    state: reactive[str] = reactive("starting")

    def __init__(
        self,
        opener: Callable[[], OpenedRun],
        hp: Hyperparams,
        corpus_name: str,
        runs_dir: Path = Path("runs"),
        *,
        start_paused: bool = False,
        deterministic: bool = False,
        autosave_s: float | None = None,
        keep: int = DEFAULT_KEEP,
    ) -> None:
        super().__init__()
        self.hp = hp  # the settings in force in the trainer (from its events)
        self.corpus_name = corpus_name
        self.runs_dir = Path(runs_dir)
        self.deterministic = deterministic
        self.iteration = 0
        self.latest: events.Progress | None = None  # not yet drawn
        self._ticks = 0
        self.leaving = False  # quitting: the widgets are being removed, draw nothing
        self.sample_asked = False  # g was pressed: flush the sample when it arrives
        self._inbox: deque[events.Event] = deque()  # events from the trainer thread
        self.run_started: events.SessionStarted | None = None  # the run being trained
        # run folder: autosave every autosave_s (0: on quit only), last `keep` checkpoints
        self.recorder = Recorder(runs_dir, self._from_trainer, autosave_s=autosave_s, keep=keep)
        self.runs = RunKeeper(self, self.recorder)  # c, s, o keys; resumed history; signals
        self.trainer = Trainer(
            opener=opener,
            on_event=self._from_trainer,
            start_paused=start_paused,
            recorder=self.recorder,
        )
        self.insight = InsightController(self)  # the insight views (i) and their bookkeeping
        self.dispatch = TrainerEvents(self)  # what each trainer event changes on screen
        self.pacer = KeyPacer(
            self.trainer.yield_to_ui, lambda: self.call_after_refresh(self.trainer.ui_done)
        )

    def compose(self) -> ComposeResult:
        # Kept as attributes: while a dialog is open, query_one() would search the dialog.
        self.status_bar = StatusBar(self.deterministic, id="status")
        self.corpus_pane = CorpusPane(id="corpus")
        self.hp_pane = HyperparamPane(self.hp, id="hparams")
        self.loss_pane = LossPane(id="loss")
        self.sample_pane = SamplePane(id="samples")
        yield self.status_bar
        self.notice = NoticeLine(id="notice")
        with Horizontal(id="body"):
            with VerticalScroll(id="sidebar", can_focus=False):
                yield self.corpus_pane
                yield self.hp_pane
                self.tips_pane = TipsPane(id="tips")
                yield self.tips_pane
            with Vertical(id="main"):
                yield self.notice  # here, not full width: the sidebar keeps its rows
                yield self.loss_pane
                yield self.sample_pane
        self.footer = Footer(compact=True)
        yield self.footer

    def on_resize(self, event: Resize) -> None:
        self.footer.show_command_palette = event.size.width >= PALETTE_HINT_WIDTH
        self.tips_pane.fit(event.size.height)

    def on_mount(self) -> None:
        self.notices_ready()
        self.status_bar.corpus_name = self.corpus_name
        self._train()
        self.set_interval(REDRAW_S, self._redraw)
        self.runs.install_signals()

    def _redraw(self) -> None:
        """Draw what arrived since the last redraw.

        Every repaint takes the UI thread's time, and so the GIL from the trainer. A frame
        repaints every widget inside the bounding box of what changed, so the status bar
        (top row, full width) is never drawn in the same frame as the right-hand panes:
        that would repaint the whole sidebar too. Ticks alternate between the two.
        Anything the user does (keys, settings) is shown at once, not on a tick.
        """
        if self.leaving or not self.loss_pane.is_attached:  # shutting down
            return
        self._drain_inbox()
        self._ticks += 1
        if self._ticks % 2:
            if self.latest is not None:
                self.status_bar.show(self.latest)
                self.latest = None
            return
        if self._ticks % LOSS_TICKS == 0:
            self.loss_pane.redraw()
        if self._ticks % SAMPLE_TICKS == 0:
            self.sample_pane.flush()

    @work(thread=True, exclusive=True, exit_on_error=False, group="trainer")
    def _train(self) -> None:
        self.trainer.run()

    async def on_event(self, event: Event) -> None:
        if isinstance(event, (Key, MouseDown)):  # the user acts: give the UI the CPU
            if self.leaving or not self.screen_stack:
                return  # quitting: a key still in flight has no screen left to act on
            self.pacer.key()  # (not for every key of a flood: pacing.py)
        await super().on_event(event)

    def _from_trainer(self, event: events.Event) -> None:
        """Called in the trainer thread: hand the event to the UI thread, never block.

        Progress and samples (up to ~30 a second) wait in a queue that the redraw tick
        empties; waking the UI thread for each would take the GIL from the trainer each
        time. Everything else (state, settings, errors) is posted at once, and takes the
        queued events along, in order.
        """
        self._inbox.append(event)  # deque.append is atomic
        frequent = isinstance(event, (events.Progress, events.SampleTaken))
        asked = self.trainer.paused or (self.sample_asked and isinstance(event, events.SampleTaken))
        if not frequent or asked:  # something the user asked for (step, sample): show it now
            self.post_message(TrainerEvent(event))

    # -- trainer events ---------------------------------------------------------------

    @on(TrainerEvent)
    def _trainer_event(self, message: TrainerEvent) -> None:
        if self.leaving or not self.loss_pane.is_attached:  # shutting down: nothing to draw on
            return
        self._drain_inbox()
        if self.state != "training":  # nothing else to draw: show it all now
            self._draw_all()

    def _draw_all(self) -> None:
        if self.latest is not None:
            self.status_bar.show(self.latest)
            self.latest = None
        self.loss_pane.redraw()
        self.sample_pane.flush()

    def _drain_inbox(self) -> None:
        inbox = self._inbox
        for _ in range(len(inbox)):  # only what is there now: the trainer keeps adding
            self._handle(inbox.popleft())

    def _handle(self, e: events.Event) -> None:
        self.dispatch.handle(e)  # (a method: the tests record the events handled here)

    def watch_state(self) -> None:
        if self.screen_stack:
            self.refresh_bindings()  # space: Pause <-> Resume, n only while paused

    # -- messages from the panes --------------------------------------------------------

    @on(SettingEntered)
    def _setting(self, message: SettingEntered) -> None:
        try:
            self.trainer.set_live(**{message.name: message.value})
        except ValueError as e:
            self.notify(str(e), severity="error")

    @on(CorpusLoaded)
    def _corpus_loaded(self, message: CorpusLoaded) -> None:
        corpus = message.corpus
        pane = self.corpus_pane
        wanted, _ = self.hp_pane.wanted()
        hp = wanted or self.hp
        try:
            corpus.require_length(hp.seq_length, hp.batch_size)
        except Exception as e:
            pane.show_error(str(e))
            pane.restore_info()
            return
        pane.restore_info()

        def switch() -> None:
            self.trainer.reset(hp, corpus)
            self.action_leave_field()  # (no: the focus goes back where it was)

        question = (
            f"Train on {corpus.name} ({corpus.N:,} chars, vocabulary {corpus.V})?\n"
            f"A new run starts; the current one (iteration {self.iteration:,}) is saved "
            "in its run folder, and o opens it again."
        )
        ConfirmScreen.ask(self, question, switch)

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        paused = self.state in ("paused", "error")
        if action == "pause":
            return not paused
        if action == "resume":
            return paused
        if action == "step":
            return self.state == "paused"  # hidden while training: it only steps a paused run
        if action == "leave_field":  # in the footer only inside a field
            return bool(self.screen_stack) and isinstance(self.focused, Input)
        return True

    @on(FieldDone)
    def action_leave_field(self) -> None:
        """After a good Enter in a field (or on escape) the keys are commands again; the
        sample log has the focus, and its border shows it."""
        self.sample_pane.log_view.focus()  # an attribute: at shutdown a query finds nothing

    def action_pause(self) -> None:
        self.trainer.pause()
        self.status_bar.state = "paused"  # shown at once; the trainer confirms within a step

    def action_resume(self) -> None:
        self.trainer.resume()

    def action_step(self) -> None:
        self.trainer.step_once()

    def action_sample(self) -> None:
        self.sample_asked = True  # show it as soon as it comes, not on the next tick
        self.trainer.sample_now()

    def action_loss_view(self) -> None:
        self.loss_pane.toggle_view()

    def action_insight(self) -> None:
        self.insight.open()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_reset(self) -> None:
        hp, bad = self.hp_pane.wanted()
        if hp is None:
            self.notify(f"Not reset: fix {', '.join(bad)} first", severity="error")
            return
        if isinstance(self.screen, ConfirmScreen):
            return

        def reset() -> None:
            self.trainer.reset(hp)
            self.notify("New run with the settings in the fields")

        question = (
            f"Start a new run with the settings in the fields?\nThe current run (iteration "
            f"{self.iteration:,}) is saved in its run folder; o opens it again."
        )
        ConfirmScreen.ask(self, question, reset)

    def action_checkpoint(self) -> None:
        self.runs.checkpoint()

    def action_save_samples(self) -> None:
        self.runs.save_samples()

    def action_picture(self) -> None:
        self.runs.picture()

    def action_open_run(self) -> None:
        self.runs.browse()

    async def action_help_quit(self) -> None:
        await self.action_quit()  # Ctrl-C (outside a field): save and quit

    async def action_quit(self, code: int = 0) -> None:
        """Stop the trainer, which saves the run (Recorder.finish) on its way out."""
        # from now on nothing is drawn (children go before their parents: no half-removed
        # pane) and keys still in flight are dropped
        self.leaving = True
        self.trainer.stop()
        for _ in range(40):  # the loop checks its stop flag between iterations
            if self.trainer.stopped.is_set():
                break
            await asyncio.sleep(0.02)
        self.exit(code)

    def on_unmount(self) -> None:
        self.trainer.stop()
        self.runs.remove_signals()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Pause / resume training", "space", self.trainer.toggle_pause)
        for title, help_, action in PALETTE:
            yield SystemCommand(title, help_, getattr(self, f"action_{action}"))

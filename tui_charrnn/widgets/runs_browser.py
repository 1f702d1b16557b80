"""Runs browser (o): the run folders under --runs-dir, newest first; Enter opens one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from .. import events
from ..exits import STOP_SIGNALS, signal_exit_code
from ..opening import open_run
from ..recorder import Recorder
from ..storage import RunInfo, list_runs
from .dialogs import ConfirmScreen, Dialog


def describe(run: RunInfo) -> tuple[str, str, str, str, str]:
    best = f"{run.best_loss:.2f}" if run.best_loss is not None else "-"
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.modified)) if run.modified else "-"
    return (run.corpus, f"{run.iteration:,}", best, when, run.path.name)


class RunsBrowser(Dialog):
    """Closed with the chosen RunInfo, or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,o", "close", "Close")]

    def __init__(self, runs_dir: Path, current: Path | None = None) -> None:
        super().__init__()
        self.runs_dir = Path(runs_dir)
        self.current = current  # the run being trained (marked in the list)
        self.runs: list[RunInfo] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="runs"):
            yield Label(f"Runs in {self.runs_dir}", id="runs-title")
            table = DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("corpus", "iteration", "best loss", "saved", "folder")
            yield table
            yield Label("Reading the run folders...", id="runs-hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._load()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        runs = list_runs(self.runs_dir)  # reads every folder: off the UI thread
        self.app.call_from_thread(self._show, runs)

    def _show(self, runs: list[RunInfo]) -> None:
        self.runs, self.loaded = runs, True
        table = self.query_one(DataTable)
        for i, run in enumerate(runs):
            row = describe(run)
            if self.current is not None and run.path.resolve() == self.current.resolve():
                row = (f"{row[0]} (current)", *row[1:])
            table.add_row(*row, key=str(i))
        hint = self.query_one("#runs-hint", Label)
        if runs:
            hint.update("Enter opens the run (the current one is saved first) · escape closes")
        else:
            hint.update(
                f"No saved runs in {self.runs_dir} yet: a run is saved by c, on quit and by"
                " the autosave · escape closes"
            )

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.runs and 0 <= table.cursor_row < len(self.runs):
            self.close(self.runs[table.cursor_row])


SAVE_WAIT_S = 30.0  # after a stop signal, the longest wait for the final save
EXIT_GRACE_S = 3.0  # then the time the app has to exit on its own


class RunKeeper:
    """The app's side of run folders: checkpoint (c), samples (s) and picture (p) keys, autosave and
    resume notifications, a resumed run's history on screen, the runs browser (o), and
    SIGTERM/SIGINT (save, then quit). The files are written by the Recorder, in the
    trainer thread."""

    def __init__(self, app: App, recorder: Recorder) -> None:
        self.app = app  # the CharRNNApp (not imported: it imports this module)
        self.recorder = recorder
        self._signals: list[int] = []
        # the process may end itself if the app cannot exit (only the real program sets
        # this: never a test, which runs in the test process)
        self.leave_if_stuck = False

    # -- trainer events ----------------------------------------------------------------

    def handle(self, e: events.Event) -> None:
        app = self.app
        if isinstance(e, events.SessionStarted):  # a new session; RunOpened follows a resume
            app.status_bar.elapsed0 = 0.0
        elif isinstance(e, events.RunOpened):
            self._opened(e)
        elif isinstance(e, events.CheckpointSaved):
            if e.error:
                app.notify(f"Checkpoint not saved: {e.error}", severity="error", timeout=8)
            elif not e.auto:  # autosaves (every 30 s) go without a word
                app.notify(f"Checkpoint (iter {e.iteration:,}) saved to {e.path}")
        elif isinstance(e, events.SamplesExported):
            if e.error:
                app.notify(f"Samples not saved: {e.error}", severity="error")
            else:
                app.notify(f"Samples saved to {e.path}")
        elif isinstance(e, events.PlotWritten):
            if e.error:
                app.notify(f"Loss curves not written: {e.error}", severity="error")
            else:
                app.notify(f"Loss curves of the whole run written to {e.path}")
        elif isinstance(e, events.RecordFailed):
            app.notify(f"Samples/metrics not saved: {e.message}", severity="error", timeout=8)

    def _opened(self, e: events.RunOpened) -> None:
        """A resumed run: its loss curve and samples as they were, and what was odd."""
        app = self.app
        if e.metrics:  # the clock goes on from the run's training time (as metrics.csv does)
            app.status_bar.elapsed0 = e.metrics[-1].elapsed_s
        started = app.run_started
        if started is not None:
            history = [(m.iteration, m.smooth_loss) for m in e.metrics]
            # validation is plotted at the iterations trained, as the live points are
            vals = [(m.iteration + 1, m.val_loss) for m in e.metrics if m.val_loss is not None]
            app.loss_pane.restart(
                started.iteration, started.smooth_loss, app.hp.seq_length, started.V, history,
                vals=vals, changes=e.changes,
            )  # fmt: skip
            # the baselines it had beaten were announced in its first session: not again
            app.insight.tracker.resumed(vals)
        app.sample_pane.clear()
        for sample in e.samples:
            app.sample_pane.add(sample)
        app.sample_pane.flush()
        for warning in e.warnings:
            app.notify(warning, title="Resumed with a warning", severity="warning", timeout=12)
        app.notify(f"Resumed {e.source} at iteration {e.iteration:,}", timeout=5)

    # -- keys ----------------------------------------------------------------------------

    def checkpoint(self) -> None:
        self.app.trainer.save_checkpoint()

    def save_samples(self) -> None:
        """Every sample of the run, to samples.txt (written by the recorder)."""
        self.app.trainer.export_samples()

    def picture(self) -> None:
        """The whole run's loss curves, to loss.svg (written by the recorder)."""
        self.app.trainer.write_plot()

    def browse(self) -> None:
        app = self.app
        if isinstance(app.screen, RunsBrowser):
            return
        folder = self.recorder.folder
        browser = RunsBrowser(self.recorder.runs_dir, folder.path if folder else None)
        app.push_screen(browser, self._chosen)

    def _chosen(self, run: RunInfo | None) -> None:
        if run is None:
            return
        app = self.app
        folder = self.recorder.folder
        if folder is not None and folder.path.resolve() == run.path.resolve():
            app.notify(f"{run.path.name} is the run being trained", timeout=4)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                app.trainer.open(lambda: open_run(resume=run.path))
                app.notify(f"Opening {run.path.name}...")

        question = (
            f"Open {run.path.name} ({run.corpus}, iteration {run.iteration:,})?\n"
            f"The current run (iteration {app.iteration:,}) is saved first, then closed."
        )
        app.push_screen(ConfirmScreen(question), answer)

    # -- signals -------------------------------------------------------------------------

    def install_signals(self) -> None:
        """SIGTERM, SIGINT and SIGHUP save the run and quit (exit code 128 + the signal
        number), as headless training does."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            try:
                loop.add_signal_handler(sig, self._signalled, signal_exit_code(sig))
            except (NotImplementedError, RuntimeError, ValueError):
                continue
            self._signals.append(sig)

    def _signalled(self, code: int) -> None:
        self.app.call_later(self.app.action_quit, code)
        if self.leave_if_stuck:
            watchdog = threading.Thread(target=self._leave_if_stuck, args=(code,), daemon=True)
            watchdog.start()

    def _leave_if_stuck(self, code: int) -> None:
        """After SIGHUP the terminal is usually gone, and Textual's way out blocks on
        writing to it. Once the run is saved, the process leaves anyway."""
        if self.app.trainer.stopped.wait(SAVE_WAIT_S):  # the final save is done
            time.sleep(EXIT_GRACE_S)  # a normal exit (terminal restored) ends us before
        os._exit(code)

    def remove_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in self._signals:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        self._signals.clear()

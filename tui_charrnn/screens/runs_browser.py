"""Runs browser (o): the run folders under --runs-dir, newest first, with their model;
Enter opens one; space marks runs and c compares their held-out loss with the current
run's (screens/compare.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Label

from .. import events
from ..changes import SettingChange
from ..exits import STOP_SIGNALS, signal_exit_code
from ..labels import net_label, net_of, run_label
from ..lossplot import HeldOut, SeqLengths
from ..opening import open_run
from ..recorder import Recorder
from ..storage import RunInfo, list_runs
from ..widgets.dialogs import ConfirmScreen, Dialog
from ..widgets.footer import Footer
from .compare import MAX_SAVED, CompareScreen

MARK = "✓"
COLUMNS = (MARK, "corpus", "model", "iteration", "best val", "saved", "folder")


def describe(run: RunInfo) -> tuple[str, ...]:
    """The row of a run: mark, corpus, model, iteration, best held-out loss, saved, folder."""
    best = f"{run.best_val:.3f}" if run.best_val is not None else "-"
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.modified)) if run.modified else "-"
    model = net_label(run.net) if run.net is not None else "-"
    return ("", run.corpus, model, f"{run.iteration:,}", best, when, run.path.name)


class RunsBrowser(Dialog):
    """Closed with the chosen RunInfo, or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,o", "close", "Close"),
        Binding("space", "mark", "Mark a run to compare"),
        Binding("c", "compare", "Compare the marked runs' held-out loss"),
    ]

    def __init__(
        self,
        runs_dir: Path,
        current: Path | None = None,
        current_curve: Callable[[], HeldOut | None] = lambda: None,
    ) -> None:
        super().__init__()
        self.runs_dir = Path(runs_dir)
        self.current = current  # the run being trained (marked in the list)
        self.current_curve = current_curve  # its held-out loss so far, for the comparison
        self.runs: list[RunInfo] = []
        self.marked: list[int] = []  # rows marked with space, in the order marked
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical(id="runs"):
            yield Label(f"Runs in {self.runs_dir}", id="runs-title")
            table = DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
            self.columns = table.add_columns(*COLUMNS)
            yield table
            yield Label("Reading the run folders...", id="runs-hint")
        yield Footer(compact=True)  # this screen's keys, over the main screen's stale footer

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
            if self._is_current(run):
                row = (row[0], f"{row[1]} (current)", *row[2:])
            table.add_row(*row, key=str(i))
        hint = self.query_one("#runs-hint", Label)
        if runs:
            hint.update(
                "Enter opens the run (the current one is saved first) · space marks runs,"
                " c compares their held-out loss with this run's · escape closes"
            )
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

    def action_mark(self) -> None:
        """Mark or unmark the run under the cursor for the comparison."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        if not self.runs or not 0 <= row < len(self.runs):
            return
        if row in self.marked:
            self.marked.remove(row)
        else:
            self.marked.append(row)
        table.update_cell_at((row, 0), MARK if row in self.marked else "")

    def action_compare(self) -> None:
        """The marked runs' held-out curves with the current run's (no run marked: the
        one under the cursor's)."""
        table = self.query_one(DataTable)
        rows = self.marked or ([table.cursor_row] if 0 <= table.cursor_row < len(self.runs) else [])
        chosen = [self.runs[r] for r in rows if not self._is_current(self.runs[r])]
        if len(chosen) > MAX_SAVED:
            self.app.notify(f"Comparing the first {MAX_SAVED} marked runs with this one")
        self.app.push_screen(CompareScreen(chosen, self.current_curve))

    def _is_current(self, run: RunInfo) -> bool:
        """The run being trained: its live curve is always on the comparison."""
        return self.current is not None and run.path.resolve() == self.current.resolve()


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
        path = folder.path if folder else None
        browser = RunsBrowser(self.recorder.runs_dir, path, self.current_curve)
        app.push_screen(browser, self._chosen)

    def current_curve(self) -> HeldOut | None:
        """The held-out loss of the run being trained, so far (the loss pane's points)."""
        app = self.app
        started = app.run_started
        if started is None:
            return None
        hp, pane = app.hp, app.loss_pane
        net = net_of(hp, started.V)
        seq = SeqLengths(hp.seq_length, [SettingChange(*m) for m in pane.marks])
        label = f"{run_label(net, app.corpus_name)} (this run)"
        return HeldOut(label, list(pane.vals), seq, hp.batch_size)

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

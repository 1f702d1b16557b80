"""Headless training (`charrnn-tui train`, or `--headless`): the app's Trainer and Recorder,
with a rich progress bar instead of panes.

The Trainer runs in a worker thread, exactly as in the app; this (main) thread prints what
it reports and handles signals. Ctrl-C (SIGINT), SIGTERM and SIGHUP stop training between
two iterations; the run is saved and the exit code is 128 + the signal number, as shells
report it. Output trouble never costs the run: if stdout is a closed pipe, training stops
quietly after saving; if writing fails otherwise (a full disk), printing stops and
training goes on.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from . import events
from .exits import EXIT_FAILED, EXIT_OK, STOP_SIGNALS, error, signal_exit_code, warn
from .opening import OpenedRun
from .recorder import Recorder
from .run_folder import DEFAULT_KEEP
from .trainer import Trainer
from .validation import describe

REFRESH_S = 0.1  # the progress bar is redrawn at most ~10 times a second
POLL_S = 0.1  # signals and the end of training are noticed at least this often


class _StopFlag:
    """The stop signals set a flag that the main thread checks while training runs."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self._old: dict = {}

    def _handler(self, signum, frame) -> None:
        self.signum = self.signum or signum

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self._old[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


class _PipeConsole(Console):
    """rich's Console, except that a closed stdout pipe only sets `pipe_closed` (rich's
    own reaction is to exit the process at once, before the run is saved)."""

    pipe_closed = False

    def on_broken_pipe(self) -> None:
        self.pipe_closed = True
        self.mute()

    def mute(self) -> None:
        """Print nothing more; what is still buffered must not fail again at exit
        (Python's advice on SIGPIPE), so stdout goes to /dev/null."""
        self.quiet = True
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _Printer:
    """Prints the trainer's events with rich; a write that fails never reaches training."""

    def __init__(self, opened: OpenedRun, iters: int | None) -> None:
        self.console = _PipeConsole()
        self.start_n = opened.session.n
        self._t_bar = 0.0
        self.error: str | None = None  # training failed (TrainerError)
        self.progress = Progress(
            TextColumn("iter {task.fields[n]:>8,}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:8.3f}  {task.fields[nats]:.3f} nats/char"),
            TextColumn("{task.fields[cps]:>9,.0f} chars/s"),
            TimeElapsedColumn(),
            console=self.console,
            auto_refresh=False,
        )
        s = opened.session
        self.task = self.progress.add_task(
            "train", total=iters, n=s.n, loss=s.smooth_loss, nats=0.0, cps=0.0
        )

    @property
    def pipe_closed(self) -> bool:
        """stdout's reader went away: training stops, quietly."""
        return self.console.pipe_closed

    def guarded(self, write) -> None:
        if self.console.quiet:
            return
        try:
            write()
        except BrokenPipeError:
            self.console.on_broken_pipe()
        except OSError:  # e.g. stdout on a full disk: training matters more than its log
            self.console.mute()

    def say(self, text: str) -> None:  # plain text, never wrapped: paths stay copyable
        self.guarded(
            lambda: self.console.print(text, soft_wrap=True, markup=False, highlight=False)
        )

    def handle(self, e: events.Event) -> None:
        if isinstance(e, events.SessionStarted):
            self.say(e.val_note)
        elif isinstance(e, events.Progress):
            self._bar(e)
        elif isinstance(e, events.SampleTaken):
            self._sample(e.sample)
        elif isinstance(e, events.Validated):
            self.say(describe(e))
        elif isinstance(e, events.Diverged):
            self.say(e.message)
            if e.paused:  # the guard gave up: nobody is here to resume
                self.error = "the divergence guard paused training"
        elif isinstance(e, events.CheckpointSaved) and e.error:
            self.say(f"warning: {e.error}")
        elif isinstance(e, events.RecordFailed):
            self.say(f"warning: {e.message}")
        elif isinstance(e, events.TrainerError):
            self.error = e.message

    def _bar(self, e: events.Progress) -> None:
        now = time.perf_counter()
        if now - self._t_bar < REFRESH_S:
            return
        self._t_bar = now
        done = e.iteration - self.start_n
        self.progress.update(
            self.task,
            completed=done,
            n=e.iteration,
            loss=e.smooth_loss,
            nats=e.nats_per_char,
            cps=e.chars_per_s,
        )
        self.guarded(self.progress.refresh)

    def _sample(self, s: events.Sample) -> None:
        title = f"iteration {s.iteration}  loss {s.loss:.3f}"
        panel = Panel(Text(s.text), title=title, title_align="left")
        self.guarded(lambda: self.console.print(panel))


def train(
    opened: OpenedRun,
    runs_dir: Path,
    iters: int | None = None,
    autosave_s: float | None = None,
    keep: int = DEFAULT_KEEP,
    plot: bool = False,
) -> int:
    """Train `opened` until `iters` iterations are done (None: until a stop signal).
    plot: write the run's loss curves to loss.svg in its folder once it is saved."""
    s, c = opened.session, opened.session.corpus
    inbox: queue.SimpleQueue[events.Event] = queue.SimpleQueue()
    recorder = Recorder(runs_dir, inbox.put, autosave_s=autosave_s, keep=keep)
    trainer = Trainer(
        opener=lambda: opened,
        on_event=inbox.put,
        recorder=recorder,
        iters=iters,
        yield_every_s=float("inf"),  # no UI thread to hand the GIL to
    )
    out = _Printer(opened, iters)
    for w in opened.warnings:
        warn(w)
    hp = s.hp
    out.say(
        f"{c.name}: {c.N:,} characters, {c.V} unique; {s.params.net.describe()}"
        f" ({s.params.flat.size:,} parameters), seq {hp.seq_length}, {hp.optimizer} lr"
        f" {hp.learning_rate:g}, batch {hp.batch_size}, {hp.dtype}; starting at iteration {s.n}"
    )
    worker = threading.Thread(target=trainer.run, name="trainer", daemon=True)
    with _StopFlag() as flag:
        out.guarded(out.progress.start)
        worker.start()
        while worker.is_alive() or not inbox.empty():
            with contextlib.suppress(queue.Empty):
                out.handle(inbox.get(timeout=POLL_S))
            if flag.signum is not None or out.pipe_closed or out.error:
                trainer.stop()
        worker.join()
        out.guarded(out.progress.stop)
    code = _finish(trainer, recorder, out, flag.signum)
    if plot and recorder.folder is not None:
        _plot(recorder, out)
    return code


def _plot(recorder: Recorder, out: _Printer) -> None:
    from .files import CheckpointError

    try:
        out.say(f"wrote the loss curves to {recorder.write_plot()}")
    except CheckpointError as e:  # the run is saved; a picture is not worth failing it
        warn(str(e))


def _finish(trainer: Trainer, recorder: Recorder, out: _Printer, signum: int | None) -> int:
    """The last words: validation, where the run was saved, and the exit code."""
    s = trainer.session
    if trainer.validator is not None and (summary := trainer.validator.summary(s, 0.0)):
        out.say(summary)
    folder = recorder.folder
    if out.error:
        return error(f"training failed: {out.error}", EXIT_FAILED)
    what = {signal.SIGINT: "interrupted", signal.SIGHUP: "hung up"}.get(signum, "terminated")
    if folder is None and not recorder.unsaved:
        out.say(f"{what if signum else 'stopped'} at iteration {s.n}; nothing new to save")
        return signal_exit_code(signum) if signum is not None else EXIT_OK
    if folder is None or recorder.unsaved:
        n = recorder.folder_checkpoint
        where = f"; {folder.path} holds iteration {n}" if folder and n is not None else ""
        return error(f"the final checkpoint could not be saved{where}", EXIT_FAILED)
    if signum is not None:
        out.say(f"{what} at iteration {s.n}; saved the run to {folder.path}")
        return signal_exit_code(signum)
    out.say(f"trained to iteration {s.n}; saved the run to {folder.path}")
    return EXIT_OK

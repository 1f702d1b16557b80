"""A run's folder as training goes: the one writer of every file in it, in both modes.

No UI library here. The Trainer calls these hooks from its own thread, between (or,
for `step`, right after) iterations, in the app and headless alike:

- started(opened): a new session; a resumed one reports its history (RunOpened)
- step(result, lr, val, elapsed): every iteration; a metrics row every METRICS_EVERY iterations
  (val: the validation loss evaluated after that iteration, if any)
- final_val(n, val, elapsed): the held-out loss when the run ends, in its last row
- settings_changed(n, settings, previous): live changes, to changes.jsonl
- sample(sample) / rolled_back(n): samples to record / forget what a rollback undid
- tick(rate): ~15 times a second; flushes every FLUSH_S, autosaves when due
- save(session): a checkpoint now (c); export_samples(): samples.txt now (s);
  write_plot(): loss.svg now (p, and `train --plot` at the end)
- finish(session): before a reset, an open or the end of the thread: the run is saved

Order on disk: the log lines (samples.jsonl, changes.jsonl, metrics.csv) are appended
before the checkpoint that covers them, so a kill between the two never loses a line the
checkpoint covers; settings.json is rewritten after every checkpoint, so it always holds
the newest checkpoint's hyperparameters. After a rollback no file keeps an iteration that
was undone.

The run folder is created on the first flush. A resumed run gets a new folder that
starts with the old run's history up to the checkpoint, so the old folder is never changed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

from . import events
from .changes import SettingChange, from_applied
from .checkpoint import CheckpointError
from .lossplot import write_run_plot
from .metrics import METRICS_EVERY
from .opening import OpenedRun
from .run_folder import DEFAULT_KEEP, RunFolder
from .session import Session, StepResult
from .validation import best_in

FLUSH_S = 2.0  # samples and metrics reach the disk at least this often
MAX_BUFFERED = 100_000  # rows kept in memory while the disk refuses them
# Autosave: at most this much training is lost to a crash or a power cut, unless saving
# is slow: the interval stretches so that saving costs at most 1 % of training time.
AUTOSAVE_S = 30.0
AUTOSAVE_COST = 0.01
RETRY_MAX_S = 300.0  # a failing autosave is retried at doubling intervals up to this


class NullRecorder:
    """Records nothing (a Trainer without a run folder)."""

    best_val: tuple[float, int] | None = None  # a resumed run's best (val_loss, iteration)

    def started(self, opened: OpenedRun) -> None: ...
    def final_val(self, n: int, val: float, elapsed: Callable[[], float]) -> None: ...
    def step(
        self, r: StepResult, lr: float, val: float | None, elapsed: Callable[[], float]
    ) -> None: ...
    def settings_changed(self, n: int, settings: dict, previous: dict) -> None: ...
    def sample(self, sample: events.Sample) -> None: ...
    def rolled_back(self, n: int) -> None: ...
    def tick(self, rate: float) -> None: ...
    def finish(self, session: Session | None) -> None: ...

    def save(self, session: Session) -> Path:
        raise CheckpointError("this run has no run folder")

    def export_samples(self) -> Path:
        raise CheckpointError("this run has no run folder")

    def write_plot(self) -> Path:
        raise CheckpointError("this run has no run folder")


class Recorder(NullRecorder):
    def __init__(
        self,
        runs_dir: Path,
        emit: events.Emit,
        *,
        autosave_s: float | None = None,
        keep: int = DEFAULT_KEEP,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runs_dir = Path(runs_dir)
        # None: every AUTOSAVE_S, stretched to cost < 1 %; a number: exactly that often
        # (0: only on quit, reset, open and c)
        self.autosave_s = autosave_s
        self.keep = keep
        self._emit = emit
        self._clock = clock
        self.folder: RunFolder | None = None
        self.session: Session | None = None
        self._opened: OpenedRun | None = None
        self._rows: list[tuple] = []
        self._last_step: tuple[StepResult, float] | None = None  # and its learning rate
        self._samples: list[events.Sample] = []
        self._changes: list[SettingChange] = []
        self._on_disk = -1  # the highest iteration of a line written to the folder's logs
        self._saved_n = 0
        self._elapsed0 = 0.0  # training time of the run before it was resumed
        self._rate = 0.0  # chars/s over the trainer's last reporting interval
        self._t_flush = self._t_save = clock()
        self._save_took = 0.0  # seconds the last checkpoint took to write
        self._failing = False  # the last flush failed (reported once per streak)
        self._save_failures = 0  # autosaves failed in a row (reported once, backed off)
        self._folder_n: int | None = None  # iteration of the newest checkpoint in the folder

    # -- hooks (trainer thread) -----------------------------------------------------------

    def started(self, opened: OpenedRun) -> None:
        session = opened.session
        self.folder = None
        self.session, self._opened = session, opened
        self._rows, self._samples, self._changes = [], [], []
        self._last_step = None
        self._on_disk = -1
        self.best_val = None
        self._saved_n = session.n
        self._save_failures = 0
        self._folder_n = None
        self._elapsed0 = self._rate = 0.0
        self._t_flush = self._t_save = self._clock()
        if not opened.resumed:
            return
        h = opened.history
        if h.metrics:
            self._elapsed0 = h.metrics[-1].elapsed_s
        self.best_val = best_in(h.metrics)
        source = str(opened.checkpoint.path)
        self._emit(
            events.RunOpened(source, session.n, opened.warnings, h.metrics, h.samples, h.changes)
        )

    def step(
        self, r: StepResult, lr: float, val: float | None, elapsed: Callable[[], float]
    ) -> None:
        """After each iteration; `elapsed()`: the session's training time until now."""
        self._last_step = (r, lr)
        if r.n % METRICS_EVERY == 0:
            self._add_row(r, lr, val, elapsed)

    def _add_row(
        self, r: StepResult, lr: float, val: float | None, elapsed: Callable[[], float]
    ) -> None:
        if math.isfinite(r.loss) and math.isfinite(r.smooth_loss):
            val = val if val is not None and math.isfinite(val) else None
            t = self._elapsed0 + elapsed()
            self._rows.append((r.n, r.smooth_loss, r.loss, lr, t, self._rate, val))

    def final_val(self, n: int, val: float, elapsed: Callable[[], float]) -> None:
        """The held-out loss after n iterations, when the run ends: in the metrics row of
        its last iteration (n - 1), one row per iteration. The row is added if that
        iteration had none, else given the value, in memory or, once written, on disk."""
        last = self._last_step
        if last is None or last[0].n != n - 1 or not math.isfinite(val):
            return  # nothing trained in this session, or a rollback since
        r, lr = last
        for i, row in enumerate(self._rows):
            if row[0] == r.n:
                self._rows[i] = (*row[:6], val)
                return
        if r.n % METRICS_EVERY != 0:
            self._add_row(r, lr, val, elapsed)
            return
        if self.folder is not None:  # the row was written
            try:
                self.folder.set_val_loss(r.n, val)
            except CheckpointError as e:
                self._emit(events.RecordFailed(f"{e}; the final held-out loss is not in it"))

    def settings_changed(self, n: int, settings: dict, previous: dict) -> None:
        self._changes += from_applied(n, settings, previous)

    def sample(self, sample: events.Sample) -> None:
        self._samples.append(sample)

    def rolled_back(self, n: int) -> None:
        """A rollback to iteration n (the session's n now): what was recorded after it
        never happened, in memory and on disk. A setting changed after n is still in
        force: its change now dates from n. A checkpoint newer than n is replaced by
        one of the state the run went back to."""
        self._rows = [row for row in self._rows if row[0] < n]
        self._samples = [s for s in self._samples if s.iteration < n]
        self._changes = [c._replace(iteration=min(c.iteration, n)) for c in self._changes]
        folder = self.folder
        if folder is None:
            return
        try:
            if self._on_disk >= n:
                folder.truncate_logs(n)
                self._on_disk = n - 1
            if self._saved_n > n and self.session is not None:
                self.save(self.session)
        except CheckpointError as e:
            self._emit(events.RecordFailed(f"{e}; the rollback is not reflected on disk"))

    def tick(self, rate: float) -> None:
        self._rate = rate
        now = self._clock()
        if self._autosave_due(now) and self.session is not None:
            self._autosave(self.session)
        elif now - self._t_flush >= FLUSH_S:
            self.flush()

    def _autosave_due(self, now: float) -> bool:
        if self.autosave_s == 0:
            return False  # only on quit, reset, open and c
        first = self.folder is None and self.unsaved and not self._save_failures
        if first and now - self._t_flush >= FLUSH_S:
            return True  # the first write of a run is a checkpoint: it can be resumed at once
        if self.autosave_s is not None:
            interval = self.autosave_s
        else:
            interval = max(AUTOSAVE_S, self._save_took / AUTOSAVE_COST)
        if self._save_failures:  # back off: 2, 4, 8... times the interval
            interval = min(max(interval, FLUSH_S) * 2**self._save_failures, RETRY_MAX_S)
        return now - self._t_save >= interval

    def _autosave(self, session: Session) -> None:
        """A checkpoint now; a failure is reported once per streak, with what is safe."""
        n = session.n
        try:
            path = self.save(session)
        except CheckpointError as e:
            self._save_failures += 1
            if self._save_failures == 1:
                self._emit(events.CheckpointSaved(None, n, self._safe(str(e)), auto=True))
        else:
            self._save_failures = 0
            self._emit(events.CheckpointSaved(str(path), n, None, auto=True))

    def _safe(self, error: str) -> str:
        """The error, and what is on disk (saves are retried less and less often)."""
        folder, n = self.folder, self._folder_n
        if folder is None or n is None:
            return f"{error}; training continues, nothing saved yet (retrying)"
        return (
            f"{error}; training continues, the previous checkpoint is kept ({folder.path}"
            f" holds iteration {n}; retrying less and less often)"
        )

    def save(self, session: Session) -> Path:
        """The log lines, then a checkpoint covering them, then settings.json; raises
        CheckpointError if the checkpoint cannot be written (the previous one stays)."""
        self._t_save = t0 = self._clock()
        folder = self.ensure_folder()
        self.flush()
        path = folder.save_checkpoint(session)
        self._saved_n = self._folder_n = session.n
        c = session.corpus
        folder.write_settings(session.hp, c.name, c.path, c.sha256)
        self._save_took = self._clock() - t0
        return path

    def export_samples(self) -> Path:
        """samples.txt: every sample of the run so far, readable; CheckpointError."""
        folder = self.ensure_folder()
        self.flush()
        s = self.session
        return folder.write_samples(folder.read_samples(), s.hp, s.corpus.name)

    def write_plot(self) -> Path:
        """loss.svg: the loss curves of the whole run so far (lossplot.py, as `train
        --plot` draws them); CheckpointError."""
        folder = self.ensure_folder()
        self.flush()  # the newest rows are on the picture
        return write_run_plot(folder)

    def finish(self, session: Session | None) -> None:
        """Before the session goes away: save it if it changed since the last save, and
        export its samples."""
        if session is None or session is not self.session:
            return
        try:
            if self.unsaved:
                path = self.save(session)
                self._emit(events.CheckpointSaved(str(path), session.n, None, auto=True))
            if self._samples or self.folder is not None:
                self.export_samples()
        except (CheckpointError, OSError) as e:
            self._emit(events.CheckpointSaved(None, session.n, str(e)))

    def _note_on_disk(self, iteration: int) -> None:
        self._on_disk = max(self._on_disk, iteration)

    @property
    def folder_checkpoint(self) -> int | None:
        """The iteration of the newest checkpoint in this run's folder, if any."""
        return self._folder_n

    @property
    def unsaved(self) -> bool:
        """The session has trained past its newest checkpoint (e.g. the last save failed)."""
        return self.session is not None and self.session.n != self._saved_n

    # -- the folder ------------------------------------------------------------------------

    def ensure_folder(self) -> RunFolder:
        """The run's folder, created (with its settings and inherited history) on first use.
        CheckpointError if it cannot be created."""
        if self.folder is not None:
            return self.folder
        s, opened = self.session, self._opened
        if s is None or opened is None:
            raise CheckpointError("no run to save yet")
        c = s.corpus
        folder = RunFolder.create(self.runs_dir, c.name, keep=self.keep)
        try:
            origin = opened.checkpoint.path if opened.checkpoint is not None else None
            folder.write_settings(s.hp, c.name, c.path, c.sha256, origin)
            h = opened.history
            folder.append_history(list(h.metrics), list(h.samples), list(h.changes))
        except CheckpointError:
            folder.remove()  # no half-made folder is left behind (a full disk)
            raise
        self.folder = folder
        return folder

    def flush(self) -> None:
        """Append the samples, changes and metrics rows gathered so far; a failure is
        reported once (per streak of failures) and they are kept for the next try."""
        self._t_flush = self._clock()
        if not (self._rows or self._samples or self._changes) or self.session is None:
            return
        try:
            folder = self.ensure_folder()
            # each file's lines are dropped from memory once written, so a retry after a
            # failure writes only what is missing
            if self._samples:
                folder.append_samples(self._samples)
                self._note_on_disk(self._samples[-1].iteration)
                self._samples = []
            if self._changes:
                folder.append_changes(self._changes)
                self._note_on_disk(self._changes[-1].iteration)
                self._changes = []
            if self._rows:
                folder.append_metrics(self._rows)
                self._note_on_disk(self._rows[-1][0])
                self._rows = []
        except CheckpointError as e:
            del self._rows[:-MAX_BUFFERED]
            del self._samples[:-MAX_BUFFERED]
            if not self._failing:
                self._emit(events.RecordFailed(f"{e}; training continues, kept in memory"))
            self._failing = True
        else:
            self._failing = False

"""Run-folder bookkeeping for the app's trainer: autosave, samples, metrics, history.

No UI library here. The Trainer calls these hooks from its own thread, between (or,
for `step`, right after) iterations; nothing here blocks the UI thread:

- started(session): a new session; a resumed one reports its history (RunOpened)
- step(result, lr, val): every iteration; a metrics row every METRICS_EVERY iterations
  (val: the validation loss evaluated after that iteration, if any)
- settings_changed(n, settings, previous): live changes, to changes.jsonl
- sample(sample) / rolled_back(n): samples to record / forget what a rollback undid
- tick(elapsed, rate): ~15 times a second; flushes every FLUSH_S, autosaves when due
- save(session): a checkpoint now (also the c key); finish(session): before a reset,
  an open or the end of the thread: a checkpoint if anything changed since the last

The run folder is created on the first flush. A resumed run gets a new folder that
inherits the old run's samples and metrics up to the checkpoint's iteration (as the
headless command does), so the old folder is never changed.
"""

from __future__ import annotations

import argparse
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import events
from .changes import SettingChange, from_applied, read_changes
from .checkpoint import Checkpoint, CheckpointError
from .metrics import METRICS_EVERY
from .session import Session, StepResult
from .storage import DEFAULT_KEEP, RunFolder, run_folder_of
from .validation import best_in

FLUSH_S = 2.0  # samples and metrics reach the disk at least this often
MAX_BUFFERED = 100_000  # rows kept in memory while the disk refuses them


class NullRecorder:
    """Records nothing (a Trainer without a run folder)."""

    best_val: tuple[float, int] | None = None  # a resumed run's best (val_loss, iteration)

    def started(self, session: Session) -> None: ...
    def step(self, r: StepResult, lr: float, val: float | None = None) -> None: ...
    def settings_changed(self, n: int, settings: dict, previous: dict) -> None: ...
    def sample(self, sample: events.Sample) -> None: ...
    def rolled_back(self, n: int) -> None: ...
    def tick(self, elapsed: float, rate: float) -> None: ...
    def finish(self, session: Session | None) -> None: ...


class Recorder(NullRecorder):
    def __init__(
        self,
        runs_dir: Path,
        emit: Callable[[object], None],
        *,
        autosave_s: float = 300.0,
        keep: int = DEFAULT_KEEP,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runs_dir = Path(runs_dir)
        self.autosave_s = autosave_s  # 0: only on quit, reset, open and c
        self.keep = keep
        self._emit = emit
        self._clock = clock
        self._lock = threading.Lock()  # folder creation (the s key saves from a worker)
        self.folder: RunFolder | None = None
        self.session: Session | None = None
        self._next_origin: tuple[Checkpoint | None, list[str]] = (None, [])
        self._origin: Checkpoint | None = None
        self._rows: list[tuple] = []
        self._samples: list[events.Sample] = []
        self._changes: list[SettingChange] = []
        self._saved_n = 0
        self._elapsed0 = 0.0  # training time of the run before it was resumed
        self._elapsed = self._rate = 0.0
        self._t_flush = self._t_save = clock()
        self._failing = False  # the last flush failed (reported once per streak)

    # -- hooks (trainer thread) -----------------------------------------------------------

    def resumed(self, ckpt: Checkpoint | None, warnings: list[str]) -> None:
        """The next session to start continues `ckpt` (called by its factory)."""
        self._next_origin = (ckpt, list(warnings))

    def started(self, session: Session) -> None:
        origin, warnings = self._next_origin
        self._next_origin = (None, [])
        with self._lock:
            self.folder = None
        self.session, self._origin = session, origin
        self._rows, self._samples, self._changes = [], [], []
        self.best_val = None
        self._saved_n = session.n
        self._elapsed0 = self._elapsed = self._rate = 0.0
        self._t_flush = self._t_save = self._clock()
        if origin is None:
            return
        old = run_folder_of(origin.path) if origin.path is not None else None
        metrics = old.read_metrics(origin.n) if old is not None else []
        samples = old.read_samples(origin.n) if old is not None else []
        changes = read_changes(old.path, origin.n) if old is not None else []
        if metrics:
            self._elapsed0 = metrics[-1].elapsed_s
        self.best_val = best_in(metrics)
        history = (tuple(metrics), tuple(samples), tuple(changes))
        self._emit(events.RunOpened(str(origin.path), origin.n, tuple(warnings), *history))

    def step(self, r: StepResult, lr: float, val: float | None = None) -> None:
        if r.n % METRICS_EVERY == 0 and math.isfinite(r.loss) and math.isfinite(r.smooth_loss):
            val = val if val is not None and math.isfinite(val) else None
            elapsed = self._elapsed0 + self._elapsed
            self._rows.append((r.n, r.smooth_loss, r.loss, lr, elapsed, self._rate, val))

    def settings_changed(self, n: int, settings: dict, previous: dict) -> None:
        self._changes += from_applied(n, settings, previous)

    def sample(self, sample: events.Sample) -> None:
        self._samples.append(sample)

    def rolled_back(self, n: int) -> None:
        """A rollback to iteration n: what was recorded after it never happened."""
        self._rows = [row for row in self._rows if row[0] < n]
        self._samples = [s for s in self._samples if s.iteration < n]

    def tick(self, elapsed: float, rate: float) -> None:
        self._elapsed, self._rate = elapsed, rate
        now = self._clock()
        if self.autosave_s and now - self._t_save >= self.autosave_s and self.session is not None:
            self._t_save = now
            n = self.session.n
            try:
                path = self.save(self.session)
            except CheckpointError as e:
                self._emit(events.CheckpointSaved(None, n, str(e), auto=True))
            else:
                self._emit(events.CheckpointSaved(str(path), n, None, auto=True))
        elif now - self._t_flush >= FLUSH_S:
            self.flush()

    def save(self, session: Session) -> Path:
        """A checkpoint (and settings, samples, metrics) now; CheckpointError on failure."""
        folder = self.ensure_folder()
        c = session.corpus
        folder.write_settings(session.hp, c.name, c.path, c.sha256)
        path = folder.save_checkpoint(session)
        self._saved_n = session.n
        self.flush()
        return path

    def finish(self, session: Session | None) -> None:
        """Before the session goes away: save it if it changed since the last save."""
        if session is None or session is not self.session:
            return
        if session.n == self._saved_n:
            self.flush()
            return
        try:
            path = self.save(session)
        except (CheckpointError, OSError) as e:
            self._emit(events.CheckpointSaved(None, session.n, str(e)))
        else:
            self._emit(events.CheckpointSaved(str(path), session.n, None, auto=True))

    # -- the folder ------------------------------------------------------------------------

    def ensure_folder(self) -> RunFolder:
        """The run's folder, created (with its settings and inherited history) on first use.
        Any thread. CheckpointError if it cannot be created."""
        with self._lock:
            if self.folder is not None:
                return self.folder
            s = self.session
            if s is None:
                raise CheckpointError("no run to save yet")
            c, origin = s.corpus, self._origin
            folder = RunFolder.create(self.runs_dir, c.name, keep=self.keep)
            folder.write_settings(
                s.hp, c.name, c.path, c.sha256, origin.path if origin is not None else None
            )
            if origin is not None and (old := run_folder_of(origin.path)) is not None:
                folder.inherit_history(old, origin.n)
            self.folder = folder
            return folder

    def flush(self) -> None:
        """Append the samples and metrics rows gathered so far; a failure is reported once
        (per streak of failures) and they are kept for the next try."""
        self._t_flush = self._clock()
        if not (self._rows or self._samples or self._changes) or self.session is None:
            return
        try:
            folder = self.ensure_folder()
            if self._samples:
                folder.append_samples(self._samples)
                self._samples = []
            if self._changes:
                folder.append_changes(self._changes)
                self._changes = []
            if self._rows:
                folder.append_metrics(self._rows)
                self._rows = []
        except CheckpointError as e:
            del self._rows[:-MAX_BUFFERED]
            del self._samples[:-MAX_BUFFERED]
            if not self._failing:
                self._emit(events.RecordFailed(f"{e}; training continues, kept in memory"))
            self._failing = True
        else:
            self._failing = False


def opener(recorder: Recorder, target: Path) -> Callable[[], Session]:
    """A session factory that continues the run at `target` (a run folder or checkpoint)
    with its own settings, for Trainer.open; raises CheckpointError/CorpusError."""
    from . import catalog
    from .cli import _corpus_of_run, make_session

    def factory() -> Session:
        args = argparse.Namespace(resume=str(target), hp_overrides={})
        args.corpus_name, args.corpus_path = catalog.resolve(_corpus_of_run(Path(target)))
        session = make_session(args)
        recorder.resumed(args.resumed_from, args.resume_warnings)
        return session

    return factory

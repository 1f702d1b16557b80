"""The training loop, run in a worker thread, controlled from the UI thread.

No UI library here. The UI calls the control methods (pause, resume, step_once,
sample_now, stop, reset, set_live: controls.py) from its own thread; they only set flags
or queue commands, which the loop picks up BETWEEN iterations, so a step never sees its
settings change under it. Everything the loop has to say goes out through `on_event` as the
plain dataclasses of tui_charrnn.events; Progress is throttled to about 15 events a
second however fast training runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from . import events
from .controls import Controls
from .corpus import Corpus, CorpusError
from .guard import Divergence, DivergenceGuard
from .hparams import Hyperparams
from .insight.probe import INSIGHT_S, InsightProbe
from .opening import OpenedRun, new_run
from .recorder import NullRecorder, Recorder
from .session import Session
from .validation import Validator

PROGRESS_HZ = 15.0
PAUSED_POLL_S = 0.05  # a paused loop wakes at least this often to check for stop
YIELD_EVERY_S = 0.004  # let the UI thread take the GIL at least this often


class Trainer(Controls):
    """Runs a Session step by step; `run()` is the loop (call it in a thread).

    Either give a ready `session` (a new run), or an `opener` that opens a run inside
    `run()` (opening.open_run, e.g. a saved run to continue). `iters`: stop after that many
    iterations (None: until stop()).
    """

    def __init__(
        self,
        session: Session | None = None,
        on_event: events.Emit = lambda event: None,
        *,
        opener: Callable[[], OpenedRun] | None = None,
        start_paused: bool = False,
        progress_hz: float = PROGRESS_HZ,
        yield_every_s: float = YIELD_EVERY_S,
        guard_policy: str | None = "halve",
        recorder: Recorder | None = None,
        iters: int | None = None,
    ):
        if session is None and opener is None:
            raise ValueError("give a session or an opener")
        super().__init__(start_paused)
        self.session = session
        self._opener = opener
        self._left = iters  # iterations still to train (None: no limit)
        self._emit = on_event
        self._interval = 1.0 / progress_hz
        self._yield_every = yield_every_s
        self._failed = False  # a step raised: wait for a reset (or resume to retry)
        self.state = "starting"
        self.stopped = threading.Event()  # set when run() has returned
        self._pending: list[tuple[int, float]] = []
        self._t_last: float | None = None
        self._guard_policy = guard_policy  # divergence guard: "halve", "pause" or None (off)
        self._guard: DivergenceGuard | None = None
        self._probe = InsightProbe(on_event)
        self.validator: Validator | None = None  # the held-out loss, when due (validation.py)
        self.recorder = recorder or NullRecorder()  # autosave, samples, metrics

    # -- the loop -------------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._run()
        except Exception as e:  # a bug or a failing factory: report, never hang the UI
            self._error(e)
            self._set_state("error")
        finally:
            if not self._failed:
                self._end_run()  # quit, Ctrl-C, SIGTERM, --iters done: save the run
            self._set_state("stopped")
            self.stopped.set()

    def _run(self) -> None:
        if self.session is None:
            assert self._opener is not None
            self._guarded(self._apply_reset, None, None, self._opener)  # failed: wait for a reset
        else:
            self._started(OpenedRun(self.session))
        if not self._failed:
            self._set_state("paused" if self._paused else "training")
        perf = time.perf_counter
        while not self._stop:
            if self._commands:
                self._drain()
            if self._failed or self._paused:
                if self._take_single_step():
                    self._guarded(self._step_one)
                    continue
                self._mark_paused_time()
                self._wake.wait(PAUSED_POLL_S)
                self._wake.clear()
                continue
            if self._t_last is None:
                self._t_last = self._t_yield = perf()
            self._guarded(self._train, perf)

    def _guarded(self, fn: Callable, *args: Any) -> None:
        try:
            fn(*args)
        except Exception as e:  # e.g. numerical trouble: report it, wait for a reset
            self._failed = True
            self._error(e)
            self._set_state("error")

    def _train(self, perf: Callable[[], float]) -> None:
        """Train until a command, a pause or a stop arrives; Progress ~15 times a second."""
        s = self.session
        commands = self._commands
        interval, yield_every = self._interval, self._yield_every
        t_next = self._t_last + interval
        t_yield = self._t_yield + yield_every
        insight = self._insight  # set_insight queues a command, so this loop restarts
        t_insight = t_next + INSIGHT_S
        step = self._step
        while not (self._stop or self._paused or commands):
            step(s)
            now = perf()
            if now >= t_yield:
                time.sleep(0)  # hand the GIL to the UI thread if it is waiting
                while now < self._ui_busy_until and not self._stop:
                    time.sleep(0.001)  # the user did something: the UI gets the CPU
                    now = perf()
                t_yield = now + yield_every
            if now >= t_next:
                self._progress(now)
                t_next = now + interval
                if insight and now >= t_insight:
                    self._probe.snapshot(s)
                    t_insight = perf() + INSIGHT_S
        self._t_yield = t_yield
        self._progress(perf())

    def _step(self, s: Session) -> None:
        """One training iteration and everything that follows it: the one step body."""
        hp = s.hp
        want = s.n % hp.sample_every == 0
        r = s.step(want)
        self._pending.append((s.n, r.smooth_loss))
        self._chars += hp.seq_length * hp.batch_size
        val = self.validator.check(s, r.n, self._elapsed)
        self.recorder.step(r, hp.learning_rate, val, self.training_time)
        if want:
            self._sampled(r.n, r.smooth_loss, r.sample)
        if self._guard is not None and (d := self._guard.check(r)) is not None:
            self._diverged(d)
        if self._left is not None:
            self._left -= 1
            if self._left <= 0:
                self._stop = True

    def _step_one(self) -> None:
        """One iteration by hand (n, while paused)."""
        s = self.session
        self._step(s)
        self._emit_progress(0.0)
        if self._insight:
            self._probe.snapshot(s)

    def _diverged(self, d: Divergence) -> None:
        """The guard rolled the session back (and put back the settings of that state, or
        halved the rate): say so, and pause if that was its advice."""
        self._emit(
            events.Diverged(
                d.message(), d.rolled_back_to, d.new_lr, d.paused, d.iteration, d.reason,
                d.outcome,
            )
        )  # fmt: skip
        self.recorder.rolled_back(d.rolled_back_to)
        # the losses not yet reported past the rollback never happened either (in place:
        # _train holds this list)
        self._pending[:] = [x for x in self._pending if x[0] <= d.rolled_back_to]
        if d.settings:  # halved, or the change that ruined the run undone
            self._applied(dict(d.settings), dict(d.previous))
        if d.paused:
            self._paused = True
            self._set_state("paused")

    # -- bookkeeping ---------------------------------------------------------------------

    def _started(self, opened: OpenedRun) -> None:
        s = self.session = opened.session
        if self._guard_policy is not None:
            self._guard = DivergenceGuard(s, self._guard_policy)
        self._pending: list[tuple[int, float]] = []
        self._elapsed = 0.0
        self._rate = 0.0
        self._chars = 0
        self._t_last: float | None = None  # start of the current reporting interval
        self._t_yield = 0.0
        self._probe.reset()
        self.validator = self._probe.validator = Validator(s, emit=self._emit)
        self._emit(
            events.SessionStarted(
                s.corpus.name, s.corpus.N, s.corpus.V, s.hp, s.n, s.smooth_loss,
                corpus=s.corpus, val_note=self.validator.note,
            )
        )  # fmt: skip
        self.recorder.started(opened)  # a resumed run posts its history (RunOpened)
        self.validator.best = self.recorder.best_val  # a resumed run's best so far
        if self._insight:
            self._probe.snapshot(s)
        self._emit_progress(0.0)

    def _end_run(self) -> None:
        """A run ends (quit, a stop, a reset, another run opened): its held-out loss now,
        in its last metrics row (so `runs` and the plots end where the run ended), then
        everything saved."""
        s, validator = self.session, self.validator
        if s is not None and validator is not None and validator.enabled:
            recorded = validator.latest  # evaluated at a metrics row: in that row already
            v = validator.final(s, self._elapsed)
            if v is not None and v is not recorded:
                self.recorder.final_val(s.n, v.loss, self.training_time)
        self.recorder.finish(s)

    def _progress(self, now: float) -> None:
        dt = now - self._t_last
        self._elapsed += dt
        if dt >= self._interval / 2:  # a short tail interval would give a noisy rate
            self._rate = self._chars / dt
        self._t_last = now
        self._chars = 0
        self._emit_progress(self._rate)
        self.recorder.tick(self._rate)  # flush; autosave when due

    def _emit_progress(self, rate: float) -> None:
        s = self.session
        losses = tuple(self._pending)
        self._pending.clear()
        self._emit(
            events.Progress(s.n, s.smooth_loss, losses, rate, self._elapsed, s.hp.seq_length)
        )

    def training_time(self) -> float:
        """Seconds spent training this session so far (pauses excluded), up to now."""
        if self._t_last is None:
            return self._elapsed
        return self._elapsed + time.perf_counter() - self._t_last

    def _mark_paused_time(self) -> None:
        """Pauses do not count as training time: the next interval starts on resume."""
        self._t_last = None
        self._chars = 0

    def _sampled(self, iteration: int, loss: float, text: str | None) -> None:
        sample = events.Sample(iteration, loss, self.session.hp.temperature, text or "")
        self._emit(events.SampleTaken(sample))
        self.recorder.sample(sample)

    def _set_state(self, state: str) -> None:
        if state != self.state or state == "stopped":
            self.state = state
            if state == "paused" and self._insight and self.session is not None:
                # the views show the exact paused iteration, not the last ~2/s snapshot
                # (the status bar has it already: _train ends with a Progress)
                self._probe.snapshot(self.session)
            self._emit(events.StateChanged(state))

    def _error(self, e: Exception) -> None:
        message = str(e) if isinstance(e, (CorpusError, ValueError)) else f"{type(e).__name__}: {e}"
        self._emit(events.TrainerError(message))

    def _drain(self) -> None:
        """Apply the queued commands, between two iterations."""
        while self._commands:
            kind, arg = self._commands.popleft()
            try:
                if kind == "live":
                    self._apply_live(arg)
                elif kind == "reset":
                    self._apply_reset(*arg)
                elif kind == "state":
                    if not self._paused and self.session is not None:
                        self._failed = False  # resuming retries after an error
                elif kind == "insight":
                    if self.session is not None:
                        self.session.grad_hook = None
                        if arg:  # a view opened: give it something to show at once
                            self._probe.snapshot(self.session)
                elif self.session is None:
                    raise CorpusError("no corpus loaded: choose one first")
                elif kind == "sample":
                    s = self.session
                    self._sampled(s.n, s.smooth_loss, s.sample())
                elif kind == "save":
                    self._save()
                elif kind == "export":
                    self._export_samples()
                elif kind == "plot":
                    self._write_plot()
            except Exception as e:  # bad setting for this corpus, reset that cannot start
                self._error(e)
        self._set_state("error" if self._failed else "paused" if self._paused else "training")

    def _save(self) -> None:
        n = self.session.n
        try:
            path = self.recorder.save(self.session)
        except Exception as e:  # unwritable folder, full disk: training carries on
            self._emit(events.CheckpointSaved(None, n, str(e) or type(e).__name__))
        else:
            self._emit(events.CheckpointSaved(str(path), n, None))

    def _export_samples(self) -> None:
        self._write_file(self.recorder.export_samples, events.SamplesExported)

    def _write_plot(self) -> None:
        self._write_file(self.recorder.write_plot, events.PlotWritten)

    def _write_file(self, write: Callable[[], Any], event: Callable[..., Any]) -> None:
        """write() a file into the run folder; event(path) or event(None, reason) says how."""
        try:
            path = write()
        except Exception as e:  # unwritable folder, full disk: training carries on
            self._emit(event(None, str(e) or type(e).__name__))
        else:
            self._emit(event(str(path)))

    def _apply_live(self, settings: dict[str, Any]) -> None:
        s = self.session
        if s is None:
            raise CorpusError("no corpus loaded: choose one first")
        previous = {name: getattr(s.hp, name) for name in settings}
        if self._guard is not None:  # a value that ruins the run rolls back to just before it
            self._guard.before_change()  # (or to an earlier good state if the loss is up)
        rest = dict(settings)
        if "seq_length" in rest:
            T = rest.pop("seq_length")
            if s.hp.seq_length != T:
                s.set_seq_length(T)  # CorpusError if the corpus is too short
        if rest:
            s.hp = s.hp.with_(**rest)
        self._applied(dict(settings), previous)

    def _applied(self, settings: dict[str, Any], previous: dict[str, Any]) -> None:
        """Live settings in force from iteration session.n on: reported and recorded."""
        n = self.session.n
        self._emit(events.SettingsApplied(settings, n, previous))
        self.recorder.settings_changed(n, settings, previous)

    def _apply_reset(
        self, hp: Hyperparams | None, corpus: Corpus | None, opener: Callable | None = None
    ) -> None:
        """A new run: Session(corpus, hp), or opener() (the start, Trainer.open)."""
        if opener is None and corpus is None:
            if self.session is None:
                raise CorpusError("no corpus loaded: choose one first")
            corpus = self.session.corpus
        self._end_run()  # the run being discarded is saved first
        opened = opener() if opener is not None else new_run(corpus, hp)
        self._failed = False
        self._started(opened)

"""Validation loss on the held-out tail of the corpus, evaluated while training.

No UI library here. The trainer (worker thread) and the headless command each own a
Validator for the session they train; the UI thread never evaluates anything.

What is measured: the mean cross-entropy in nats/char (heldout.evaluate_loss) on
the first VAL_CHARS characters of the validation part data[train_chars:], always the
same slice, so successive figures compare. Training never reads that part
(Session.train_chars).

When: at the first metrics row of a session (so a figure shows at once), then at the
first metrics row (an iteration that is a multiple of METRICS_EVERY, so the figure lands
in that row of metrics.csv) after at least VAL_S seconds of training time since the
last evaluation. The interval also stretches to 1 / VAL_BUDGET times the evaluation's
own duration (from the second evaluation on: the first runs cold), so validation never
costs more than VAL_BUDGET of training time whatever the model, batch or corpus size. A
time-based cadence, not a fixed number of iterations: at batch 1 a 500-iteration cadence
would spend ~8 % of the time on validation, at batch 32 a tiny fraction.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import events
from .heldout import evaluate_loss
from .metrics import METRICS_EVERY
from .session import Session

VAL_S = 2.0  # seconds of training between evaluations, at least
VAL_BUDGET = 0.02  # and at most this fraction of training time goes to validation
VAL_CHARS = 20_000  # characters of the validation part evaluated (a bounded slice)


@dataclass(frozen=True)
class ValResult:
    iteration: int  # iterations trained when evaluated (the loss chart's x)
    loss: float  # nats/char on the slice
    best: float  # lowest so far in this run (nats/char)
    best_iteration: int
    chars: int  # characters in the evaluated slice
    seconds: float  # how long the evaluation took


def val_note(N: int, train_chars: int, max_chars: int = VAL_CHARS) -> str:
    """One line saying what is held out, for the headless log and the app."""
    held = N - train_chars
    if held == 0:
        return "validation: off (val_fraction 0: training reads the whole text)"
    if held < 2:
        return f"validation: off (the held-out part has {held} character, it needs 2)"
    part = f"the last {held:,} characters held out of training"
    if held > max_chars:
        return f"validation: {part}, loss measured on the first {max_chars:,} of them"
    return f"validation: {part}, loss measured on all of them"


class Validator:
    """Evaluates the validation loss when due and tracks the best."""

    def __init__(
        self,
        session: Session,
        every_s: float = VAL_S,
        budget: float = VAL_BUDGET,
        max_chars: int = VAL_CHARS,
        best: tuple[float, int] | None = None,
        clock: Callable[[], float] = time.perf_counter,
        emit: events.Emit | None = None,
    ) -> None:
        N = session.corpus.N
        self.start = session.train_chars
        self.length = min(N - self.start, max_chars)
        self.enabled = self.length >= 2  # one target needs two characters
        self.note = val_note(N, self.start, max_chars)
        self.every_s, self.budget = every_s, budget
        self._clock = clock
        self._emit = emit  # the trainer's: each result goes out as events.Validated
        self.next_at = 0.0  # training time of the next evaluation
        self.latest: ValResult | None = None
        self.best = best  # (nats/char, iteration), e.g. from a resumed run's metrics

    def due(self, row: int, elapsed: float) -> bool:
        """Evaluate after training iteration `row` (0-based, as metrics rows are
        numbered), `elapsed` seconds into training?"""
        return self.enabled and row % METRICS_EVERY == 0 and elapsed >= self.next_at

    def check(self, s: Session, row: int, elapsed: float) -> float | None:
        """After training iteration `row`: the held-out loss if it was due (and reported),
        else None. Cheap when not due: called after every iteration."""
        if not self.due(row, elapsed):
            return None
        v = self.evaluate(s, elapsed)
        if self._emit is not None:
            self._emit(events.Validated(v.iteration, v.loss, v.best, v.best_iteration, v.chars))
        return v.loss

    def evaluate(self, s: Session, elapsed: float) -> ValResult | None:
        """The loss on the slice now; schedules the next evaluation."""
        if not self.enabled:
            return None
        t0 = self._clock()
        loss = evaluate_loss(s.params, s.corpus.data, self.start, self.length, s.hp.seq_length)
        took = self._clock() - t0
        # the first evaluation runs cold (caches, allocations): it does not set the budget
        cost = took / self.budget if self.latest is not None else 0.0
        self.next_at = elapsed + max(self.every_s, cost)
        if math.isfinite(loss) and (self.best is None or loss < self.best[0]):
            self.best = (loss, s.n)
        best, at = self.best if self.best is not None else (loss, s.n)
        self.latest = ValResult(s.n, loss, best, at, self.length, took)
        return self.latest

    def final(self, s: Session, elapsed: float) -> ValResult | None:
        """The loss at the end of a run: evaluated now unless it just was; None when
        validation is off."""
        v = self.latest
        if self.enabled and (v is None or v.iteration != s.n):
            v = self.evaluate(s, elapsed)
        return v

    def summary(self, s: Session, elapsed: float) -> str | None:
        """The headless run's last word on validation: the loss at the end (final) and the
        best of the run; None when validation is off."""
        v = self.final(s, elapsed)
        if v is None:
            return None
        return (
            f"validation at iteration {v.iteration:,}: {v.loss:.3f} nats/char; best"
            f" {v.best:.3f} at iteration {v.best_iteration:,} ({v.chars:,} held-out chars)"
        )


def best_in(metrics) -> tuple[float, int] | None:
    """The lowest val_loss in metrics.csv rows, with the iterations trained at that row
    (the loss chart's x), or None."""
    vals = [(m.val_loss, m.iteration + 1) for m in metrics if m.val_loss is not None]
    return min(vals) if vals else None


def describe(v: ValResult) -> str:
    """One line for the headless log."""
    return (
        f"iter {v.iteration:,}: validation {v.loss:.3f} nats/char on {v.chars:,} held-out"
        f" chars (best {v.best:.3f} at iter {v.best_iteration:,})"
    )

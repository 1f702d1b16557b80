"""Divergence guard: roll a Session back to its last good state when training blows up.

No UI library here. The guard keeps one in-memory snapshot of everything a checkpoint
holds (parameters, optimiser memories, hidden state, n, p, smooth loss, random state) and the
settings in force, copied into preallocated buffers every `snapshot_every` iterations
while training looks healthy, and just before every live setting change (the trainer
calls `before_change`). After each step, `check(step_result)` looks for divergence:

- the step's loss is NaN or infinite;
- the loss exceeds `factor` (3) times the loss of a uniform guess, T * ln V, for
  `patience` (25) steps in a row: a single block's loss is noisy in the first iterations
  (the original min-char-rnn's own runs from small random weights spike to 3.6 x T ln V
  for a few steps around iteration 4 on some corpora, and must not be "corrected"),
  while a real divergence stays up;
- the run's own loss rose: the smooth loss per character is above both `rise_ratio`
  (1.5) times and `min_rise` (0.5 nats/char) more than its best of the last `window`
  iterations. The smooth loss moves 0.1 % of the way to each step's loss, so a hard
  stretch of text barely moves it, while a ruinous setting (a learning rate of 3 that
  keeps the loss near 10 nats/char, finite and under 3 T ln V) lifts it past the line
  within ~150 steps. Because a corpus can change its nature (English, then code), the
  rise is confirmed before anything is undone: the current parameters must do clearly
  worse than the snapshot's on the text just trained (`confirm`, a read-only
  evaluation); if they do not, the guard looks again `snapshot_every` steps later;
- a parameter is NaN or infinite (checked every `param_check_every` iterations and
  before every snapshot, so a snapshot is never a diverged state).

"Healthy", for taking a snapshot: a fast average of the step loss (about the last 20
steps) is near the recent best. So the weights a bad setting has begun to ruin, with the
smooth loss still on its way up, are never kept; the older good snapshot stays.

On divergence the session is restored from the snapshot. If live settings changed since
the snapshot was taken, they are to blame: they go back to their values at the snapshot
(action "revert"). Otherwise, with policy "halve", the learning rate is halved; with
policy "pause" (or when halving would go below `min_lr`) it is left alone and the caller
should pause. A `Divergence` record says what happened.

Cost: a few float operations per step, a finiteness check of the parameters every
`param_check_every` steps and two numpy copies per snapshot; measured well under 1 % of
a batch-1 step at the default sizes. The confirmation (two evaluations of CONFIRM_CHARS
characters) runs only when the smooth loss has risen.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .heldout import evaluate_loss
from .hparams import SPECS, Hyperparams
from .models.params import Params
from .session import Session, StepResult

POLICIES = ("halve", "pause")
FAST_WEIGHT = 0.1  # the fast average of the step loss: about the last 20 steps
HEALTHY_RATIO, HEALTHY_RISE = 1.25, 0.25  # fast average at most this far above the best
CONFIRM_CHARS = 2_000  # text evaluated to confirm a rise (the most recently trained)
CONFIRM_RATIO, CONFIRM_RISE = 1.2, 0.25  # now worse than the snapshot by both, nats/char


@dataclass(frozen=True)
class Divergence:
    """One rollback, for the UI or the headless log."""

    iteration: int  # the iteration whose step diverged
    reason: str  # e.g. "loss is nan", "loss 9.1e+03 > 3 x 105.9 (T ln V)"
    rolled_back_to: int  # the session's n after the rollback
    old_lr: float
    new_lr: float  # == old_lr unless halved or reverted
    action: str  # "halve", "revert" or "pause"
    settings: dict[str, Any] = field(default_factory=dict)  # live settings now in force
    previous: dict[str, Any] = field(default_factory=dict)  # their values before
    paused: bool = False  # the caller should pause
    outcome: str = ""  # what was done, in words

    def message(self) -> str:
        return (
            f"diverged at iteration {self.iteration:,} ({self.reason}); "
            f"rolled back to iteration {self.rolled_back_to:,}, {self.outcome}"
        )


def _num(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


class RecentBest:
    """The lowest value seen over the last `window` updates, in O(1) per update: minima
    of blocks of window // 8 updates, the oldest block dropped as a new one starts."""

    BLOCKS = 8

    def __init__(self, window: int, value: float) -> None:
        self.block = max(1, window // self.BLOCKS)
        self.reset(value)

    def reset(self, value: float) -> None:
        self._done: deque[float] = deque(maxlen=self.BLOCKS - 1)
        self._cur, self._count = value, 0

    def add(self, value: float) -> None:
        if self._count == self.block:
            self._done.append(self._cur)
            self._cur, self._count = value, 0
        self._cur = min(self._cur, value)
        self._count += 1

    @property
    def best(self) -> float:
        return min(self._cur, *self._done) if self._done else self._cur


class DivergenceGuard:
    def __init__(
        self,
        session: Session,
        policy: str = "halve",
        snapshot_every: int = 100,
        factor: float = 3.0,
        param_check_every: int = 10,
        min_lr: float = 1e-8,
        patience: int = 25,
        rise_ratio: float = 1.5,
        min_rise: float = 0.5,
        window: int = 2000,
    ):
        if policy not in POLICIES:
            raise ValueError(f"policy must be one of {', '.join(POLICIES)}, not {policy!r}")
        if snapshot_every < 1 or param_check_every < 1:
            raise ValueError("snapshot_every and param_check_every must be >= 1")
        self.policy = policy
        self.snapshot_every = int(snapshot_every)
        self.factor = float(factor)
        self.param_check_every = int(param_check_every)
        self.min_lr = float(min_lr)
        self.patience = max(1, int(patience))
        self.rise_ratio = float(rise_ratio)
        self.min_rise = float(min_rise)
        self.window = max(1, int(window))
        self._streak = 0  # consecutive steps above the loss limit
        self.attach(session)

    # --- snapshot -------------------------------------------------------------------------

    def attach(self, session: Session) -> None:
        """Guard `session` (e.g. after a reset or a resume); its current state must be good."""
        self.session = session
        self._params = np.empty_like(session.params.flat)
        self._mems = [np.empty_like(b) for b in session.optimizer.buffers()]
        self._hprev = np.empty_like(session.hprev)
        self._limit_T = -1
        self._limit = math.inf
        self._streak = 0
        npc = session.smooth_loss / session.hp.seq_length
        self._fast = npc  # fast average of the step loss, nats/char
        self.recent = RecentBest(self.window, npc)  # of the smooth loss, nats/char
        self._next_confirm = -1  # no confirmation before this iteration (one said no)
        self.snapshot()

    def snapshot(self) -> None:
        """Copy the session's state into the buffers (call only when it is known good)."""
        s = self.session
        if s.params.flat.shape != self._params.shape or s.hprev.shape != self._hprev.shape:
            self.attach(s)  # the session was resized (e.g. a new batch size): reallocate
            return
        np.copyto(self._params, s.params.flat)
        for mine, theirs in zip(self._mems, s.optimizer.buffers(), strict=True):
            np.copyto(mine, theirs)
        np.copyto(self._hprev, s.hprev)
        self._n, self._p, self._smooth = s.n, s.p, s.smooth_loss
        self._epoch, self._opt_steps = s.epoch, s.optimizer.steps
        self._hp: Hyperparams = s.hp
        self._fast_at = self._fast
        self._rng = s.rng.bit_generator.state  # a fresh dict of ints each time

    def before_change(self) -> bool:
        """Just before live settings change: keep the state as it is now, if it is good.
        If the loss is already up (an earlier change is ruining the run, not yet judged)
        the older snapshot stays. Returns whether a snapshot was taken."""
        if self.healthy() and self.state_is_finite():
            self.snapshot()
            return True
        return False

    @property
    def snapshot_iteration(self) -> int:
        return self._n

    def healthy(self) -> bool:
        """The recent step losses are near the run's recent best."""
        best = self.recent.best
        return self._fast <= max(HEALTHY_RATIO * best, best + HEALTHY_RISE)

    def state_is_finite(self) -> bool:
        s = self.session
        return bool(
            np.isfinite(s.params.flat).all()
            and all(np.isfinite(b).all() for b in s.optimizer.buffers())
            and np.isfinite(s.hprev).all()
            and math.isfinite(s.smooth_loss)
        )

    def restore(self) -> None:
        """Put the snapshot back into the session (in place: views stay valid)."""
        s = self.session
        np.copyto(s.params.flat, self._params)
        for mine, theirs in zip(self._mems, s.optimizer.buffers(), strict=True):
            np.copyto(theirs, mine)
        s.hprev = self._hprev.copy()
        s.n, s.p = self._n, self._p
        s.epoch, s.optimizer.steps = self._epoch, self._opt_steps
        # a live change of T rescales the smooth loss; keep the curve continuous
        s.smooth_loss = self._smooth * s.hp.seq_length / self._hp.seq_length
        s.rng.bit_generator.state = self._rng
        self._fast = self._fast_at
        self._streak = 0

    # --- the check ------------------------------------------------------------------------

    def limit(self) -> float:
        """The loss above which a step counts as diverged: factor * T * ln V."""
        T = self.session.hp.seq_length
        if T != self._limit_T:
            self._limit_T = T
            self._limit = self.factor * self.session.initial_loss(T)
        return self._limit

    def rise_limit(self) -> float:
        """The smooth loss (nats/char) above which the run's own loss has risen."""
        best = self.recent.best
        return max(self.rise_ratio * best, best + self.min_rise)

    def check(self, r: StepResult) -> Divergence | None:
        """Call after every Session.step; None when all is well."""
        loss = r.loss
        if not math.isfinite(loss):
            return self._rollback(r.n, f"loss is {loss}")
        T = self.session.hp.seq_length
        self._fast += FAST_WEIGHT * (loss / T - self._fast)
        npc = r.smooth_loss / T
        self.recent.add(npc)
        reason = None
        if loss > (self._limit if self._limit_T == T else self.limit()):
            self._streak += 1
            if self._streak < self.patience:
                return None
            reason = f"loss {loss:.4g} > {self.factor:g} x {self._limit / self.factor:.4g} (T ln V)"
            if self.patience > 1:
                reason += f" for {self.patience} steps"
            return self._rollback(r.n, reason)
        self._streak = 0
        n = self.session.n
        if npc > self.rise_limit() and n >= self._next_confirm:
            reason = self._risen(npc)
            if reason is not None:
                return self._rollback(r.n, reason)
            self._next_confirm = n + self.snapshot_every
        due = n - self._n >= self.snapshot_every
        if due or n % self.param_check_every == 0:
            if not self.state_is_finite():
                return self._rollback(r.n, "NaN or infinite values in the parameters")
            if due and self.healthy():
                self.snapshot()
        return None

    def _risen(self, npc: float) -> str | None:
        """The smooth loss rose: is it the parameters (a reason) or the text (None)?"""
        now, before = self.confirm()
        if not now > max(CONFIRM_RATIO * before, before + CONFIRM_RISE):
            return None
        return f"smooth loss up from {self.recent.best:.2f} to {npc:.2f} nats/char"

    def confirm(self) -> tuple[float, float]:
        """Loss (nats/char) of the current and the snapshot's parameters on the training
        text read last (stream 0, up to CONFIRM_CHARS before the data pointer). Only reads:
        no parameter, state or random number of the session is touched."""
        s = self.session
        end = min(s.p + 1, s.train_chars)
        start = max(0, end - CONFIRM_CHARS)
        if end - start < 2 * s.hp.seq_length:  # just after a wrap: the start of the text
            start, end = 0, min(CONFIRM_CHARS, s.train_chars)
        snap = Params.of(s.params.net, flat=self._params)
        T = s.hp.seq_length
        with np.errstate(all="ignore"):
            now = evaluate_loss(s.params, s.corpus.data, start, end - start, T, streams=1)
            before = evaluate_loss(snap, s.corpus.data, start, end - start, T, streams=1)
        now = now if math.isfinite(now) else math.inf
        return now, before

    def _rollback(self, iteration: int, reason: str) -> Divergence:
        s = self.session
        old = s.hp.learning_rate
        changed = {
            name: getattr(self._hp, name)
            for name, spec in SPECS.items()
            if spec.live and getattr(s.hp, name) != getattr(self._hp, name)
        }
        previous = {name: getattr(s.hp, name) for name in changed}
        paused = self.policy == "pause"
        if changed:  # a live change since the snapshot: undo it with the state
            action = "revert"
            if "seq_length" in changed:
                s.set_seq_length(changed["seq_length"])
            s.hp = s.hp.with_(**changed)
            words = ", ".join(f"{k} {_num(previous[k])} -> {_num(v)}" for k, v in changed.items())
            outcome = f"the change undone: {words}"
        elif self.policy == "halve" and old / 2 >= self.min_lr:
            action = "halve"
            changed, previous = {"learning_rate": old / 2}, {"learning_rate": old}
            s.hp = s.hp.with_(**changed)
            outcome = f"learning rate {old:g} -> {old / 2:g}"
        else:
            action, paused = "pause", True
            outcome = f"learning rate {old:g}"
            if self.policy == "halve":
                outcome += f" (halving it would go below {self.min_lr:g})"
        if paused:
            outcome = f"paused, {outcome}"
        self.restore()
        self._hp = s.hp  # the snapshot now goes with the settings in force
        self._next_confirm = -1
        new = s.hp.learning_rate
        return Divergence(
            iteration, reason, s.n, old, new, action, changed, previous, paused, outcome
        )

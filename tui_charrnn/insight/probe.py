"""What the trainer sends the insight views: copies taken in the trainer thread.

No UI library here. Only while a view is shown, the Trainer calls `snapshot(session)`
about twice a second; it posts an InsightSnapshot (parameter and hidden-state copies,
the health of the last gradient captured before clipping, the latest validation loss)
and arms a one-step grad_hook that copies the next unclipped gradient. The validation
loss is the trainer's Validator's (validation.py: the session's real held-out tail, on
its own cadence, shown or not); the probe never evaluates it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import events
from ..session import Session
from .health import health as grad_health

if TYPE_CHECKING:
    from ..validation import Validator

INSIGHT_S = 0.5  # a snapshot every INSIGHT_S seconds


class InsightProbe:
    def __init__(self, emit: events.Emit) -> None:
        self._emit = emit
        self.validator: Validator | None = None  # the trainer's, for the current session
        self.reset()

    def reset(self) -> None:
        """A new session: nothing captured."""
        self._pre_clip: tuple[int, Any] | None = None  # (iteration, unclipped gradient copy)

    def snapshot(self, s: Session | None) -> None:
        """Post copies for the views; arm the capture of the next unclipped gradient."""
        if s is None:
            return
        n = s.n
        report = None
        if self._pre_clip is not None:
            at, g = self._pre_clip
            hidden = s.params.net.hidden(s.hprev)
            report = grad_health(g, s.hp.clip, s.optimizer, hidden, s.learning_rate)
        else:
            at = n
        v = self.validator.latest if self.validator is not None else None
        val_loss, val_at, val_chars = (v.loss, v.iteration, v.chars) if v else (None, -1, 0)
        p = s.corpus.data[min(s.p, s.corpus.N - 1)]
        self._emit(
            events.InsightSnapshot(
                n, s.smooth_loss, s.hp.seq_length, s.params.copy(), s.hprev[0].copy(), int(p),
                s.hp, report, at, val_loss, val_at, val_chars,
            )
        )  # fmt: skip
        s.grad_hook = self._capture_gradient

    def _capture_gradient(self, s: Session) -> None:
        """grad_hook: runs inside Session.step, before the optimiser clips the gradient."""
        self._pre_clip = (s.n, s.grads.copy())
        s.grad_hook = None

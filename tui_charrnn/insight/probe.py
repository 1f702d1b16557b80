"""What the trainer sends the insight views: copies taken in the trainer thread.

No UI library here. Only while a view is shown, the Trainer calls `snapshot(session)`
about twice a second; it posts an InsightSnapshot (parameter and hidden-state copies,
the health of the last gradient captured before clipping, the held-out loss) and arms a
one-step grad_hook that copies the next unclipped gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import events
from ..session import Session
from .health import health as grad_health
from .split import evaluate_loss, train_val_split

# A snapshot every INSIGHT_S seconds, and the held-out loss on at most VAL_CHARS
# characters of the last VAL_FRACTION of the corpus every VAL_EVERY iterations (and
# whenever a view opens).
INSIGHT_S = 0.5
VAL_FRACTION = 0.1
VAL_EVERY = 500
VAL_CHARS = 20_000


class InsightProbe:
    def __init__(self, emit: Callable[[object], None]) -> None:
        self._emit = emit
        self.reset()

    def reset(self) -> None:
        """A new session (or a view just opened): nothing captured, held-out loss stale."""
        self._pre_clip: tuple[int, Any] | None = None  # (iteration, unclipped gradient copy)
        self._val: tuple[float | None, int, int] = (None, -1, 0)  # (loss, iteration, chars)

    def snapshot(self, s: Session | None, fresh: bool = False) -> None:
        """Post copies for the views; arm the capture of the next unclipped gradient.
        fresh: evaluate the held-out loss now (a view just opened)."""
        if s is None:
            return
        n = s.n
        if fresh or self._val[1] < 0 or n - self._val[1] >= VAL_EVERY:
            _, val = train_val_split(s.corpus.N, VAL_FRACTION)
            length = min(val.stop - val.start, VAL_CHARS)
            loss = evaluate_loss(s.params, s.corpus.data, val.start, length, s.hp.seq_length)
            self._val = (loss if length > 1 else None, n, length)
        report = None
        if self._pre_clip is not None:
            at, g = self._pre_clip
            report = grad_health(g, s.hp.clip, s.adagrad.mem, s.hprev, s.hp.learning_rate)
        else:
            at = n
        val_loss, val_at, val_chars = self._val
        p = s.corpus.data[min(s.p, s.corpus.N - 1)]
        self._emit(
            events.InsightSnapshot(
                n, s.smooth_loss, s.hp.seq_length, s.params.copy(), s.hprev[0].copy(), int(p),
                s.hp.to_dict(), report, at, val_loss, val_at, val_chars,
            )
        )  # fmt: skip
        s.grad_hook = self._capture_gradient

    def _capture_gradient(self, s: Session) -> None:
        """grad_hook: runs inside Session.step, before Adagrad clips the gradient."""
        self._pre_clip = (s.n, s.grads.copy())
        s.grad_hook = None

"""What the trainer reports, as plain dataclasses (no UI library here).

The app wraps these in Textual messages; the headless command prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .changes import SettingChange
from .corpus import Corpus
from .hparams import Hyperparams
from .metrics import MetricRow
from .models.params import Params


@dataclass(frozen=True)
class Sample:
    """One generated sample and the state of training when it was taken."""

    iteration: int
    loss: float  # smooth loss (per sequence, the seed's number) at that iteration
    temperature: float
    text: str


# --- What the trainer (tui_charrnn.trainer) reports while it runs -------------------------


@dataclass(frozen=True)
class SessionStarted:
    """A (new) session is ready: at start-up and after every reset."""

    corpus_name: str
    N: int  # characters in the corpus
    V: int  # vocabulary size
    hp: Hyperparams  # the hyperparameters in force
    iteration: int
    smooth_loss: float
    # the corpus itself (read-only data) for the insight views' one-off computations
    corpus: Corpus | None = field(default=None, repr=False, compare=False)
    val_note: str = ""  # what is held out for validation (validation.val_note)


@dataclass(frozen=True)
class Progress:
    """Throttled (~15/s) report of training progress."""

    iteration: int  # iterations trained so far
    smooth_loss: float  # per sequence of seq_length characters, as the seed prints it
    losses: tuple[tuple[int, float], ...]  # (iteration, smooth_loss) since the last Progress
    chars_per_s: float  # over the last reporting interval (0 when stepping by hand)
    elapsed_s: float  # training time, pauses excluded
    seq_length: int

    @property
    def nats_per_char(self) -> float:
        return self.smooth_loss / self.seq_length


@dataclass(frozen=True)
class SampleTaken:
    sample: Sample


@dataclass(frozen=True)
class StateChanged:
    state: str  # "training" | "paused" | "stopped" | "error"


@dataclass(frozen=True)
class SettingsApplied:
    """Live settings now in force (applied between two iterations)."""

    settings: dict[str, Any]  # name -> value, as in Hyperparams
    iteration: int = -1  # iterations trained when they took effect (-1: not said)
    previous: dict[str, Any] = field(default_factory=dict)  # the values they replaced


@dataclass(frozen=True)
class Validated:
    """The validation (held-out) loss was evaluated: validation.ValResult's figures."""

    iteration: int  # iterations trained when evaluated
    loss: float  # nats/char on the held-out slice
    best: float  # lowest so far in the run
    best_iteration: int
    chars: int  # characters in the evaluated slice


@dataclass(frozen=True)
class TrainerError:
    message: str  # one line, for the user


@dataclass(frozen=True)
class CheckpointSaved:
    path: str | None  # None when saving failed
    iteration: int
    error: str | None = None
    auto: bool = False  # an autosave (timer, quit, reset), not the c key


@dataclass(frozen=True)
class SamplesExported:
    """samples.txt was written (the s key), or could not be."""

    path: str | None  # None when writing failed
    error: str | None = None


@dataclass(frozen=True)
class PlotWritten:
    """loss.svg was written into the run folder (the p key), or could not be."""

    path: str | None  # None when writing failed
    error: str | None = None


@dataclass(frozen=True)
class RunOpened:
    """A session continues a saved run: its history up to the checkpoint, for the panes."""

    source: str  # the checkpoint it was loaded from
    iteration: int
    warnings: tuple[str, ...]  # one line each: fell back to an older checkpoint, corpus changed
    metrics: tuple[MetricRow, ...] = field(default=(), repr=False)  # oldest first
    samples: tuple[Sample, ...] = field(default=(), repr=False)  # oldest first
    changes: tuple[SettingChange, ...] = field(default=(), repr=False)  # oldest first


@dataclass(frozen=True)
class RecordFailed:
    """Samples or metrics could not be written to the run folder (reported once)."""

    message: str


@dataclass(frozen=True)
class Diverged:
    """Training blew up (NaN or a huge loss); the run was rolled back to a good state."""

    message: str  # one line, for the user
    rolled_back_to: int  # the iteration training continues from
    learning_rate: float  # in force after the rollback (halved, put back, or unchanged)
    paused: bool
    # the parts of the message (guard.Divergence), for a shorter line in the app
    iteration: int = -1  # the iteration that diverged
    reason: str = ""  # e.g. "loss is inf"
    outcome: str = ""  # e.g. "the change undone: learning_rate 1e+09 -> 0.1"


@dataclass(frozen=True)
class InsightSnapshot:
    """Copies for the insight views, posted ~2/s and only while one is shown."""

    iteration: int
    smooth_loss: float  # per sequence, the seed's number
    seq_length: int
    params: Params  # a copy the trainer no longer touches
    h: np.ndarray  # (H,) hidden state of stream 0 (a copy)
    seed_ix: int  # the character at the data pointer (what a sample would start from)
    hp: Hyperparams  # in force (frozen, so shared safely with the UI thread)
    health: dict[str, Any] | None  # insight.health.health() of the last unclipped gradient
    health_iteration: int  # the iteration that gradient belongs to
    val_loss: float | None  # held-out nats/char, when evaluated
    val_iteration: int  # the iteration val_loss was evaluated at
    val_chars: int  # characters in the evaluated held-out slice


# Anything the trainer reports (what on_event receives).
Event = (
    SessionStarted
    | Progress
    | SampleTaken
    | StateChanged
    | SettingsApplied
    | Validated
    | TrainerError
    | CheckpointSaved
    | SamplesExported
    | PlotWritten
    | RunOpened
    | RecordFailed
    | Diverged
    | InsightSnapshot
)
Emit = Callable[[Event], None]  # how the trainer and its helpers report one

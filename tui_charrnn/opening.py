"""Opening a run: a new one on a corpus, or one continued from a checkpoint or run folder.

No UI library here. `open_run` is the one way to do it: the command line (train and the
app), the runs browser and the tests call it. Each file is read once: the checkpoint,
the old run's settings.json (which names its corpus) and its history (metrics, samples,
setting changes up to the checkpoint), which the Recorder copies into the new run's folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import catalog
from .changes import SettingChange, read_changes
from .checkpoint import Checkpoint, session_from_checkpoint
from .corpus import Corpus, CorpusError, load
from .events import Sample
from .exits import PROG
from .hparams import Hyperparams
from .metrics import MetricRow
from .run_folder import RunFolder
from .session import Session
from .storage import corpus_warning, load_latest_checkpoint, run_folder_of


@dataclass(frozen=True)
class History:
    """What a run recorded before the checkpoint it is continued from, oldest first."""

    metrics: tuple[MetricRow, ...] = ()  # iteration < the checkpoint's
    samples: tuple[Sample, ...] = ()  # iteration < the checkpoint's
    changes: tuple[SettingChange, ...] = ()  # iteration <= the checkpoint's


@dataclass(frozen=True)
class OpenedRun:
    """A session ready to train, and where it came from."""

    session: Session
    checkpoint: Checkpoint | None = None  # what it continues; None for a new run
    warnings: tuple[str, ...] = ()  # one line each: an older checkpoint used, corpus changed
    resumed_from: RunFolder | None = None  # the folder holding that checkpoint, if any
    history: History = field(default_factory=History)

    @property
    def resumed(self) -> bool:
        return self.checkpoint is not None


def new_run(corpus: Corpus, hp: Hyperparams) -> OpenedRun:
    return OpenedRun(Session(corpus, hp))


def open_run(
    corpus: str | None = None,
    resume: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> OpenedRun:
    """A new run on `corpus` (a catalogue name or a path; None: the default), or, with
    `resume` (a run folder or a checkpoint file), the run it holds, continued on its own
    corpus unless `corpus` names another. `overrides`: hyperparameters given by the user.

    Raises CorpusError, CheckpointError or catalog.CatalogError, each one line."""
    overrides = dict(overrides or {})
    if resume is None:
        name, path = catalog.resolve(corpus)
        return new_run(load(path, name=name), Hyperparams.for_model(**overrides))
    if str(resume).strip() == "":
        raise CorpusError("--resume needs a run folder or a checkpoint file, not an empty name")
    target = Path(resume).expanduser()
    ckpt, warnings = load_latest_checkpoint(target)
    folder = run_folder_of(ckpt.path) if ckpt.path is not None else None
    for f in (folder, run_folder_of(target)):
        if f is not None:
            f.remove_litter()  # temp files of writes killed long ago
    settings = folder.read_settings() if folder is not None else None
    name, path = catalog.resolve(corpus if corpus is not None else corpus_of_run(settings, target))
    try:
        text = load(path, name=name, chars=ckpt.chars)
    except CorpusError as e:
        hint = ""
        if "outside the vocabulary" in str(e):
            hint = "; the corpus no longer fits the run's vocabulary: restore the original"
            hint += " file or start a new run"
        raise CorpusError(f"{e} (of checkpoint {ckpt.path}){hint}") from None
    if changed := corpus_warning(settings, text):
        warnings.append(changed)
    if ckpt.whole_text and "val_fraction" not in overrides:
        warnings.append(
            f"{ckpt.path}: stores no val_fraction (it learnt from the whole text, as the"
            " original script does): continuing with val_fraction 0, nothing held out;"
            " pass --val-fraction to hold out the tail"
        )
    session = session_from_checkpoint(ckpt, text, overrides)
    if session.hp.optimizer != ckpt.optimizer:
        warnings.append(
            f"{ckpt.path}: trained with {ckpt.optimizer}; {session.hp.optimizer} starts"
            " with empty memories"
        )
    history = History()
    if folder is not None:
        history = History(
            tuple(folder.read_metrics(ckpt.n)),
            tuple(folder.read_samples(ckpt.n)),
            tuple(read_changes(folder.path, ckpt.n)),
        )
    return OpenedRun(session, ckpt, tuple(warnings), folder, history)


def _is_file(path: str) -> bool:
    try:
        return Path(path).is_file()
    except (OSError, ValueError):  # a hand-edited settings.json: a name too long, a NUL
        return False


def corpus_of_run(settings: dict | None, target: Path) -> str | None:
    """The corpus a run was trained on, from its settings.json: its file if it is still
    there, else its catalogue name (a catalogue corpus is rebuilt if its cached file is
    gone); None if the settings do not say. CorpusError if its file is gone."""
    if not settings:
        return None
    path, name = settings.get("corpus_path"), settings.get("corpus")
    path = path if isinstance(path, str) else None
    name = name if isinstance(name, str) else None
    if path and _is_file(path):
        return path
    if name in {e.name for e in catalog.entries()}:
        return name
    if path:
        raise CorpusError(
            f"{path}: the corpus of this run is gone (moved or deleted); put it back,"
            f" or name it: {PROG} --resume {target} CORPUS"
        )
    return name

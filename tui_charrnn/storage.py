"""Run folders (run_folder.RunFolder, re-exported here) and finding them: the runs
under a folder, the newest checkpoint of a run that loads, a corpus that changed since.

No UI library here. The checkpoint file format itself lives in checkpoint.py.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .changes import SettingChange
from .checkpoint import Checkpoint, CheckpointError, load_checkpoint
from .corpus import Corpus
from .metrics import MetricRow
from .model import Net
from .run_folder import DEFAULT_KEEP, NUMBERED, RunFolder, load_first, same_file
from .safefile import os_reason, show_path

__all__ = [
    "DEFAULT_KEEP",
    "Checkpoint",
    "CheckpointError",
    "MetricRow",
    "RunFolder",
    "RunInfo",
    "SettingChange",
    "corpus_warning",
    "list_runs",
    "load_latest_checkpoint",
    "run_folder_of",
]


@dataclass
class RunInfo:
    """One run folder, as the runs browser lists it."""

    path: Path
    corpus: str
    iteration: int
    best_loss: float | None  # lowest smooth loss in metrics.csv (else the checkpoint's)
    modified: float  # POSIX time of the newest valid checkpoint
    hidden_size: int | None = None  # H and V of that checkpoint
    vocab_size: int | None = None
    best_val: float | None = None  # lowest held-out loss (metrics.csv's val_loss), nats/char
    last_val: float | None = None  # the latest one
    net: Net | None = None  # the checkpoint's network: cell, layers, H, V
    optimizer: str = "adagrad"  # the checkpoint's optimiser


def run_folder_of(path: Path) -> RunFolder | None:
    """The run folder a checkpoint (or folder) belongs to, if it looks like one."""
    path = Path(path).expanduser()
    folder = path if path.is_dir() else path.parent
    if (folder / "settings.json").is_file() or (folder / "checkpoint.npz").exists():
        return RunFolder(folder)
    return None


def load_latest_checkpoint(target) -> tuple[Checkpoint, list[str]]:
    """Load from a run folder (its newest valid checkpoint) or a checkpoint file. A
    corrupt checkpoint.npz / checkpoint-<n>.npz in a run folder falls back to the older
    ones there; the warnings (one line each, naming the file) say what was skipped."""
    target = Path(target).expanduser()
    try:
        is_dir = stat.S_ISDIR(os.stat(target).st_mode)
    except FileNotFoundError:
        is_dir = False  # load_checkpoint says "no such file"
    except (OSError, ValueError) as e:  # a name too long, a NUL in the path
        reason = os_reason(e, target) if isinstance(e, OSError) else "not a valid path"
        raise CheckpointError(f"{show_path(target)}: {reason}") from None
    if is_dir:
        folder = RunFolder(target)
        if not folder.checkpoints():
            return _load_resumed_from(folder)
        return folder.load_latest()
    try:
        return load_checkpoint(target), []
    except CheckpointError as e:
        folder = run_folder_of(target)
        named = target.name == "checkpoint.npz" or NUMBERED.match(target.name)
        if not target.is_file() or folder is None or not named:
            raise
        first = f"{e}; falling back to an older checkpoint"
    try:
        mine = target.stat()
    except OSError:
        raise CheckpointError(first) from None
    older = []
    for p in folder.checkpoints():
        with contextlib.suppress(OSError):
            st = p.stat()
            if not same_file(st, mine) and st.st_mtime_ns <= mine.st_mtime_ns:
                older.append(p)
    if not older:
        raise CheckpointError(first.rsplit("; falling back", 1)[0]) from None
    ckpt, warnings = load_first(older, folder.path)
    return ckpt, [first, *warnings]


def _load_resumed_from(folder: RunFolder) -> tuple[Checkpoint, list[str]]:
    """A run folder stopped before its first checkpoint: the checkpoint it continued, if
    it was a resumed run, with a warning saying so."""
    settings = folder.read_settings() or {}
    origin = settings.get("resumed_from")
    if not isinstance(origin, str) or not origin:
        raise CheckpointError(f"{folder.path}: no checkpoint in this folder")
    ckpt, warnings = load_latest_checkpoint(origin)
    note = (
        f"{folder.path}: no checkpoint (it stopped before its first save); continuing"
        f" {origin}, which it was resumed from"
    )
    return ckpt, [note, *warnings]


def list_runs(root) -> list[RunInfo]:
    """Run folders under root with valid settings and a loadable checkpoint, newest first.
    Anything else (junk, half-written folders, unreadable files) is skipped."""
    out: list[RunInfo] = []
    try:
        folders = [p for p in Path(root).expanduser().iterdir() if p.is_dir()]
    except OSError:
        return []
    for folder in folders:
        try:
            run = RunFolder(folder)
            settings = run.read_settings()
            if not settings or not isinstance(settings.get("corpus"), str):
                continue
            ckpt, _warnings = run.load_latest()
            rows = run.read_metrics(ckpt.n)
            losses = [m.smooth_loss for m in rows]
            best = min(losses) if losses else ckpt.smooth_loss
            vals = [m.val_loss for m in rows if m.val_loss is not None]
            modified = ckpt.path.stat().st_mtime if ckpt.path else 0.0
            out.append(
                RunInfo(
                    folder,
                    settings["corpus"],
                    ckpt.n,
                    best,
                    modified,
                    ckpt.H,
                    ckpt.V,
                    min(vals) if vals else None,
                    vals[-1] if vals else None,
                    ckpt.net,
                    ckpt.optimizer,
                )
            )
        except (CheckpointError, OSError, ValueError, TypeError):
            continue
    out.sort(key=lambda r: r.modified, reverse=True)
    return out


def corpus_warning(settings: dict | None, corpus: Corpus) -> str | None:
    """One line if the corpus differs from the one the run was saved with (same vocabulary
    still fits, so training can go on)."""
    if not settings:
        return None
    saved = settings.get("corpus_sha256")
    if not saved or not corpus.sha256 or saved == corpus.sha256:
        return None
    where = show_path(corpus.path) if corpus.path else corpus.name
    return (
        f"{where}: changed since this run was saved (SHA-256 differs); its characters still"
        " fit the checkpoint's vocabulary, so training continues on the new text"
    )

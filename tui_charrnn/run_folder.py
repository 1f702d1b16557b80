"""A run's folder: its checkpoints (rotated), samples, metrics, setting changes and
settings (RunFolder). Finding runs and their newest checkpoint is storage.py's.

No UI library here. The checkpoint file format itself lives in checkpoint.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from . import __version__
from .changes import FILENAME as CHANGES_FILE
from .changes import SettingChange, append_changes, changes_text, read_changes
from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from .events import Sample
from .files import CheckpointError, atomic_write, fsync_dir, os_error_reason
from .hparams import SPECS, Hyperparams
from .logfile import append_lines, read_log
from .metrics import MetricRow, append_rows, read_rows, rows_text
from .safefile import read_regular
from .session import Session


def _slug(name: str) -> str:
    stem = Path(name).stem if name.endswith(".txt") else Path(name).name
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.").lower()[:40] or "corpus"


NUMBERED = re.compile(r"^checkpoint-(\d+)\.npz$")
DEFAULT_KEEP = 3  # numbered checkpoints kept in a run folder
SETTINGS_LIMIT = 1 << 20  # settings.json is a few hundred bytes
STALE_TEMP_S = 60.0  # a temp file this old is left by a killed write, not one in progress


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


@dataclass
class RunFolder:
    """One run's folder:

    - checkpoint.npz: the newest checkpoint (a hard link to the newest numbered one)
    - checkpoint-<iteration>.npz: the last `keep` checkpoints, each written atomically
    - settings.json: hyperparameters, corpus name, path and SHA-256, created time
    - metrics.csv: iteration, smooth_loss, loss, learning_rate, elapsed_s, chars_per_s,
      val_loss (empty where not evaluated; older files without it are read too)
    - changes.jsonl: one JSON object per live setting change (changes.py)
    - samples.jsonl: one JSON object per sample (iteration, loss, temperature, text)
    - samples.txt: a readable export of the samples
    """

    path: Path
    keep: int = DEFAULT_KEEP

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser()
        if self.keep < 1:
            raise ValueError("keep must be at least 1")

    @classmethod
    def create(cls, root: Path, corpus_name: str, keep: int = DEFAULT_KEEP) -> RunFolder:
        root = Path(root).expanduser()
        base = f"{_slug(corpus_name)}-{time.strftime('%Y%m%d-%H%M%S')}"
        try:
            root.mkdir(parents=True, exist_ok=True)
            for i in range(1, 1000):
                folder = root / (base if i == 1 else f"{base}-{i}")
                try:
                    folder.mkdir()
                except FileExistsError:
                    continue
                return cls(folder, keep)
        except OSError as e:
            raise CheckpointError(
                f"{root}: cannot create a run folder: {os_error_reason(e)}"
            ) from None
        raise CheckpointError(f"{root}: too many run folders named {base}")

    def remove(self) -> None:
        """Delete this folder and what is in it (a run that could not start)."""
        shutil.rmtree(self.path, ignore_errors=True)

    @property
    def checkpoint_path(self) -> Path:
        return self.path / "checkpoint.npz"

    @property
    def samples_path(self) -> Path:
        return self.path / "samples.txt"

    @property
    def samples_jsonl_path(self) -> Path:
        return self.path / "samples.jsonl"

    @property
    def metrics_path(self) -> Path:
        return self.path / "metrics.csv"

    @property
    def settings_path(self) -> Path:
        return self.path / "settings.json"

    # --- checkpoints ----------------------------------------------------------------------

    def save_checkpoint(self, session: Session) -> Path:
        """Write checkpoint-<n>.npz atomically, point checkpoint.npz at it, and delete
        numbered checkpoints beyond the newest `keep`. On failure the previous files stay."""
        self._remove_stale_temp_files()
        numbered = self.path / f"checkpoint-{session.n}.npz"
        save_checkpoint(numbered, session)
        self._alias(numbered)
        self._prune(keep_path=numbered)
        return self.checkpoint_path

    def _alias(self, numbered: Path) -> None:
        target = self.checkpoint_path
        tmp = self.path / f".checkpoint.npz.{os.getpid()}.link.tmp"
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            os.link(numbered, tmp)
            os.replace(tmp, target)
            fsync_dir(self.path)
            return
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        # no hard links on this file system: copy (atomically)
        data = numbered.read_bytes()
        atomic_write(target, lambda f: f.write(data), "checkpoint")

    def _remove_stale_temp_files(self, older_than_s: float = 0.0) -> None:
        """Temp files left by a process killed mid-write (atomic_write's .NAME.*.tmp).
        The folder's own writer removes them all; anyone else only those older than
        `older_than_s`, which no write still in progress can be."""
        now = time.time()
        with contextlib.suppress(OSError):
            for p in self.path.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    if now - p.stat().st_mtime >= older_than_s:
                        p.unlink()

    def remove_litter(self) -> None:
        """When a run folder is opened: the temp files of writes killed long ago."""
        self._remove_stale_temp_files(older_than_s=STALE_TEMP_S)

    def _numbered(self) -> list[tuple[Path, os.stat_result, int]]:
        out = []
        try:
            entries = list(self.path.iterdir())
        except OSError:
            return []
        for p in entries:
            m = NUMBERED.match(p.name)
            if m:
                with contextlib.suppress(OSError):
                    out.append((p, p.stat(), int(m.group(1))))
        # newest first: by write time, then by iteration
        out.sort(key=lambda t: (t[1].st_mtime_ns, t[2]), reverse=True)
        return out

    def _prune(self, keep_path: Path) -> None:
        """Keep the newest `keep` checkpoints, none of them past keep_path's iteration
        (those are of iterations a rollback undid)."""
        newest = int(NUMBERED.match(keep_path.name).group(1))
        old = [(p, n) for p, _st, n in self._numbered() if p != keep_path]
        for i, (p, n) in enumerate(old):
            if n > newest or i >= self.keep - 1:
                with contextlib.suppress(OSError):
                    p.unlink()

    def checkpoints(self) -> list[Path]:
        """Checkpoint files, newest first; checkpoint.npz first unless a numbered file is
        newer, and a numbered file that is the same file as checkpoint.npz is left out."""
        found: list[tuple[Path, os.stat_result, int]] = []
        try:
            alias = self.checkpoint_path.stat()
            found.append((self.checkpoint_path, alias, 1 << 62))
        except OSError:
            alias = None
        for p, st, n in self._numbered():
            if alias is None or not same_file(st, alias):
                found.append((p, st, n))
        found.sort(key=lambda t: (t[1].st_mtime_ns, t[2]), reverse=True)
        return [p for p, _st, _n in found]

    def load_latest(self) -> tuple[Checkpoint, list[str]]:
        """The newest checkpoint that loads, and one warning line per newer file that did
        not (corrupt, truncated, ...). CheckpointError if none loads."""
        return load_first(self.checkpoints(), self.path)

    # --- settings, samples, metrics -------------------------------------------------------

    def write_settings(
        self,
        hp: Hyperparams,
        corpus_name: str,
        corpus_path,
        corpus_sha256,
        resumed_from=None,
    ) -> None:
        old = self.read_settings() or {}
        settings = {
            "version": __version__,
            "created": old.get("created") or time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "corpus": corpus_name,
            "corpus_path": str(corpus_path) if corpus_path is not None else None,
            "corpus_sha256": corpus_sha256,
            "hparams": hp.to_dict(),
        }
        resumed_from = resumed_from or old.get("resumed_from")
        if resumed_from:
            settings["resumed_from"] = str(resumed_from)
        data = json.dumps(settings, indent=2).encode("utf-8") + b"\n"
        atomic_write(self.settings_path, lambda f: f.write(data), "settings")

    def read_settings(self) -> dict | None:
        """settings.json as a dict, or None if it is missing or not a JSON object."""
        try:
            raw = read_regular(self.settings_path, SETTINGS_LIMIT, "settings file")
            settings = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return settings if isinstance(settings, dict) else None

    def write_samples(self, samples: list[Sample], hp: Hyperparams, corpus_name: str) -> Path:
        lines = [f"# charrnn-tui {__version__} samples", f"corpus: {corpus_name}"]
        lines += [f"{name}: {getattr(hp, name)}" for name in SPECS]
        lines.append("")
        for s in samples:
            head = f"iteration {s.iteration}  loss {s.loss:.4f}  temperature {s.temperature:g}"
            lines += [f"----- {head} -----", s.text, ""]
        data = "\n".join(lines).encode("utf-8")
        atomic_write(self.samples_path, lambda f: f.write(data), "samples")
        return self.samples_path

    def append_samples(self, samples: list[Sample]) -> None:
        """Append samples to samples.jsonl (one JSON object a line), flushed."""
        path = self.samples_jsonl_path
        try:
            append_lines(path, _samples_text(samples))
        except OSError as e:
            raise CheckpointError(f"{path}: cannot write samples: {os_error_reason(e)}") from None

    def append_sample(self, sample: Sample) -> None:
        self.append_samples([sample])

    def read_samples(self, upto: int | None = None) -> list[Sample]:
        """Samples from samples.jsonl (iteration < upto if given); bad lines are skipped."""
        out = []
        try:
            raw = read_log(self.samples_jsonl_path)
        except OSError:
            return []
        for line in raw.split("\n"):  # a sample's text may hold any other line break
            try:
                d = json.loads(line)
                s = Sample(
                    int(d["iteration"]), float(d["loss"]), float(d["temperature"]), str(d["text"])
                )
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
                continue
            if upto is None or s.iteration < upto:
                out.append(s)
        return out

    def append_metrics(self, rows: list[tuple]) -> None:
        try:
            append_rows(self.metrics_path, rows)
        except OSError as e:
            where = self.metrics_path
            raise CheckpointError(f"{where}: cannot write metrics: {os_error_reason(e)}") from None

    def read_metrics(self, upto: int | None = None) -> list[MetricRow]:
        """Rows of metrics.csv (iteration < upto if given); bad rows are skipped."""
        return read_rows(self.metrics_path, upto)

    def set_val_loss(self, iteration: int, val: float) -> None:
        """The held-out loss into the written metrics row of `iteration` (the row of a run's
        last iteration, written before the run ended); the file is rewritten atomically."""
        rows = [m._replace(val_loss=val) if m.iteration == iteration else m for m in
                self.read_metrics()]  # fmt: skip
        data = rows_text(rows, header=True).encode("utf-8")
        atomic_write(self.metrics_path, lambda f: f.write(data), self.metrics_path.name)

    def append_history(
        self, metrics: list[tuple], samples: list[Sample], changes: list[SettingChange]
    ) -> None:
        """Append an earlier run's history (a resume starts with it)."""
        if samples:
            self.append_samples(samples)
        if changes:
            self.append_changes(changes)
        if metrics:
            self.append_metrics(metrics)

    def truncate_logs(self, n: int) -> None:
        """Forget what a rollback to iteration n undid: samples and metrics rows of
        iteration >= n go; a setting change made after n is still in force, so it now
        dates from n. Each file is rewritten atomically."""
        samples = self.read_samples(n)
        metrics = self.read_metrics(n)
        changes = [c._replace(iteration=min(c.iteration, n)) for c in read_changes(self.path)]
        for path, text in (
            (self.samples_jsonl_path, _samples_text(samples)),
            (self.metrics_path, rows_text(metrics, header=True)),
            (self.path / CHANGES_FILE, changes_text(changes)),
        ):
            if path.exists():
                data = text.encode("utf-8")
                atomic_write(path, lambda f, data=data: f.write(data), path.name)

    def append_changes(self, changes: list[SettingChange]) -> None:
        """Append live setting changes to changes.jsonl (see changes.py)."""
        try:
            append_changes(self.path, changes)
        except OSError as e:
            where = self.path / CHANGES_FILE
            raise CheckpointError(f"{where}: cannot write changes: {os_error_reason(e)}") from None


def _samples_text(samples: list[Sample]) -> str:
    """samples.jsonl's lines: one JSON object a sample."""
    return "".join(json.dumps(asdict(s), ensure_ascii=False) + "\n" for s in samples)


def load_first(candidates: list[Path], where: Path) -> tuple[Checkpoint, list[str]]:
    warnings: list[str] = []
    for path in candidates:
        try:
            return load_checkpoint(path), warnings
        except CheckpointError as e:
            warnings.append(f"{e}; falling back to an older checkpoint")
    if not candidates:
        raise CheckpointError(f"{where}: no checkpoint in this folder")
    first = warnings[0].rsplit("; falling back", 1)[0]
    raise CheckpointError(f"{where}: no checkpoint loads (newest: {first})")

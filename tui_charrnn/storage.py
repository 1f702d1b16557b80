"""Checkpoints and run folders. No UI library here.

A checkpoint is one .npz file holding the seed's five arrays under the seed's names and
shapes (biases as (H, 1) columns), the Adagrad memories, the hidden state, the vocabulary
in index order and the loop state, so a run continues bit for bit. A file holding only
the five arrays and `chars` (what the original script can save) loads too.

Writes are atomic: a temporary file in the same folder is written, flushed and fsynced,
then renamed over the target, so a crash mid-write leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from . import __version__
from .corpus import Corpus
from .events import Sample
from .hparams import SPECS, Hyperparams
from .model import DTYPES, PARAM_NAMES, Params, param_shapes
from .session import Session

FORMAT_VERSION = 1
MEM_NAMES = tuple("m" + name for name in PARAM_NAMES)
METRICS_HEADER = ("iteration", "smooth_loss", "loss", "learning_rate", "elapsed_s", "chars_per_s")


class CheckpointError(Exception):
    """A checkpoint or run file that cannot be written or read; one line naming the file."""


def _reason(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write(path: Path, write, what: str = "file") -> None:
    """Call write(fileobj) on a temp file next to path, fsync, rename over path."""
    path = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(path.parent)
    except Exception as e:
        raise CheckpointError(f"{path}: cannot write {what}: {_reason(e)}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def checkpoint_arrays(session: Session) -> dict[str, np.ndarray]:
    """Everything a checkpoint stores, as named numpy arrays."""
    out: dict[str, np.ndarray] = {}
    for prefix, P in (("", session.params), ("m", session.adagrad.mem)):
        for name, arr in P.arrays().items():
            out[prefix + name] = arr.reshape(-1, 1) if name in ("bh", "by") else arr
    out["hprev"] = np.asarray(session.hprev)
    out["chars"] = np.array(session.corpus.chars, dtype=str)
    out["n"] = np.array(session.n, dtype=np.int64)
    out["p"] = np.array(session.p, dtype=np.int64)
    out["smooth_loss"] = np.array(session.smooth_loss, dtype=np.float64)
    out["hparams"] = np.array(json.dumps(session.hp.to_dict()))
    out["rng"] = np.array(json.dumps(session.rng.bit_generator.state))
    out["format"] = np.array(FORMAT_VERSION, dtype=np.int64)
    return out


def diverged_part(session: Session) -> str | None:
    """Which part of the session holds NaN or infinite values, if any."""
    if not np.isfinite(session.params.flat).all():
        return "parameters"
    if not np.isfinite(session.adagrad.mem.flat).all():
        return "Adagrad memory"
    if not np.isfinite(session.hprev).all():
        return "hidden state"
    if not np.isfinite(session.smooth_loss):
        return "smooth loss"
    return None


def save_checkpoint(path: Path, session: Session) -> None:
    """Write the session atomically; a diverged (non-finite) state is refused and the
    previous file stays."""
    bad = diverged_part(session)
    if bad is not None:
        raise CheckpointError(
            f"{path}: not saved: NaN or infinite values in the {bad} (training diverged)"
        )
    arrays = checkpoint_arrays(session)
    _atomic_write(Path(path), lambda f: np.savez(f, **arrays), "checkpoint")


@dataclass
class Checkpoint:
    arrays: dict[str, np.ndarray]  # Wxh, Whh, Why, bh, by as stored (biases (H,) or (H, 1))
    mem: dict[str, np.ndarray] | None  # the same names, Adagrad memories
    hprev: np.ndarray | None  # (B, H)
    chars: list[str]
    n: int = 0
    p: int = 0
    smooth_loss: float | None = None
    hp: Hyperparams | None = None
    rng_state: dict | None = None
    path: Path | None = None

    @property
    def H(self) -> int:
        return int(self.arrays["Wxh"].shape[0])

    @property
    def V(self) -> int:
        return int(self.arrays["Wxh"].shape[1])


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        raise CheckpointError(f"{path}: no such file")
    if path.is_dir():
        raise CheckpointError(f"{path}: is a directory, not a checkpoint file")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"{path}: not a checkpoint (.npz) file, or it is truncated")
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except ValueError as e:
        if "pickle" in str(e):
            raise CheckpointError(f"{path}: holds Python objects (pickles); refused") from None
        raise CheckpointError(f"{path}: corrupt checkpoint: {_reason(e)}") from None
    except Exception as e:  # BadZipFile, zlib.error, EOFError, OSError...
        raise CheckpointError(f"{path}: corrupt or truncated checkpoint: {_reason(e)}") from None


def _check_float(path, name, arr, shapes) -> np.ndarray:
    if arr.shape not in shapes:
        want = " or ".join(str(s) for s in shapes)
        raise CheckpointError(f"{path}: {name} has shape {arr.shape}, expected {want}")
    if arr.dtype.kind != "f":
        raise CheckpointError(f"{path}: {name} has dtype {arr.dtype}, expected floating point")
    if not np.isfinite(arr).all():
        raise CheckpointError(f"{path}: {name} contains NaN or infinite values")
    return arr


def _scalar(path, data, key, kind, default):
    if key not in data:
        return default
    arr = data[key]
    try:
        if arr.shape != ():
            raise ValueError
        value = kind(arr.item())
    except (ValueError, TypeError):
        raise CheckpointError(f"{path}: {key} is not a single {kind.__name__}") from None
    return value


def _json(path, data, key):
    if key not in data:
        return None
    try:
        return json.loads(str(data[key].item()))
    except (ValueError, TypeError):
        raise CheckpointError(f"{path}: {key} is not valid JSON") from None


def _chars(path, arr: np.ndarray) -> list[str]:
    if arr.dtype.kind != "U":
        raise CheckpointError(f"{path}: chars must be an array of strings, not {arr.dtype}")
    chars = list(str(arr.item())) if arr.ndim == 0 else [str(c) for c in arr.reshape(-1)]
    if any(len(c) != 1 for c in chars) or len(set(chars)) != len(chars):
        raise CheckpointError(f"{path}: chars must be distinct single characters")
    return chars


def load_checkpoint(path) -> Checkpoint:
    path = Path(path).expanduser()
    data = _read_npz(path)
    missing = [k for k in (*PARAM_NAMES, "chars") if k not in data]
    if missing:
        raise CheckpointError(f"{path}: not a char-rnn checkpoint, missing {', '.join(missing)}")
    fmt = _scalar(path, data, "format", int, FORMAT_VERSION)
    if fmt > FORMAT_VERSION:
        raise CheckpointError(f"{path}: format {fmt} is newer than this program ({__version__})")
    Wxh = data["Wxh"]
    if Wxh.ndim != 2 or 0 in Wxh.shape:
        raise CheckpointError(f"{path}: Wxh has shape {Wxh.shape}, expected (hidden, vocab)")
    H, V = Wxh.shape
    shapes = {k: [s] for k, s in param_shapes(V, H).items()}
    shapes["bh"].append((H, 1))
    shapes["by"].append((V, 1))
    arrays = {k: _check_float(path, k, data[k], shapes[k]) for k in PARAM_NAMES}
    chars = _chars(path, data["chars"])
    if len(chars) != V:
        raise CheckpointError(f"{path}: chars has {len(chars)} characters, Wxh has {V} columns")
    mem = None
    present = [k for k in MEM_NAMES if k in data]
    if present:
        if len(present) != len(MEM_NAMES):
            lost = sorted(set(MEM_NAMES) - set(present))
            raise CheckpointError(f"{path}: incomplete Adagrad memory, missing {', '.join(lost)}")
        mem = {k[1:]: _check_float(path, k, data[k], shapes[k[1:]]) for k in MEM_NAMES}
    hprev = None
    if "hprev" in data:
        h = data["hprev"]
        if h.shape in ((H,), (H, 1)):
            h = h.reshape(1, H)
        hprev = _check_float(path, "hprev", h, [(h.shape[0] if h.ndim == 2 else 1, H)])
        if hprev.shape[0] < 1:
            raise CheckpointError(f"{path}: hprev is empty")
    n = _scalar(path, data, "n", int, 0)
    p = _scalar(path, data, "p", int, 0)
    if n < 0 or p < 0:
        raise CheckpointError(f"{path}: n and p must not be negative")
    smooth = _scalar(path, data, "smooth_loss", float, None)
    if smooth is not None and not np.isfinite(smooth):
        raise CheckpointError(f"{path}: smooth_loss is not finite")
    hp = None
    raw_hp = _json(path, data, "hparams")
    if raw_hp is not None:
        try:
            hp = Hyperparams.from_dict(dict(raw_hp))
        except (ValueError, TypeError) as e:
            raise CheckpointError(f"{path}: bad hyperparameters: {_reason(e)}") from None
    rng_state = _json(path, data, "rng")
    if rng_state is not None and not isinstance(rng_state, dict):
        raise CheckpointError(f"{path}: rng is not a generator state")
    return Checkpoint(arrays, mem, hprev, chars, n, p, smooth, hp, rng_state, path)


def session_from_checkpoint(
    ckpt: Checkpoint, corpus: Corpus, hp_overrides: dict[str, Any] | None = None
) -> Session:
    """A Session that continues the checkpoint on `corpus` (loaded with chars=ckpt.chars)."""
    where = ckpt.path or "checkpoint"
    if list(corpus.chars) != list(ckpt.chars):
        extra = sorted(set(corpus.chars) - set(ckpt.chars))
        if extra:
            shown = ", ".join(repr(c) for c in extra[:10])
            raise CheckpointError(
                f"{where}: the corpus {corpus.name} has characters not in the checkpoint's"
                f" vocabulary: {shown}"
            )
        raise CheckpointError(
            f"{where}: the corpus {corpus.name} was not loaded with the checkpoint's vocabulary"
        )
    params = Params.from_arrays(ckpt.arrays)
    if params.dtype.name not in DTYPES:
        params = params.astype(np.float64)
    overrides = dict(hp_overrides or {})
    if "hidden_size" in overrides and int(overrides["hidden_size"]) != params.H:
        raise CheckpointError(
            f"{where}: the checkpoint has hidden size {params.H}, not {overrides['hidden_size']}"
        )
    hp = ckpt.hp or Hyperparams()
    try:
        hp = hp.with_(hidden_size=params.H, dtype=params.dtype.name)
        hp = hp.with_(**overrides)
    except ValueError as e:
        raise CheckpointError(f"{where}: {_reason(e)}") from None
    mem = Params.from_arrays(ckpt.mem, dtype=params.dtype) if ckpt.mem is not None else None
    hprev, p = ckpt.hprev, ckpt.p
    if hprev is not None and hprev.shape[0] != hp.batch_size:
        hprev, p = None, 0  # a different batch size: streams restart at their segment starts
    if ckpt.rng_state is not None:
        rng = np.random.default_rng()
        try:
            rng.bit_generator.state = ckpt.rng_state
        except (ValueError, TypeError, KeyError) as e:
            raise CheckpointError(f"{where}: cannot restore the random state: {e}") from None
    else:
        rng = np.random.default_rng(hp.seed)
    return Session(corpus, hp, params, mem, hprev, ckpt.n, p, ckpt.smooth_loss, rng)


def _slug(name: str) -> str:
    stem = Path(name).stem if name.endswith(".txt") else Path(name).name
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.").lower()[:40] or "corpus"


_NUMBERED = re.compile(r"^checkpoint-(\d+)\.npz$")
DEFAULT_KEEP = 3  # numbered checkpoints kept in a run folder


class MetricRow(NamedTuple):
    iteration: int
    smooth_loss: float
    loss: float
    learning_rate: float
    elapsed_s: float
    chars_per_s: float


@dataclass
class RunInfo:
    """One run folder, as the runs browser lists it."""

    path: Path
    corpus: str
    iteration: int
    best_loss: float | None  # lowest smooth loss in metrics.csv (else the checkpoint's)
    modified: float  # POSIX time of the newest valid checkpoint


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


@dataclass
class RunFolder:
    """One run's folder:

    - checkpoint.npz: the newest checkpoint (a hard link to the newest numbered one)
    - checkpoint-<iteration>.npz: the last `keep` checkpoints, each written atomically
    - settings.json: hyperparameters, corpus name, path and SHA-256, created time
    - metrics.csv: iteration, smooth_loss, loss, learning_rate, elapsed_s, chars_per_s
    - samples.jsonl: one JSON object per sample (iteration, loss, temperature, text)
    - samples.txt: a readable export of the samples
    """

    path: Path
    keep: int = DEFAULT_KEEP

    def __post_init__(self) -> None:
        self.path = Path(self.path).expanduser()
        if self.keep < 1:
            raise ValueError("keep must be at least 1")
        self._samples_checked = False

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
            raise CheckpointError(f"{root}: cannot create a run folder: {_reason(e)}") from None
        raise CheckpointError(f"{root}: too many run folders named {base}")

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
            _fsync_dir(self.path)
            return
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        # no hard links on this file system: copy (atomically)
        data = numbered.read_bytes()
        _atomic_write(target, lambda f: f.write(data), "checkpoint")

    def _remove_stale_temp_files(self) -> None:
        """Temp files left by a process killed mid-write (one writer per folder)."""
        with contextlib.suppress(OSError):
            for p in self.path.glob(".checkpoint*.tmp"):
                with contextlib.suppress(OSError):
                    p.unlink()

    def _numbered(self) -> list[tuple[Path, os.stat_result, int]]:
        out = []
        try:
            entries = list(self.path.iterdir())
        except OSError:
            return []
        for p in entries:
            m = _NUMBERED.match(p.name)
            if m:
                with contextlib.suppress(OSError):
                    out.append((p, p.stat(), int(m.group(1))))
        # newest first: by write time, then by iteration
        out.sort(key=lambda t: (t[1].st_mtime_ns, t[2]), reverse=True)
        return out

    def _prune(self, keep_path: Path) -> None:
        old = [p for p, _st, _n in self._numbered() if p != keep_path]
        for p in old[self.keep - 1 :]:
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
            if alias is None or not _same_file(st, alias):
                found.append((p, st, n))
        found.sort(key=lambda t: (t[1].st_mtime_ns, t[2]), reverse=True)
        return [p for p, _st, _n in found]

    def load_latest(self) -> tuple[Checkpoint, list[str]]:
        """The newest checkpoint that loads, and one warning line per newer file that did
        not (corrupt, truncated, ...). CheckpointError if none loads."""
        return _load_first(self.checkpoints(), self.path)

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
        _atomic_write(self.settings_path, lambda f: f.write(data), "settings")

    def read_settings(self) -> dict | None:
        """settings.json as a dict, or None if it is missing or not a JSON object."""
        try:
            settings = json.loads(self.settings_path.read_text("utf-8"))
        except (OSError, ValueError):
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
        _atomic_write(self.samples_path, lambda f: f.write(data), "samples")
        return self.samples_path

    def append_samples(self, samples: list[Sample]) -> None:
        """Append samples to samples.jsonl (one JSON object a line), flushed."""
        path = self.samples_jsonl_path
        lines = [
            json.dumps(
                {
                    "iteration": s.iteration,
                    "loss": s.loss,
                    "temperature": s.temperature,
                    "text": s.text,
                },
                ensure_ascii=False,
            )
            + "\n"
            for s in samples
        ]
        try:
            with path.open("a+b") as f:
                if not self._samples_checked:  # a line cut short by a crash: start afresh
                    self._samples_checked = True
                    if f.tell() > 0:
                        f.seek(-1, os.SEEK_END)
                        if f.read(1) != b"\n":
                            f.write(b"\n")
                f.write("".join(lines).encode("utf-8"))
                f.flush()
        except OSError as e:
            raise CheckpointError(f"{path}: cannot write samples: {_reason(e)}") from None

    def append_sample(self, sample: Sample) -> None:
        self.append_samples([sample])

    def read_samples(self, upto: int | None = None) -> list[Sample]:
        """Samples from samples.jsonl (iteration < upto if given); bad lines are skipped."""
        out = []
        try:
            raw = self.samples_jsonl_path.read_bytes()
        except OSError:
            return []
        for line in raw.splitlines():
            try:
                d = json.loads(line)
                s = Sample(
                    int(d["iteration"]), float(d["loss"]), float(d["temperature"]), str(d["text"])
                )
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
            if upto is None or s.iteration < upto:
                out.append(s)
        return out

    def append_metrics(self, rows: list[tuple]) -> None:
        path = self.metrics_path
        try:
            new = not path.exists() or path.stat().st_size == 0
            with path.open("a", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                if new:
                    w.writerow(METRICS_HEADER)
                w.writerows(rows)
        except OSError as e:
            raise CheckpointError(f"{path}: cannot write metrics: {_reason(e)}") from None

    def read_metrics(self, upto: int | None = None) -> list[MetricRow]:
        """Rows of metrics.csv (iteration < upto if given); bad rows are skipped."""
        out = []
        try:
            text = self.metrics_path.read_text("utf-8", errors="replace")
        except OSError:
            return []
        for row in csv.reader(text.splitlines()):
            if len(row) != len(METRICS_HEADER):
                continue
            try:
                m = MetricRow(int(row[0]), *(float(x) for x in row[1:]))
            except ValueError:
                continue
            if upto is None or m.iteration < upto:
                out.append(m)
        return out

    def inherit_history(self, other: RunFolder, upto: int) -> None:
        """Copy another run's samples and metrics before iteration `upto` (a resume)."""
        rows = other.read_metrics(upto)
        if rows:
            self.append_metrics(rows)
        samples = other.read_samples(upto)
        if samples:
            self.append_samples(samples)


def _load_first(candidates: list[Path], where: Path) -> tuple[Checkpoint, list[str]]:
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
    if target.is_dir():
        return RunFolder(target).load_latest()
    try:
        return load_checkpoint(target), []
    except CheckpointError as e:
        folder = run_folder_of(target)
        named = target.name == "checkpoint.npz" or _NUMBERED.match(target.name)
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
            if not _same_file(st, mine) and st.st_mtime_ns <= mine.st_mtime_ns:
                older.append(p)
    if not older:
        raise CheckpointError(first.rsplit("; falling back", 1)[0]) from None
    ckpt, warnings = _load_first(older, folder.path)
    return ckpt, [first, *warnings]


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
            losses = [m.smooth_loss for m in run.read_metrics(ckpt.n)]
            best = min(losses) if losses else ckpt.smooth_loss
            modified = ckpt.path.stat().st_mtime if ckpt.path else 0.0
            out.append(RunInfo(folder, settings["corpus"], ckpt.n, best, modified))
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
    where = corpus.path or corpus.name
    return (
        f"{where}: changed since this run was saved (SHA-256 differs); its characters still"
        " fit the checkpoint's vocabulary, so training continues on the new text"
    )

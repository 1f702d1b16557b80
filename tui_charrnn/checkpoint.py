"""The checkpoint file: one .npz, written atomically, read back with every shape checked.

No UI library here. A checkpoint holds the seed's five arrays under the seed's names and
shapes (biases as (H, 1) columns), the Adagrad memories, the hidden state, the vocabulary
in index order and the loop state, so a run continues bit for bit. A file holding only
the five arrays and `chars` (what the original script can save) loads too.

Writes are atomic: a temporary file in the same folder is written, flushed and fsynced,
then renamed over the target, so a crash mid-write leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npformat

from . import __version__
from .corpus import Corpus
from .hparams import SPECS, Hyperparams
from .model import DTYPES, PARAM_NAMES, Params, param_shapes
from .safefile import RefusedFile, open_regular, printable, show_path
from .session import Session

FORMAT_VERSION = 1
MEM_NAMES = tuple("m" + name for name in PARAM_NAMES)


class CheckpointError(Exception):
    """A checkpoint or run file that cannot be written or read; one line naming the file."""


def os_error_reason(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def fsync_dir(folder: Path) -> None:
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


def _read_umask() -> int:
    """The process's umask, without changing it where /proc tells it (Linux 4.7+); else
    set and restored at once (at import, before any thread of ours runs)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


UMASK = _read_umask()


def new_file_mode() -> int:
    """The mode open() gives a new file: 0666 less the umask (mkstemp's own is 0600)."""
    return 0o666 & ~UMASK


def atomic_write(path: Path, write, what: str = "file") -> None:
    """Call write(fileobj) on a temp file next to path, fsync, rename over path. The file
    gets the mode the umask gives any new file, like the run's other files."""
    path = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with contextlib.suppress(OSError):  # a file system without modes keeps its own
            os.fchmod(fd, new_file_mode())
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
        fsync_dir(path.parent)
    except Exception as e:
        raise CheckpointError(f"{path}: cannot write {what}: {os_error_reason(e)}") from None
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
    atomic_write(Path(path), lambda f: np.savez(f, **arrays), "checkpoint")


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
    # False for files that store no val_fraction (the original script's, or this program's
    # before validation existed): they were trained on the whole text
    stores_split: bool = True

    @property
    def whole_text(self) -> bool:
        """It stores no val_fraction, so it was trained on the whole text."""
        return self.hp is None or not self.stores_split

    @property
    def H(self) -> int:
        return int(self.arrays["Wxh"].shape[0])

    @property
    def V(self) -> int:
        return int(self.arrays["Wxh"].shape[1])


# What a checkpoint may hold (format 1; the README lists them). Anything else is refused.
MEMBERS = frozenset(
    (*PARAM_NAMES, *MEM_NAMES, "hprev", "chars", "n", "p", "smooth_loss", "hparams", "rng")
) | {"format"}
SCALARS = ("n", "p", "smooth_loss", "format")
TEXTS = ("hparams", "rng")  # JSON, as 0-d unicode arrays
MAX_MEMBERS = 32  # a checkpoint has 19
MAX_DIRECTORY = 64 << 10  # bytes of the zip's central directory (19 members take ~2 KB)
MAX_HEADER = 16 << 10  # bytes of one .npy header (numpy writes ~128)
MAX_TEXT_BYTES = 256 << 10  # hparams, rng: a few hundred bytes of JSON
MAX_SCALAR_BYTES = 64
MAX_V = 0x110000  # no vocabulary has more characters than Unicode
BOMB_RATIO = 64  # unpacked bytes per byte of the file: stored .npz ~1, deflated floats ~1-2
SLACK = 1 << 20
READ_CHUNK = 1 << 20  # arrays are read a chunk at a time: Ctrl-C is handled between them

_EOCD = struct.Struct("<4s4H2LH")  # the zip's end of central directory record
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")


@dataclass
class _Member:
    """One .npy member of the zip, from its header (nothing of the array read yet)."""

    key: str
    info: zipfile.ZipInfo
    head: bytes  # magic, version, header length and header: the bytes before the data
    shape: tuple[int, ...]
    fortran: bool
    dtype: np.dtype

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a checkpoint file, each checked before it is read: only a regular
    file, only the members a checkpoint has, each of the shape and type the model (Wxh:
    hidden x vocabulary) needs and of the size its header declares, and no more unpacked
    bytes in all than the file could honestly hold. So a FIFO, a device, a zip bomb or a
    header declaring a huge array is refused before anything large is allocated."""
    shown = show_path(path)
    try:
        f = open_regular(path, "checkpoint file")
    except RefusedFile as e:
        raise CheckpointError(str(e)) from None
    try:
        with f:
            return _read_members(f, shown)
    except CheckpointError:
        raise
    except ValueError as e:
        if "pickle" in str(e):
            raise CheckpointError(f"{shown}: holds Python objects (pickles); refused") from None
        raise CheckpointError(f"{shown}: corrupt checkpoint: {os_error_reason(e)}") from None
    except Exception as e:  # BadZipFile, zlib.error, EOFError, OSError...
        raise CheckpointError(
            f"{shown}: corrupt or truncated checkpoint: {os_error_reason(e)}"
        ) from None


def _zip_directory(f, size: int) -> tuple[int, int] | None:
    """(members, bytes) of the zip's central directory as its end record declares them
    (zip64 too), or None if this is no zip file. zipfile would read that many bytes."""
    tail_len = min(size, _EOCD.size + 0xFFFF)
    if tail_len < _EOCD.size:
        return None
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        return None
    fields = _EOCD.unpack_from(tail, at)
    entries, cd_size, cd_offset = fields[4], fields[5], fields[6]
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        locator_at = size - tail_len + at - _EOCD64_LOCATOR.size
        if locator_at - _EOCD64.size >= 0:
            f.seek(locator_at - _EOCD64.size)
            raw = f.read(_EOCD64.size + _EOCD64_LOCATOR.size)
            if raw[-_EOCD64_LOCATOR.size :][:4] == b"PK\x06\x07" and raw[:4] == b"PK\x06\x06":
                rec = _EOCD64.unpack_from(raw)
                entries, cd_size = rec[7], rec[8]
    return entries, cd_size


def _read_exact(stream, n: int) -> bytes:
    data = stream.read(n)
    if len(data) != n:
        raise EOFError("unexpected end of a member")
    return data


def _header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, shown: str) -> _Member:
    """The member's .npy header, read without reading (or unpacking) its data."""
    if info.flag_bits & 0x1:
        raise CheckpointError(f"{shown}: member {key} is encrypted; refused")
    with zf.open(info) as stream:
        magic = _read_exact(stream, 8)
        version = npformat.read_magic(io.BytesIO(magic))
        if version not in ((1, 0), (2, 0)):
            raise CheckpointError(f"{shown}: member {key} is .npy version {version}; refused")
        size_bytes = _read_exact(stream, 2 if version == (1, 0) else 4)
        length = int.from_bytes(size_bytes, "little")
        if length > MAX_HEADER:
            raise CheckpointError(
                f"{shown}: member {key} has a {length:,}-byte array header; corrupt"
            )
        header = _read_exact(stream, length)
    read = npformat.read_array_header_1_0 if version == (1, 0) else npformat.read_array_header_2_0
    shape, fortran, dtype = read(io.BytesIO(size_bytes + header), max_header_size=MAX_HEADER)
    if any(d < 0 for d in shape):
        raise CheckpointError(f"{shown}: member {key} declares the shape {shape}; corrupt")
    if dtype.hasobject:
        raise CheckpointError(f"{shown}: holds Python objects (pickles); refused")
    return _Member(key, info, magic + size_bytes + header, tuple(shape), fortran, dtype)


def _check_declared(shown: str, members: dict[str, _Member]) -> None:
    """Each member's declared shape and type against what the model needs (Wxh decides
    H and V), and its declared unpacked size against its header: before any data is read."""
    W = members["Wxh"]
    if len(W.shape) != 2 or 0 in W.shape:
        raise CheckpointError(f"{shown}: Wxh has shape {W.shape}, expected (hidden, vocab)")
    H, V = W.shape
    max_h = int(SPECS["hidden_size"].high)
    if H > max_h:
        raise CheckpointError(f"{shown}: Wxh has {H:,} rows: the hidden size is at most {max_h}")
    if V > MAX_V:
        raise CheckpointError(f"{shown}: Wxh has {V:,} columns, more than there are characters")
    shapes = {k: [s] for k, s in param_shapes(V, H).items()}
    shapes["bh"].append((H, 1))
    shapes["by"].append((V, 1))
    max_b = int(SPECS["batch_size"].high)
    expected = 0  # bytes of the model's arrays in float64, Adagrad memory included
    for k, m in members.items():
        name = k[1:] if k in MEM_NAMES else k
        if name in shapes:
            if m.shape not in shapes[name]:
                want = " or ".join(str(s) for s in shapes[name])
                raise CheckpointError(f"{shown}: {k} has shape {m.shape}, expected {want}")
            if m.dtype.kind != "f":
                raise CheckpointError(f"{shown}: {k} has dtype {m.dtype}, expected floating point")
            expected += 8 * math.prod(shapes[name][0])
        elif k == "hprev":
            B = m.shape[0] if len(m.shape) == 2 and m.shape[1] == H else 0
            if m.shape not in ((H,), (H, 1)) and not 1 <= B <= max_b:
                raise CheckpointError(f"{shown}: hprev has shape {m.shape}, expected (batch, {H})")
            if m.dtype.kind != "f":
                raise CheckpointError(
                    f"{shown}: hprev has dtype {m.dtype}, expected floating point"
                )
            expected += 8 * math.prod(m.shape)
        elif k == "chars":
            if m.nbytes > 16 * V + 1024:  # V characters: 4 bytes each as <U1
                raise CheckpointError(
                    f"{shown}: chars declares {m.nbytes:,} bytes, far more than the {V:,}"
                    " characters of Wxh's columns need"
                )
            expected += 4 * V
        elif k in SCALARS and m.nbytes > MAX_SCALAR_BYTES:
            raise CheckpointError(f"{shown}: {k} is not a single number ({m.shape} {m.dtype})")
        elif k in TEXTS and m.nbytes > MAX_TEXT_BYTES:
            raise CheckpointError(f"{shown}: {k} declares {m.nbytes:,} bytes; refused")
    for k, m in members.items():
        need = len(m.head) + m.nbytes
        if m.info.file_size != need:
            raise CheckpointError(
                f"{shown}: member {k} unpacks to {m.info.file_size:,} bytes, its header"
                f" declares {need:,}; corrupt"
            )
    declared = sum(m.info.file_size for m in members.values())
    if declared > 4 * expected + SLACK:
        raise CheckpointError(
            f"{shown}: declares {declared:,} bytes of arrays, far more than a model of"
            f" hidden size {H} and {V} characters needs; refused"
        )


def _read_array(zf: zipfile.ZipFile, m: _Member, shown: str) -> np.ndarray:
    """The member's data, a chunk at a time into an array of its declared shape."""
    with zf.open(m.info) as stream:
        if _read_exact(stream, len(m.head)) != m.head:
            raise CheckpointError(f"{shown}: member {m.key} changed while it was read")
        flat = np.empty(math.prod(m.shape), dtype=m.dtype)
        buf = flat.view(np.uint8) if m.nbytes else np.empty(0, np.uint8)
        pos = 0
        while pos < m.nbytes:
            chunk = stream.read(min(READ_CHUNK, m.nbytes - pos))
            if not chunk:
                raise EOFError(f"member {m.key} ends early")
            buf[pos : pos + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
            pos += len(chunk)
        if stream.read(1):  # also where zipfile checks the CRC
            raise CheckpointError(f"{shown}: member {m.key} is longer than its header says")
    if m.fortran:
        return flat.reshape(m.shape[::-1]).transpose()
    return flat.reshape(m.shape)


def _read_members(f, shown: str) -> dict[str, np.ndarray]:
    size = os.fstat(f.fileno()).st_size
    directory = _zip_directory(f, size)
    if directory is None:
        raise CheckpointError(f"{shown}: not a checkpoint (.npz) file, or it is truncated")
    entries, cd_size = directory
    if entries > MAX_MEMBERS or cd_size > MAX_DIRECTORY:
        raise CheckpointError(
            f"{shown}: not a checkpoint: its zip directory lists {entries:,}"
            f" member{'' if entries == 1 else 's'} in {cd_size:,} bytes; refused"
        )
    f.seek(0)
    with zipfile.ZipFile(f) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise CheckpointError(f"{shown}: not a checkpoint: {len(infos):,} members; refused")
        keys: dict[str, zipfile.ZipInfo] = {}
        unknown = []
        for info in infos:
            name = info.filename
            key = name[: -len(".npy")] if name.endswith(".npy") else name
            if key in keys:
                raise CheckpointError(f"{shown}: member {printable(name)} appears twice; refused")
            keys[key] = info
            if key not in MEMBERS:
                unknown.append(printable(name))
        members = {k: _header(zf, info, k, shown) for k, info in keys.items() if k in MEMBERS}
        missing = [k for k in (*PARAM_NAMES, "chars") if k not in members]
        if missing:
            raise CheckpointError(
                f"{shown}: not a char-rnn checkpoint, missing {', '.join(missing)}"
            )
        if unknown:
            more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
            raise CheckpointError(
                f"{shown}: unknown member {unknown[0]}{more}: not part of a checkpoint; refused"
            )
        declared = sum(info.file_size for info in infos)
        if declared > BOMB_RATIO * size + SLACK:
            raise CheckpointError(
                f"{shown}: its members would unpack to {declared:,} bytes from a {size:,}-byte"
                " file (a zip bomb?); refused"
            )
        _check_declared(shown, members)
        return {k: _read_array(zf, m, shown) for k, m in members.items()}


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
    except (ValueError, TypeError, RecursionError):
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
    shown = show_path(path)  # the real path is kept in the Checkpoint
    missing = [k for k in (*PARAM_NAMES, "chars") if k not in data]
    if missing:
        raise CheckpointError(f"{shown}: not a char-rnn checkpoint, missing {', '.join(missing)}")
    fmt = _scalar(shown, data, "format", int, FORMAT_VERSION)
    if fmt > FORMAT_VERSION:
        raise CheckpointError(f"{shown}: format {fmt} is newer than this program ({__version__})")
    Wxh = data["Wxh"]
    if Wxh.ndim != 2 or 0 in Wxh.shape:
        raise CheckpointError(f"{shown}: Wxh has shape {Wxh.shape}, expected (hidden, vocab)")
    H, V = Wxh.shape
    shapes = {k: [s] for k, s in param_shapes(V, H).items()}
    shapes["bh"].append((H, 1))
    shapes["by"].append((V, 1))
    arrays = {k: _check_float(shown, k, data[k], shapes[k]) for k in PARAM_NAMES}
    chars = _chars(shown, data["chars"])
    if len(chars) != V:
        raise CheckpointError(f"{shown}: chars has {len(chars)} characters, Wxh has {V} columns")
    mem = None
    present = [k for k in MEM_NAMES if k in data]
    if present:
        if len(present) != len(MEM_NAMES):
            lost = sorted(set(MEM_NAMES) - set(present))
            raise CheckpointError(f"{shown}: incomplete Adagrad memory, missing {', '.join(lost)}")
        mem = {k[1:]: _check_float(shown, k, data[k], shapes[k[1:]]) for k in MEM_NAMES}
    hprev = None
    if "hprev" in data:
        h = data["hprev"]
        if h.shape in ((H,), (H, 1)):
            h = h.reshape(1, H)
        hprev = _check_float(shown, "hprev", h, [(h.shape[0] if h.ndim == 2 else 1, H)])
        if hprev.shape[0] < 1:
            raise CheckpointError(f"{shown}: hprev is empty")
    n = _scalar(shown, data, "n", int, 0)
    p = _scalar(shown, data, "p", int, 0)
    if n < 0 or p < 0:
        raise CheckpointError(f"{shown}: n and p must not be negative")
    smooth = _scalar(shown, data, "smooth_loss", float, None)
    if smooth is not None and not np.isfinite(smooth):
        raise CheckpointError(f"{shown}: smooth_loss is not finite")
    hp = None
    raw_hp = _json(shown, data, "hparams")
    if raw_hp is not None:
        try:
            hp = Hyperparams.from_dict(dict(raw_hp))
        except (ValueError, TypeError) as e:
            raise CheckpointError(f"{shown}: bad hyperparameters: {os_error_reason(e)}") from None
    rng_state = _json(shown, data, "rng")
    if rng_state is not None and not isinstance(rng_state, dict):
        raise CheckpointError(f"{shown}: rng is not a generator state")
    split = isinstance(raw_hp, dict) and "val_fraction" in raw_hp
    return Checkpoint(arrays, mem, hprev, chars, n, p, smooth, hp, rng_state, path, split)


def session_from_checkpoint(
    ckpt: Checkpoint, corpus: Corpus, hp_overrides: dict[str, Any] | None = None
) -> Session:
    """A Session that continues the checkpoint on `corpus` (loaded with chars=ckpt.chars)."""
    where = show_path(ckpt.path) if ckpt.path else "checkpoint"
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
    if ckpt.whole_text:  # continue as it learnt, from the whole text: bit for bit
        hp = hp.with_(val_fraction=0)
    try:
        hp = hp.with_(hidden_size=params.H, dtype=params.dtype.name)
        hp = hp.with_(**overrides)
    except ValueError as e:
        raise CheckpointError(f"{where}: {os_error_reason(e)}") from None
    mem = Params.from_arrays(ckpt.mem, dtype=params.dtype) if ckpt.mem is not None else None
    hprev, p = ckpt.hprev, ckpt.p
    if hprev is not None and hprev.shape[0] != hp.batch_size:
        hprev, p = None, 0  # a different batch size: streams restart at their segment starts
    if ckpt.rng_state is not None:
        rng = np.random.default_rng()
        try:
            rng.bit_generator.state = ckpt.rng_state
        except (ValueError, TypeError, KeyError, OverflowError) as e:
            reason = os_error_reason(e)
            raise CheckpointError(f"{where}: cannot restore the random state: {reason}") from None
    else:
        rng = np.random.default_rng(hp.seed)
    return Session(corpus, hp, params, mem, hprev, ckpt.n, p, ckpt.smooth_loss, rng)

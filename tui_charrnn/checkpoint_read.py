"""Reading a checkpoint's .npz without trusting it: every size the file declares is
checked before anything is allocated.

No UI library here. Only the members a checkpoint has are read (an unknown one is
refused); the zip directory, each member's declared size and each array's .npy header
(shape, dtype) are checked against the network the file describes before its data is
read, a chunk at a time, so a zip bomb, a forged shape or a file that is not regular costs
nothing but a one-line CheckpointError. The network: the cell and the layer count from
the small `hparams` member (read first; without it, the seed's 1-layer rnn), H and V from
the first layer's input matrix (Wxh (H, V) for the rnn, Wx (GATES * H, V) for gated cells).
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib import format as npformat

from .files import CheckpointError, os_error_reason
from .hparams import SPECS, validate
from .models.params import Net
from .safefile import RefusedFile, open_regular, printable, show_path

MEMORY_PREFIXES = ("m", "v")  # optimiser memories: "m" + array name (Adam also "v" + name)
SCALARS = ("n", "p", "smooth_loss", "format", "opt_steps", "epoch")
TEXTS = ("hparams", "rng")  # JSON, as 0-d unicode arrays
OTHER_MEMBERS = frozenset((*SCALARS, *TEXTS, "hprev", "chars"))
MAX_MEMBERS = 64  # a 3-layer GRU trained with Adam has 52
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


def read_npz(path: Path) -> tuple[Net, dict[str, np.ndarray]]:
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


def stored_shapes(net: Net) -> dict[str, list[tuple[int, ...]]]:
    """The shapes each array may have in a file: its own, and (n, 1) for a bias (n,),
    as the original script stores its biases."""
    return {k: [s, (s[0], 1)] if len(s) == 1 else [s] for k, s in net.shapes().items()}


def member_names(net: Net) -> frozenset[str]:
    """Every member a checkpoint of this network may hold."""
    names = net.shapes()
    memories = {prefix + name for prefix in MEMORY_PREFIXES for name in names}
    return frozenset(names) | memories | OTHER_MEMBERS


def _kind_and_layers(zf: zipfile.ZipFile, keys, shown: str) -> tuple[str, int]:
    """The cell and layer count the file's hparams name (a size-checked read of one small
    member); the seed's rnn with one layer when it has none or names neither."""
    info = keys.get("hparams")
    if info is None:
        return "rnn", 1
    m = _header(zf, info, "hparams", shown)
    if m.nbytes > MAX_TEXT_BYTES:
        raise CheckpointError(f"{shown}: hparams declares {m.nbytes:,} bytes; refused")
    if m.dtype.kind != "U" or m.shape != ():
        raise CheckpointError(f"{shown}: hparams is not valid JSON")
    if info.file_size != len(m.head) + m.nbytes:
        raise CheckpointError(f"{shown}: member hparams is not the size its header declares")
    try:
        raw = json.loads(str(_read_array(zf, m, shown).item()))
    except (ValueError, RecursionError):
        raise CheckpointError(f"{shown}: hparams is not valid JSON") from None
    if not isinstance(raw, dict):
        raise CheckpointError(f"{shown}: bad hyperparameters: not a JSON object")
    try:
        return validate("model", raw.get("model", "rnn")), validate("layers", raw.get("layers", 1))
    except (ValueError, TypeError) as e:
        raise CheckpointError(f"{shown}: bad hyperparameters: {os_error_reason(e)}") from None


def _network(shown: str, kind: str, layers: int, members: dict[str, _Member]) -> Net:
    """H and V from the first layer's input matrix's declared shape."""
    cell = Net(1, 1, kind).cell
    W = members[cell.WX]
    if len(W.shape) != 2 or 0 in W.shape or W.shape[0] % cell.GATES:
        want = "(hidden, vocab)" if cell.GATES == 1 else f"({cell.GATES} x hidden, vocab)"
        raise CheckpointError(f"{shown}: {cell.WX} has shape {W.shape}, expected {want}")
    H, V = W.shape[0] // cell.GATES, W.shape[1]
    max_h = int(SPECS["hidden_size"].high)
    if H > max_h:
        raise CheckpointError(
            f"{shown}: {cell.WX} has {W.shape[0]:,} rows: the hidden size is at most {max_h}"
        )
    if V > MAX_V:
        raise CheckpointError(
            f"{shown}: {cell.WX} has {V:,} columns, more than there are characters"
        )
    return Net(V, H, kind, layers)


def _check_declared(shown: str, members: dict[str, _Member], net: Net) -> None:
    """Each member's declared shape and type against what the network needs, and its
    declared unpacked size against its header: before any data is read."""
    H, V, S = net.H, net.V, net.state_size
    shapes = stored_shapes(net)
    max_b = int(SPECS["batch_size"].high)
    expected = 0  # bytes of the network's arrays in float64, optimiser memories included
    for k, m in members.items():
        name = k[1:] if k[:1] in MEMORY_PREFIXES and k[1:] in shapes else k
        if name in shapes:
            if m.shape not in shapes[name]:
                want = " or ".join(str(s) for s in shapes[name])
                raise CheckpointError(f"{shown}: {k} has shape {m.shape}, expected {want}")
            if m.dtype.kind != "f":
                raise CheckpointError(f"{shown}: {k} has dtype {m.dtype}, expected floating point")
            expected += 8 * math.prod(shapes[name][0])
        elif k == "hprev":
            B = m.shape[0] if len(m.shape) == 2 and m.shape[1] == S else 0
            if m.shape not in ((S,), (S, 1)) and not 1 <= B <= max_b:
                raise CheckpointError(f"{shown}: hprev has shape {m.shape}, expected (batch, {S})")
            if m.dtype.kind != "f":
                raise CheckpointError(
                    f"{shown}: hprev has dtype {m.dtype}, expected floating point"
                )
            expected += 8 * math.prod(m.shape)
        elif k == "chars":
            if m.nbytes > 16 * V + 1024:  # V characters: 4 bytes each as <U1
                raise CheckpointError(
                    f"{shown}: chars declares {m.nbytes:,} bytes, far more than the {V:,}"
                    " characters of the input matrix's columns need"
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
            f"{shown}: declares {declared:,} bytes of arrays, far more than a network of"
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


def _read_members(f, shown: str) -> tuple[Net, dict[str, np.ndarray]]:
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
        for info in infos:
            name = info.filename
            key = name[: -len(".npy")] if name.endswith(".npy") else name
            if key in keys:
                raise CheckpointError(f"{shown}: member {printable(name)} appears twice; refused")
            keys[key] = info
        kind, layers = _kind_and_layers(zf, keys, shown)
        names = Net(1, 1, kind, layers).shapes()  # the names; V and H do not change them
        allowed = member_names(Net(1, 1, kind, layers))
        unknown = [printable(info.filename) for k, info in keys.items() if k not in allowed]
        members = {k: _header(zf, info, k, shown) for k, info in keys.items() if k in allowed}
        missing = [k for k in (*names, "chars") if k not in members]
        if missing:
            what = (
                "a char-rnn checkpoint"
                if (kind, layers) == ("rnn", 1)
                else (f"a {layers}-layer {kind} checkpoint")
            )
            raise CheckpointError(f"{shown}: not {what}, missing {', '.join(missing)}")
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
        net = _network(shown, kind, layers, members)
        _check_declared(shown, members, net)
        return net, {k: _read_array(zf, m, shown) for k, m in members.items()}

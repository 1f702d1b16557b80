"""Load a text corpus, validate it, and encode it once into a compact integer array.

The vocabulary is the sorted set of characters (the seed's `list(set(data))` has an
arbitrary order), unless a vocabulary is given, e.g. by a checkpoint made by the original
script, in which case its order is kept.

Large files are read in chunks twice: once to validate, count and find the vocabulary,
once to encode into a preallocated array of the smallest integer type that fits. Peak
memory is then the encoded array plus one chunk, never a Python list of characters or a
whole decoded string. Invalid UTF-8 is refused (the message says where) rather than
guessed at: a corpus silently changed by replacement characters teaches the wrong thing.

Only regular files are read (safefile.open_regular): a FIFO or a device is refused at once,
never waited on. A corpus's name is printable text even when its file name is not UTF-8;
its path stays the real one, so the file can be found again.
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .safefile import RefusedFile, open_regular, printable, show_path

CHUNK_BYTES = 8 << 20


class CorpusError(Exception):
    """A corpus that cannot be used; the message is one line meant for the user."""


@dataclass(eq=False)
class Corpus:
    name: str
    chars: list[str]  # the vocabulary, in index order
    data: np.ndarray  # (N,) indices into chars
    path: Path | None = None
    sha256: str = ""
    char_to_ix: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.name = printable(self.name)  # written to settings, samples.txt, the screen
        self.char_to_ix = {ch: i for i, ch in enumerate(self.chars)}

    @property
    def V(self) -> int:
        return len(self.chars)

    @property
    def N(self) -> int:
        return len(self.data)

    @classmethod
    def from_text(cls, text: str, name: str = "text", chars: Sequence[str] | None = None):
        if not text:
            raise CorpusError(f"{name}: the text is empty")
        if "\x00" in text:
            raise CorpusError(f"{name}: the text contains NUL characters (binary data?)")
        vocab = list(chars) if chars is not None else sorted(set(text))
        codes = _codepoints(text)
        data = _encode_codes(codes, _vocab_codes(vocab), name)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return cls(name=name, chars=vocab, data=data, sha256=digest)

    def encode(self, text: str) -> np.ndarray:
        """Indices of text's characters; unknown characters are a CorpusError."""
        unknown = sorted(set(text) - self.char_to_ix.keys())
        if unknown:
            shown = ", ".join(repr(c) for c in unknown[:10])
            raise CorpusError(f"not in the vocabulary of {self.name}: {shown}")
        return np.fromiter((self.char_to_ix[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, ixs) -> str:
        chars = self.chars
        return "".join(chars[i] for i in ixs)

    def text(self, start: int = 0, stop: int | None = None) -> str:
        return self.decode(self.data[start:stop])

    def require_length(self, seq_length: int, batch_size: int = 1, val_fraction: float = 0) -> None:
        """Each of the batch_size streams needs at least seq_length + 1 characters of the
        training part (what is left once the last val_fraction is held out)."""
        need = (seq_length + 1) * batch_size
        train = split_point(self.N, val_fraction)
        if train < need:
            per = f" ({batch_size} streams x {seq_length + 1})" if batch_size > 1 else ""
            held = ""
            if train < self.N:
                held = f", {train:,} once val_fraction {val_fraction:g} is held out,"
            raise CorpusError(
                f"{self.name}: too short: {self.N:,} characters{held}, need at least"
                f" {need:,}{per} for this sequence length"
            )


def split_point(N: int, val_fraction: float) -> int:
    """Training reads data[:cut], validation is the tail data[cut:]: the last
    round(N * val_fraction) characters (none at val_fraction 0)."""
    return N - round(N * val_fraction)


def train_val_split(N: int, val_fraction: float = 0.1) -> tuple[slice, slice]:
    """(train, val) slices of range(N): the last round(N * val_fraction) characters are
    held out; val_fraction 0 gives an empty validation slice."""
    if not 0 <= val_fraction < 1:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    cut = split_point(N, val_fraction)
    return slice(0, cut), slice(cut, N)


def load(path: str | Path, name: str | None = None, chars: Sequence[str] | None = None) -> Corpus:
    """Read a UTF-8 text file into a Corpus, with a one-line CorpusError for bad files.
    Anything but a regular file (a FIFO, /dev/zero, ...) is refused before it is read."""
    path = Path(path).expanduser()
    shown = show_path(path)
    name = printable(name or path.name)
    try:
        f = open_regular(path, "text file")
    except RefusedFile as e:
        raise CorpusError(str(e)) from None
    try:
        with f:
            size = os.fstat(f.fileno()).st_size
            if size == 0 and not f.read(1):
                raise CorpusError(f"{shown}: the file is empty")
            n_chars, present, digest = _scan(f, shown)
            vocab = list(chars) if chars is not None else [chr(c) for c in present]
            f.seek(0)
            data = np.empty(n_chars, dtype=_index_dtype(len(vocab)))
            table = _vocab_codes(vocab)
            pos = 0
            for codes in _decoded_chunks(f, shown):
                if pos + len(codes) > n_chars:
                    raise CorpusError(f"{shown}: the file changed while it was read")
                data[pos : pos + len(codes)] = _encode_codes(codes, table, name)
                pos += len(codes)
    except OSError as e:
        raise CorpusError(f"{shown}: cannot read: {e.strerror or e}") from None
    if n_chars == 0:
        raise CorpusError(f"{shown}: the file is empty")
    if pos != n_chars:
        raise CorpusError(f"{shown}: the file changed while it was read")
    return Corpus(name=name, chars=vocab, data=data, path=path, sha256=digest)


def _scan(f, path: str) -> tuple[int, list[int], str]:
    """First pass: validate, count characters, collect the code points present, hash."""
    digest = hashlib.sha256()
    seen_bmp = np.zeros(0x10000, dtype=bool)
    seen_astral: set[int] = set()
    n_chars = 0
    for codes in _decoded_chunks(f, path, digest):
        n_chars += len(codes)
        bmp = codes < 0x10000
        if bmp.all():
            seen_bmp[codes] = True
        else:
            seen_bmp[codes[bmp]] = True
            seen_astral.update(np.unique(codes[~bmp]).tolist())
    present = np.flatnonzero(seen_bmp).tolist() + sorted(seen_astral)
    return n_chars, present, digest.hexdigest()


def _decoded_chunks(f, path: str, digest=None) -> Iterator[np.ndarray]:
    """Yield the file's code points chunk by chunk, refusing NUL bytes and invalid UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0  # bytes consumed before this chunk
    line = 1
    while True:
        chunk = f.read(CHUNK_BYTES)
        final = not chunk
        if digest is not None and chunk:
            digest.update(chunk)
        nul = chunk.find(b"\x00")
        if nul >= 0:
            raise CorpusError(
                f"{path}: looks like a binary file (NUL byte at offset {offset + nul:,}), not text"
            )
        raw = np.frombuffer(chunk, dtype=np.uint8)
        if raw.size and raw.max() < 0x80 and not decoder.getstate()[0]:
            codes = raw  # pure ASCII: bytes are the code points
        else:
            carried = decoder.getstate()[0]  # bytes of a character split across chunks
            pending = len(carried)
            try:
                text = decoder.decode(chunk, final=final)
            except UnicodeDecodeError as e:
                at = offset - pending + e.start
                line_at = line + chunk[: max(e.start - pending, 0)].count(b"\n")
                bad = (carried + chunk)[e.start : e.start + 1]
                raise CorpusError(
                    f"{path}: not valid UTF-8 (byte 0x{bad.hex() or '??'} at offset {at:,},"
                    f" line {line_at}); convert it to UTF-8 first,"
                    " e.g. iconv -f latin1 -t utf-8"
                ) from None
            codes = _codepoints(text)
        line += chunk.count(b"\n")
        offset += len(chunk)
        if codes.size:
            yield codes
        if final:
            return


def _codepoints(text: str) -> np.ndarray:
    if text.isascii():
        return np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _vocab_codes(vocab: Sequence[str]) -> np.ndarray:
    """A lookup table from code point to vocabulary index (-1 where absent)."""
    if len(set(vocab)) != len(vocab) or any(len(c) != 1 for c in vocab):
        raise CorpusError("the vocabulary must be distinct single characters")
    codes = np.array([ord(c) for c in vocab], dtype=np.int64)
    table = np.full(int(codes.max()) + 1, -1, dtype=np.int32)
    table[codes] = np.arange(len(vocab), dtype=np.int32)
    return table


def _encode_codes(codes: np.ndarray, table: np.ndarray, name: str) -> np.ndarray:
    V = int(table.max()) + 1
    # min() with the dtype's own maximum: an ASCII chunk (uint8) against a vocabulary beyond
    # code point 255 must not pass a too-large Python int to np.minimum (NumPy 2 overflow)
    top = min(len(table) - 1, int(np.iinfo(codes.dtype).max))
    ixs = table[np.minimum(codes, top)]
    missing = (ixs < 0) | (codes >= len(table))
    if missing.any():
        unknown = [chr(int(c)) for c in np.unique(codes[missing])[:10]]
        shown = ", ".join(repr(c) for c in unknown)
        raise CorpusError(f"{name}: has characters outside the vocabulary: {shown}")
    return ixs.astype(_index_dtype(V))


def _index_dtype(V: int):
    return np.uint8 if V <= 256 else np.uint16 if V <= 65536 else np.int32

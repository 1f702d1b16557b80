"""Catalogue of the training corpora: the bundled text files plus a corpus built on demand
from the installed Python standard library.

Stdlib only (no numpy / textual here): the CLI imports this before anything heavy.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .safefile import os_reason, printable, show_path

__all__ = [
    "DEFAULT_CORPUS",
    "CatalogError",
    "CorpusEntry",
    "build_stdlib_corpus",
    "cache_dir",
    "corpus_path",
    "entries",
    "resolve",
]


class CatalogError(Exception):
    """A corpus name or path that cannot be resolved (one-line, user-facing message)."""


@dataclass(frozen=True)
class CorpusEntry:
    name: str  # short id used on the command line, e.g. "fables", "stdlib"
    title: str  # human title, e.g. "Fables (prose)"
    description: str  # one line: what it is and what the RNN learns from it
    kind: str  # "bundled" | "stdlib"


DEFAULT_CORPUS = "fables"
STDLIB_CORPUS = "stdlib"

_BUNDLED: tuple[CorpusEntry, ...] = (
    CorpusEntry(
        "fables",
        "Fables (prose)",
        "Original short animal fables with CAPS titles and a Moral: line; "
        "the RNN learns English words, punctuation and the story layout.",
        "bundled",
    ),
    CorpusEntry(
        "toy_code",
        "Toy code (generated)",
        "Small Python-like functions; the RNN learns def lines, indentation, "
        "colons, docstrings and return statements.",
        "bundled",
    ),
    CorpusEntry(
        "arithmetic",
        "Arithmetic (generated)",
        "Lines like (3+(4*2))=11; the RNN learns balanced brackets and that "
        "'=' is followed by a number (the sums themselves are hard).",
        "bundled",
    ),
    CorpusEntry(
        "logs",
        "Server log (generated)",
        "A made-up server log; the RNN learns rising timestamps, log levels, "
        "field=value pairs and recurring messages.",
        "bundled",
    ),
)

_STDLIB_ENTRY = CorpusEntry(
    STDLIB_CORPUS,
    "Python stdlib (local)",
    "Python sources of this machine's standard library (~2 MB, built on first use); "
    "the classic 'RNN writes code' demo.",
    "stdlib",
)

# Directory names never descended into when building the stdlib corpus.
_SKIP_DIRS = frozenset(
    {
        "site-packages",
        "dist-packages",
        "__pycache__",
        "test",
        "tests",
        "idlelib",
        "lib2to3",
        "turtledemo",
        "ensurepip",
        "venv",
        "__phello__",
    }
)


def entries() -> list[CorpusEntry]:
    """All catalogue entries: bundled ones (default first), then the stdlib one."""
    bundled = sorted(_BUNDLED, key=lambda e: e.name != DEFAULT_CORPUS)
    return [*bundled, _STDLIB_ENTRY]


def _names() -> list[str]:
    return [e.name for e in entries()]


def cache_dir() -> Path:
    """$CHARRNN_CACHE, else $XDG_CACHE_HOME/charrnn-tui, else ~/.cache/charrnn-tui (created)."""
    env = os.environ.get("CHARRNN_CACHE")
    if env:
        path = Path(env).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
        path = base / "charrnn-tui"
    path.mkdir(parents=True, exist_ok=True)
    return path


_default_cache_dir = cache_dir  # corpus_path/resolve have a parameter of the same name


def _bundled_dir() -> Path:
    """Folder holding the bundled .txt files (installed package, or the source checkout)."""
    try:
        root = resources.files("tui_charrnn.corpora")
        if root.joinpath(f"{DEFAULT_CORPUS}.txt").is_file():
            return Path(str(root))
    except (ModuleNotFoundError, TypeError):
        pass
    # Running from a source checkout without an install: corpora/ sits next to the package.
    return Path(__file__).resolve().parent.parent / "corpora"


def _stdlib_cache_name() -> str:
    v = sys.version_info
    return f"stdlib-py{v.major}.{v.minor}.{v.micro}.txt"


def corpus_path(name: str, cache_dir: Path | None = None) -> Path:
    """Path of a catalogue corpus; "stdlib" is built into the cache on first use."""
    if name == STDLIB_CORPUS:
        folder = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
        path = folder / _stdlib_cache_name()
        if not path.is_file() or path.stat().st_size == 0:
            try:
                build_stdlib_corpus(path)
            except OSError as exc:
                raise CatalogError(f"could not build the stdlib corpus in {folder}: {exc}") from exc
        return path
    if name in {e.name for e in _BUNDLED}:
        path = _bundled_dir() / f"{name}.txt"
        if not path.is_file():
            raise CatalogError(f"bundled corpus {name!r} is missing ({path}); reinstall")
        return path
    raise CatalogError(f"no corpus named {name!r}; choose one of: {', '.join(_names())}")


def resolve(name_or_path: str | None, cache_dir: Path | None = None) -> tuple[str, Path]:
    """Map a CLI argument to (display_name, path): None -> default, a name -> its file,
    anything else -> an existing filesystem path (content is validated elsewhere). A path
    to a catalogue corpus's own file (a resumed run names its corpus by path) gets the
    catalogue's name, so "fables" never shows up as "fables.txt"."""
    if name_or_path is None or name_or_path == "":
        name_or_path = DEFAULT_CORPUS
    if name_or_path in _names():
        return name_or_path, corpus_path(name_or_path, cache_dir)
    path = Path(name_or_path).expanduser()
    shown = show_path(name_or_path)
    try:
        is_dir = path.is_dir()
    except (OSError, ValueError) as e:  # too long a path, a NUL in it, no permission...
        reason = os_reason(e, path) if isinstance(e, OSError) else "not a valid path"
        raise CatalogError(f"{shown}: {reason}") from None
    if is_dir:
        raise CatalogError(f"{shown} is a directory, not a text file")
    if not path.exists():
        raise CatalogError(
            f"no corpus named {shown!r} and no file {shown!r}; "
            f"choose one of: {', '.join(_names())} (or give a path to a text file)"
        )
    # the name is shown and written (settings, samples.txt): printable even when the
    # file's name is not UTF-8; the path stays the real one
    return _catalogue_name(path, cache_dir) or printable(path.name), path


def _catalogue_name(path: Path, cache_dir: Path | None = None) -> str | None:
    """The catalogue name of a corpus file (bundled, or the built stdlib one), else None."""
    try:
        real = path.resolve()
        if real.parent == _bundled_dir().resolve() and real.suffix == ".txt":
            name = real.stem
            return name if name in {e.name for e in _BUNDLED} else None
        if real.name == _stdlib_cache_name():
            folder = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
            return STDLIB_CORPUS if real.parent == folder.resolve() else None
    except OSError:
        pass
    return None


def _stdlib_sources(root: Path):
    """Yield (relative posix path, absolute path) of stdlib .py files in sorted order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in _SKIP_DIRS and not d.startswith((".", "config-", "plat-"))
        )
        for fn in sorted(filenames):
            if fn.endswith(".py"):
                full = Path(dirpath) / fn
                yield full.relative_to(root).as_posix(), full


def build_stdlib_corpus(dest: Path, max_bytes: int = 2_000_000) -> Path:
    """Concatenate the installed stdlib's .py files (sorted, each under a "# file: x.py" header)
    into dest, at most max_bytes of UTF-8; written atomically. Returns dest."""
    dest = Path(dest)
    root = Path(sysconfig.get_paths()["stdlib"])
    chunks: list[bytes] = []
    size = 0
    for rel, full in _stdlib_sources(root):
        try:
            data = full.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "\0" in text or not text.strip():
            continue
        text = text.replace("\r\n", "\n")
        if not text.endswith("\n"):
            text += "\n"
        piece = f"# file: {rel}\n{text}\n".encode()
        room = max_bytes - size
        if len(piece) > room:
            # Fill the remaining room with whole lines of this file, then stop.
            cut = piece.rfind(b"\n", 0, room)
            if cut > 0:
                chunks.append(piece[: cut + 1])
            break
        chunks.append(piece)
        size += len(piece)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.writelines(chunks)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return dest

"""Writing a run's files safely, and the one-line error for a file that cannot be written
or read.

No UI library here. atomic_write: a temporary file in the same folder is written, flushed
and fsynced, then renamed over the target (and the folder fsynced), so a crash or a full
disk mid-write leaves the previous file intact. Files get the mode the user's umask gives,
like the logs appended in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


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

"""A run folder's line logs (samples.jsonl, changes.jsonl, metrics.csv): appending, reading.

A crash can cut the last line of such a file short. Before appending, a missing final
newline is written, so the torn line stays on its own and readers skip just that line
instead of the torn line swallowing the first new one.
"""

from __future__ import annotations

import os
from pathlib import Path

from .safefile import open_regular

LOG_LIMIT = 1 << 30  # a log larger than this is not a log this program wrote


def append_lines(path: Path, text: str) -> None:
    """Append `text` (whole lines, each ending in a newline) to path.

    All or nothing: if the write fails part way (a full disk, a file-size limit), the file
    is cut back to its old length, so no torn line is left. The file is written unbuffered:
    a buffered file would try to write its buffer again on truncate and on close, fail the
    same way, and leave the torn part (seen under RLIMIT_FSIZE). OSError is the caller's
    to report."""
    data = text.encode("utf-8")
    with Path(path).open("a+b", buffering=0) as f:
        size = f.seek(0, os.SEEK_END)
        try:
            if size > 0:
                f.seek(size - 1)
                if f.read(1) != b"\n":
                    data = b"\n" + data
            view = memoryview(data)
            while view:  # a raw write may take only part: the rest, or the error, follows
                view = view[f.write(view) :]
        except OSError:
            os.ftruncate(f.fileno(), size)  # needs no space
            raise


def read_log(path: Path) -> str:
    """The log's text ("" if there is none); only a regular file is read (a FIFO or a
    device planted in a run folder is refused at once: RefusedFile, an OSError)."""
    try:
        f = open_regular(path, "log file")
    except OSError:
        if not Path(path).exists():
            return ""
        raise
    with f:
        return f.read(LOG_LIMIT).decode("utf-8", errors="replace")

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
    """Append `text` (whole lines, each ending in a newline) to path, flushed.

    All or nothing: if the write fails part way (a full disk), the file is cut back to
    its old length, so no torn line is left. OSError is the caller's to report."""
    with Path(path).open("a+b") as f:
        size = f.tell()
        try:
            if size > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    f.write(b"\n")
            f.write(text.encode("utf-8"))
            f.flush()
        except OSError:
            f.truncate(size)  # needs no space
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

"""Appending to a run folder's line logs (samples.jsonl, changes.jsonl, metrics.csv).

A crash can cut the last line of such a file short. Before appending, a missing final
newline is written, so the torn line stays on its own and readers skip just that line
instead of the torn line swallowing the first new one.
"""

from __future__ import annotations

import os
from pathlib import Path


def append_lines(path: Path, text: str) -> None:
    """Append `text` (whole lines, each ending in a newline) to path, flushed.

    OSError is the caller's to report."""
    with Path(path).open("a+b") as f:
        if f.tell() > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")
        f.write(text.encode("utf-8"))
        f.flush()

"""metrics.csv: one row every 10 iterations of a run (see storage.RunFolder).

No UI library here. Columns: iteration (0-based, as the seed prints it), smooth_loss,
loss (per sequence, the seed's numbers), learning_rate, elapsed_s (training time),
chars_per_s, val_loss (nats/char on the held-out slice; empty on rows where validation
was not evaluated). Files written before val_loss existed have six columns and are
still read, so older run folders resume.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NamedTuple

from .logfile import append_lines, read_log

METRICS_HEADER = (
    "iteration", "smooth_loss", "loss", "learning_rate", "elapsed_s", "chars_per_s", "val_loss"
)  # fmt: skip
OLD_COLUMNS = 6  # the columns before val_loss
METRICS_EVERY = 10  # iterations between rows (app and headless alike)


class MetricRow(NamedTuple):
    iteration: int
    smooth_loss: float
    loss: float
    learning_rate: float
    elapsed_s: float
    chars_per_s: float
    val_loss: float | None = None  # nats/char, on the rows where validation was evaluated


def append_rows(path: Path, rows: list[tuple]) -> None:
    """Append rows (the header first in a new file); OSError is the caller's to report."""
    new = not path.exists() or path.stat().st_size == 0
    append_lines(path, rows_text(rows, header=new))


def rows_text(rows: list[tuple], header: bool) -> str:
    """CSV lines of rows, the header first if asked."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    if header:
        w.writerow(METRICS_HEADER)
    w.writerows(_full_row(row) for row in rows)
    return out.getvalue()


def _full_row(row: tuple) -> tuple:
    """Every column; None (no validation at that row) and missing columns as ""."""
    row = tuple("" if x is None else x for x in row)
    return row + ("",) * (len(METRICS_HEADER) - len(row))


def read_rows(path: Path, upto: int | None = None) -> list[MetricRow]:
    """Rows (iteration < upto if given); the header and bad rows are skipped."""
    try:
        text = read_log(path)
    except OSError:
        return []
    out = []
    for row in csv.reader(text.splitlines()):
        if len(row) not in (OLD_COLUMNS, len(METRICS_HEADER)):
            continue
        try:
            val = float(row[OLD_COLUMNS]) if len(row) > OLD_COLUMNS and row[OLD_COLUMNS] else None
            m = MetricRow(int(row[0]), *(float(x) for x in row[1:OLD_COLUMNS]), val)
        except ValueError:
            continue
        if upto is None or m.iteration < upto:
            out.append(m)
    return out

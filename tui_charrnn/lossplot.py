"""Loss curves of run folders: as SVG pictures (svgplot.py; `train --plot` writes the
run's loss.svg, `runs --plot FILE` compares several runs), and the held-out curve that
the app's compare screen draws.

No UI library here. Both curves are in nats per character: the smoothed training loss
(metrics.csv's smooth_loss, a per-sequence sum, divided by the sequence length in force
at that row; changes.jsonl says when it changed) and the held-out loss (val_loss).
Against the iteration, or against the characters trained (iterations × seq_length ×
batch_size): runs with different batch sizes or sequence lengths compare only per
character.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .changes import SettingChange, read_changes
from .files import atomic_write
from .run_folder import RunFolder
from .svgplot import PALETTE, Series, line_chart

FILE_NAME = "loss.svg"
X_LABELS = {"iteration": "iteration", "chars": "characters trained"}
YLABEL = "loss (nats per character)"


class SeqLengths:
    """The sequence length in force at each iteration of a run, from its live changes
    (iteration: iterations trained when it took effect), and so the characters trained."""

    def __init__(self, default: int, changes: Iterable[SettingChange]) -> None:
        steps = sorted((c for c in changes if c.name == "seq_length"), key=lambda c: c.iteration)
        self.first = _length(steps[0].old, default) if steps else default
        self.steps = [(c.iteration, _length(c.new, default)) for c in steps]

    @classmethod
    def of_folder(cls, folder: RunFolder, default: int) -> SeqLengths:
        return cls(default, read_changes(folder.path))

    def at(self, iteration: int) -> int:
        T = self.first
        for start, new in self.steps:
            if start <= iteration:
                T = new
        return T

    def chars(self, trained: int, batch_size: int) -> int:
        """Characters trained by the first `trained` iterations, with batch_size streams."""
        total, start, T = 0, 0, self.first
        for at, new in self.steps:
            if at >= trained:
                break
            total += (at - start) * T
            start, T = at, new
        return batch_size * (total + (trained - start) * T)


def _length(value: object, default: int) -> int:
    try:
        return max(1, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


def _hparam(folder: RunFolder, name: str, default: int) -> int:
    """A whole-number setting from settings.json, or the default."""
    settings = folder.read_settings() or {}
    hp = settings.get("hparams") if isinstance(settings.get("hparams"), dict) else {}
    value = hp.get(name, default)
    return value if isinstance(value, int) and value > 0 else default


def along(
    points: Sequence[tuple[int, float]], x: str, seq: SeqLengths, batch_size: int
) -> list[tuple[float, float]]:
    """(iterations trained, y) points against x: "iteration" or "chars" (trained)."""
    if x == "iteration":
        return [(n, y) for n, y in points]
    return [(seq.chars(n, batch_size), y) for n, y in points]


@dataclass(frozen=True)
class HeldOut:
    """A run's held-out loss curve, as the compare screen draws it."""

    label: str
    points: Sequence[tuple[int, float]]  # (iterations trained, val nats/char), oldest first
    seq: SeqLengths
    batch_size: int

    def along(self, x: str) -> list[tuple[float, float]]:
        """The points against x: "iteration" or "chars" (characters trained)."""
        return along(self.points, x, self.seq, self.batch_size)


def held_out(folder: RunFolder, label: str) -> HeldOut:
    """A run folder's held-out curve (metrics.csv's val_loss)."""
    seq = SeqLengths.of_folder(folder, _hparam(folder, "seq_length", 25))
    rows = folder.read_metrics()
    # a row's iteration is 0-based (as the seed prints it): iteration + 1 were trained
    points = [(m.iteration + 1, m.val_loss) for m in rows if m.val_loss is not None]
    return HeldOut(label, points, seq, _hparam(folder, "batch_size", 1))


def run_series(folder: RunFolder, label: str, color: str, x: str = "iteration") -> list[Series]:
    """The training and held-out curves of one run folder (either may be empty)."""
    seq = SeqLengths.of_folder(folder, _hparam(folder, "seq_length", 25))
    B = _hparam(folder, "batch_size", 1)
    rows = folder.read_metrics()
    train = along([(m.iteration + 1, m.smooth_loss / seq.at(m.iteration)) for m in rows], x, seq, B)
    held = along([(m.iteration + 1, m.val_loss) for m in rows if m.val_loss is not None], x, seq, B)
    series = [
        Series(f"{label} training (smoothed)", [p[0] for p in train], [p[1] for p in train], color),
        Series(
            f"{label} held-out",
            [p[0] for p in held],
            [p[1] for p in held],
            color,
            dashed=True,
            dots=True,
        ),
    ]
    return [s for s in series if s.xs]


def runs_svg(runs: Sequence[tuple[RunFolder, str]], title: str, x: str = "iteration") -> str:
    """The curves of several runs, (folder, label) each, one colour a run."""
    series = []
    for i, (folder, label) in enumerate(runs):
        series += run_series(folder, label, PALETTE[i % len(PALETTE)], x)
    return line_chart(series, title, X_LABELS[x], YLABEL)


def write_svg(path: Path, svg: str) -> None:
    """Atomically, like every file this program writes; OSError or CheckpointError."""
    data = svg.encode("utf-8")
    atomic_write(Path(path), lambda f: f.write(data), "plot")


def write_run_plot(folder: RunFolder) -> Path:
    """loss.svg in the run folder: its loss curves."""
    path = folder.path / FILE_NAME
    write_svg(path, runs_svg([(folder, folder.path.name)], f"{folder.path.name}: loss"))
    return path

"""Loss curves of run folders as SVG pictures (svgplot.py): `train --plot` writes the
run's loss.svg, `runs --plot FILE` compares several runs.

No UI library here. Both curves are in nats per character: the smoothed training loss
(metrics.csv's smooth_loss, a per-sequence sum, divided by the sequence length in force
at that row; changes.jsonl says when it changed) and the held-out loss (val_loss).
"""

from __future__ import annotations

from pathlib import Path

from .changes import read_changes
from .files import atomic_write
from .run_folder import RunFolder
from .svgplot import PALETTE, Series, line_chart

FILE_NAME = "loss.svg"
XLABEL = "iteration"
YLABEL = "loss (nats per character)"


def seq_length_at(folder: RunFolder, default: int):
    """A function iteration -> the sequence length in force then."""
    steps = [c for c in read_changes(folder.path) if c.name == "seq_length"]
    steps.sort(key=lambda c: c.iteration)
    first = steps[0].old if steps else default

    def at(iteration: int) -> int:
        T = first
        for c in steps:
            if c.iteration <= iteration:
                T = c.new
        try:
            return max(1, int(T))
        except (TypeError, ValueError):
            return default

    return at


def run_series(folder: RunFolder, label: str, color: str) -> list[Series]:
    """The training and held-out curves of one run folder (either may be empty)."""
    settings = folder.read_settings() or {}
    hp = settings.get("hparams") if isinstance(settings.get("hparams"), dict) else {}
    default_T = hp.get("seq_length", 25)
    default_T = default_T if isinstance(default_T, int) and default_T > 0 else 25
    T = seq_length_at(folder, default_T)
    rows = folder.read_metrics()
    train = Series(
        f"{label} training (smoothed)",
        [m.iteration for m in rows],
        [m.smooth_loss / T(m.iteration) for m in rows],
        color,
    )
    held = [m for m in rows if m.val_loss is not None]
    val = Series(
        f"{label} held-out",
        [m.iteration for m in held],
        [m.val_loss for m in held],
        color,
        dashed=True,
        dots=True,
    )
    return [s for s in (train, val) if s.xs]


def runs_svg(folders: list[RunFolder], title: str) -> str:
    series = []
    for i, folder in enumerate(folders):
        series += run_series(folder, folder.path.name, PALETTE[i % len(PALETTE)])
    return line_chart(series, title, XLABEL, YLABEL)


def write_svg(path: Path, svg: str) -> None:
    """Atomically, like every file this program writes; OSError or CheckpointError."""
    data = svg.encode("utf-8")
    atomic_write(Path(path), lambda f: f.write(data), "plot")


def write_run_plot(folder: RunFolder) -> Path:
    """loss.svg in the run folder: its loss curves."""
    path = folder.path / FILE_NAME
    write_svg(path, runs_svg([folder], f"{folder.path.name}: loss"))
    return path

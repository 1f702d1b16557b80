"""`charrnn-tui runs`: the run folders under --runs-dir as a table, newest first, and
with --plot FILE their loss curves on one SVG picture (lossplot.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..exits import EXIT_FAILED, EXIT_OK, error
from ..files import CheckpointError
from ..labels import distinct, net_label, run_label
from ..lossplot import runs_svg, write_svg
from ..run_folder import RunFolder
from ..safefile import show_path
from ..storage import RunInfo, list_runs
from .common import int_between, parser

PLOT_MAX = 10  # runs on one picture: more lines than colours cannot be told apart


def build_parser():
    p = parser(
        "runs",
        "List the runs in a folder: corpus, model, iterations, held-out loss, when saved.",
    )
    p.add_argument(
        "--runs-dir", metavar="DIR", default="runs", help="where the run folders are (./runs)"
    )
    p.add_argument(
        "--plot",
        metavar="FILE",
        help=f"also write the loss curves of the newest runs (at most {PLOT_MAX}) to this SVG",
    )
    p.add_argument(
        "--last",
        type=int_between(1, PLOT_MAX),
        default=PLOT_MAX,
        metavar="N",
        help=f"plot only the N newest runs (default {PLOT_MAX})",
    )
    return p


def _loss(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _model(run: RunInfo) -> str:
    """'lstm 2x128 · 238k params · V63' (V: the characters of its vocabulary)."""
    return f"{net_label(run.net)} · V{run.vocab_size}" if run.net else f"H{run.hidden_size}"


def print_table(root: Path, runs: list[RunInfo]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"{len(runs)} run{'s' * (len(runs) != 1)} in {show_path(root)}",
        title_justify="left",
        caption="val: held-out loss in nats per character (metrics.csv's val_loss)",
        caption_justify="left",
    )
    table.add_column("run", no_wrap=True, overflow="fold")
    table.add_column("corpus", min_width=6)
    table.add_column("model", no_wrap=True)
    table.add_column("iters", justify="right", no_wrap=True)
    table.add_column("best val", justify="right", no_wrap=True)
    table.add_column("last val", justify="right", no_wrap=True)
    table.add_column("saved", no_wrap=True)
    for r in runs:
        saved = dt.datetime.fromtimestamp(r.modified).strftime("%m-%d %H:%M")
        table.add_row(
            r.path.name,
            r.corpus,
            _model(r),
            f"{r.iteration:,}",
            _loss(r.best_val),
            _loss(r.last_val),
            saved,
        )
    console = Console()
    if not console.is_terminal:  # piped: no terminal width to fit, keep rows whole
        console = Console(width=120)
    console.print(table)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    root = Path(args.runs_dir).expanduser()
    if not root.is_dir():
        return error(f"{show_path(root)}: no such folder (--runs-dir names where runs are)")
    runs = list_runs(root)
    print_table(root, runs)
    if args.plot is None:
        return EXIT_OK
    if not runs:
        return error(f"{show_path(root)}: no runs to plot")
    newest = runs[: args.last]
    labels = distinct([run_label(r.net, r.corpus) for r in newest], [r.path.name for r in newest])
    chosen = [(RunFolder(r.path), label) for r, label in zip(newest, labels, strict=True)]
    try:
        title = f"loss of the {len(chosen)} newest runs in {root.name}"
        write_svg(Path(args.plot).expanduser(), runs_svg(chosen, title, x="chars"))
    except CheckpointError as e:
        return error(str(e), EXIT_FAILED)
    runs_word = "1 run" if len(chosen) == 1 else f"{len(chosen)} runs"
    print(f"wrote the loss curves of {runs_word} to {show_path(args.plot)}")
    return EXIT_OK

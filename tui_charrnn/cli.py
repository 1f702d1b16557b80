"""The `charrnn-tui` command: the live app, `train` (headless training with a progress
bar, headless.py; `--headless` is the same), and the subcommands that use a trained run
(`sample`, `eval`, `runs`: commands/, each in its own module) and `serve` (the app in a
web browser, commands/serve.py).

Every hyperparameter has a flag validated by hparams.validate, so a nonsense value gets
argparse's usage line and exit code 2. Problems with the corpus or a checkpoint are one
line on stderr ("charrnn-tui: error: ...") and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from . import __version__, catalog
from .commands import MODULES, run
from .commands.common import hp_type, int_between
from .exits import EXIT_FAILED, EXIT_OK, PROG, error, signal_exit_code
from .hparams import MODEL_DEFAULTS, SPECS
from .recorder import AUTOSAVE_S
from .run_folder import DEFAULT_KEEP


def _seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number of seconds") from None
    if not 0 <= x < 1e9:
        raise argparse.ArgumentTypeError("must be between 0 and 10^9")
    return x


SUBCOMMANDS = """commands:
  charrnn-tui [CORPUS]         the app: train live in the terminal (this help)
  charrnn-tui train [CORPUS]   train without the app, with a progress bar (= --headless)
  charrnn-tui sample RUN       generate text from a checkpoint or run folder
  charrnn-tui eval RUN TEXT    cross-entropy of a checkpoint on a text, with n-gram baselines
  charrnn-tui runs             list the runs in a folder (and plot their losses)
  charrnn-tui serve [CORPUS]   serve the app to web browsers (pip install 'charrnn-tui[serve]')

`charrnn-tui COMMAND --help` describes each. A corpus file named like a command: ./train"""


def build_parser(train: bool = False) -> argparse.ArgumentParser:
    if train:
        p = argparse.ArgumentParser(
            prog=f"{PROG} train",
            description="Train without the app: a progress bar, samples and validation"
            " printed, the run folder written as the app writes it.",
        )
    else:
        p = argparse.ArgumentParser(
            prog=PROG,
            description="Train Karpathy's min-char-rnn (a vanilla character RNN) live in the"
            " terminal.",
            epilog=SUBCOMMANDS,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    p.add_argument(
        "corpus",
        nargs="?",
        metavar="CORPUS",
        help=f"a catalogue name (see --list-corpora; default {catalog.DEFAULT_CORPUS})"
        " or a path to a UTF-8 text file",
    )
    if not train:
        p.add_argument(
            "--headless", action="store_true", help="train without the TUI (= charrnn-tui train)"
        )
    p.add_argument(
        "--iters",
        type=int_between(1, 10**12),
        help="iterations to train (headless; default: until Ctrl-C)",
    )
    p.add_argument(
        "--resume",
        metavar="RUN|CKPT",
        help="continue a run: its folder (newest valid checkpoint) or a checkpoint .npz",
    )
    p.add_argument(
        "--autosave",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help=f"save the run this often (default: every {AUTOSAVE_S:g} s, or less often if"
        " saving a big model would cost over 1%% of training time; 0: only on quit)",
    )
    p.add_argument(
        "--keep",
        type=int_between(1, 10_000),
        default=DEFAULT_KEEP,
        metavar="N",
        help="checkpoints kept in the run folder (checkpoint-<iteration>.npz;"
        f" default {DEFAULT_KEEP})",
    )
    p.add_argument(
        "--runs-dir", metavar="DIR", default="runs", help="where run folders go (./runs)"
    )
    p.add_argument(
        "--plot",
        action="store_true",
        help="(train) at the end, write the loss curves to loss.svg in the run folder",
    )
    p.add_argument("--list-corpora", action="store_true", help="list the bundled corpora and exit")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    gated = "; ".join(
        f"{model}: " + ", ".join(f"{k} {v}" for k, v in settings.items())
        for model, settings in MODEL_DEFAULTS.items()
    )
    g = p.add_argument_group(
        "hyperparameters (defaults are the original min-char-rnn's; --model gru or lstm"
        f" brings its own for what is not given: {gated})"
    )
    for name, spec in SPECS.items():
        live = "live" if spec.live else "on reset"
        g.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=hp_type(name),
            metavar=name.upper() if spec.kind is not str else "{" + ",".join(spec.choices) + "}",
            help=f"{spec.help} [{live}]",
        )
    return p


def hp_overrides(args: argparse.Namespace) -> dict:
    """The hyperparameters given on the command line (and only those)."""
    return {name: getattr(args, name) for name in SPECS if getattr(args, name) is not None}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = argv[0] if argv else None
    if command in MODULES:
        return run(command, argv[1:])
    is_train = command == "train"
    parser = build_parser(is_train)
    args = parser.parse_args(argv[1:] if is_train else argv)
    headless = is_train or args.headless
    if args.plot and not headless:
        parser.error("--plot is for training without the app (charrnn-tui train --plot)")
    if args.list_corpora:
        return list_corpora()
    from .checkpoint import CheckpointError
    from .corpus import CorpusError
    from .opening import open_run

    try:
        opened = open_run(args.corpus, args.resume, hp_overrides(args))
    except (CorpusError, CheckpointError, catalog.CatalogError) as e:
        return error(str(e))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return signal_exit_code(signal.SIGINT)
    runs_dir = Path(args.runs_dir).expanduser()
    if headless:
        from .headless import train

        return train(opened, runs_dir, args.iters, args.autosave, args.keep, args.plot)
    try:
        from .launch import run_app
    except ModuleNotFoundError as e:
        if e.name not in (f"{__package__}.launch", f"{__package__}.app"):
            raise
        return error("the interactive app is not installed; use --headless", EXIT_FAILED)
    return run_app(opened, runs_dir, args.autosave, args.keep)


def list_corpora() -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "corpus", "what the RNN learns", box=None, show_lines=False)
    for e in catalog.entries():
        name = f"{e.name} (default)" if e.name == catalog.DEFAULT_CORPUS else e.name
        table.add_row(name, e.title, e.description)
    Console().print(table)
    return EXIT_OK

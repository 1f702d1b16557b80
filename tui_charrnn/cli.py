"""The `charrnn-tui` command: the live app, or headless training with a progress bar
(headless.py).

Every hyperparameter has a flag validated by hparams.validate, so a nonsense value gets
argparse's usage line and exit code 2. Problems with the corpus or a checkpoint are one
line on stderr ("charrnn-tui: error: ...") and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__, catalog
from .hparams import SPECS

PROG = "charrnn-tui"
AUTOSAVE_S = 300.0  # headless: seconds between checkpoints


class UsageError(Exception):
    """A one-line problem with the inputs (exit code 2)."""


def _hp_type(name: str):
    from .hparams import validate

    def parse(text: str):
        try:
            return validate(name, text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    parse.__name__ = name.replace("_", " ")
    return parse


def _iters(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if not 1 <= n <= 10**12:
        raise argparse.ArgumentTypeError("must be between 1 and 10^12")
    return n


def _seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number of seconds") from None
    if not 0 <= x < 1e9:
        raise argparse.ArgumentTypeError("must be between 0 and 10^9")
    return x


def _keep(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if not 1 <= n <= 10_000:
        raise argparse.ArgumentTypeError("must be between 1 and 10000")
    return n


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Train Karpathy's min-char-rnn (a vanilla character RNN) live in the terminal.",
    )
    p.add_argument(
        "corpus",
        nargs="?",
        metavar="CORPUS",
        help=f"a catalogue name (see --list-corpora; default {catalog.DEFAULT_CORPUS})"
        " or a path to a UTF-8 text file",
    )
    p.add_argument("--headless", action="store_true", help="train without the TUI")
    p.add_argument(
        "--iters", type=_iters, help="iterations to train (headless; default: until Ctrl-C)"
    )
    p.add_argument(
        "--resume",
        metavar="RUN|CKPT",
        help="continue a run: its folder (newest valid checkpoint) or a checkpoint .npz",
    )
    p.add_argument(
        "--autosave",
        type=_seconds,
        default=AUTOSAVE_S,
        metavar="SECONDS",
        help=f"save a checkpoint this often (default {AUTOSAVE_S:g}; 0: only on quit)",
    )
    p.add_argument(
        "--keep",
        type=_keep,
        default=3,
        metavar="N",
        help="checkpoints kept in the run folder (checkpoint-<iteration>.npz; default 3)",
    )
    p.add_argument(
        "--runs-dir", metavar="DIR", default="runs", help="where run folders go (./runs)"
    )
    p.add_argument("--list-corpora", action="store_true", help="list the bundled corpora and exit")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    g = p.add_argument_group("hyperparameters (defaults are the seed's)")
    for name, spec in SPECS.items():
        live = "live" if spec.live else "on reset"
        g.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            type=_hp_type(name),
            metavar=name.upper() if spec.kind is not str else "{" + ",".join(spec.choices) + "}",
            help=f"{spec.help} [{live}]",
        )
    return p


def hp_overrides(args: argparse.Namespace) -> dict:
    """The hyperparameters given on the command line (and only those)."""
    return {name: getattr(args, name) for name in SPECS if getattr(args, name) is not None}


def _error(message: str, code: int = 2) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .checkpoint import CheckpointError
    from .corpus import CorpusError

    try:
        if args.list_corpora:
            return list_corpora()
        if args.corpus is None and args.resume:
            args.corpus = _corpus_of_run(Path(args.resume).expanduser())
        args.corpus_name, args.corpus_path = catalog.resolve(args.corpus)
        args.hp_overrides = hp_overrides(args)
        if args.headless:
            from .headless import headless

            return headless(args)
    except (CorpusError, CheckpointError, catalog.CatalogError, UsageError) as e:
        return _error(str(e))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    try:
        from .launch import run_app
    except ModuleNotFoundError as e:
        if e.name not in (f"{__package__}.launch", f"{__package__}.app"):
            raise
        return _error("the interactive app is not installed; use --headless", 1)
    return run_app(args) or 0


def _corpus_of_run(target: Path) -> str | None:
    """A run folder (or a checkpoint inside one) knows its corpus from settings.json."""
    folder = target if target.is_dir() else target.parent
    try:
        settings = json.loads((folder / "settings.json").read_text("utf-8"))
        path, name = settings.get("corpus_path"), settings.get("corpus")
    except (OSError, ValueError, AttributeError):
        return None
    if path and Path(path).is_file():
        return path
    if name in {e.name for e in catalog.entries()}:
        return name  # a catalogue corpus (rebuilt if its cached file is gone)
    if path:
        raise UsageError(
            f"{path}: the corpus of this run is gone (moved or deleted); put it back,"
            f" or name it: {PROG} --resume {target} CORPUS"
        )
    return name


def list_corpora() -> int:
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "corpus", "what the RNN learns", box=None, show_lines=False)
    for e in catalog.entries():
        name = f"{e.name} (default)" if e.name == catalog.DEFAULT_CORPUS else e.name
        table.add_row(name, e.title, e.description)
    Console().print(table)
    return 0


def make_session(args: argparse.Namespace):
    """The Session to train: fresh from the corpus, or continued from --resume."""
    from .checkpoint import session_from_checkpoint
    from .corpus import CorpusError, load
    from .hparams import Hyperparams
    from .session import Session
    from .storage import corpus_warning, load_latest_checkpoint, run_folder_of

    overrides = args.hp_overrides
    args.resume_warnings, args.resumed_from = [], None
    if args.resume:
        ckpt, warnings = load_latest_checkpoint(args.resume)
        args.resume_warnings += warnings
        args.resumed_from = ckpt
        old = run_folder_of(ckpt.path)
        settings = old.read_settings() if old is not None else None
        try:
            corpus = load(args.corpus_path, name=args.corpus_name, chars=ckpt.chars)
        except CorpusError as e:
            hint = ""
            if "outside the vocabulary" in str(e):
                hint = "; the corpus no longer fits the run's vocabulary: restore the original"
                hint += " file or start a new run"
            raise CorpusError(f"{e} (of checkpoint {ckpt.path}){hint}") from None
        changed = corpus_warning(settings, corpus)
        if changed:
            args.resume_warnings.append(changed)
        if ckpt.whole_text and "val_fraction" not in overrides:
            args.resume_warnings.append(
                f"{ckpt.path}: stores no val_fraction (it learnt from the whole text, as the"
                " original script does): continuing with val_fraction 0, nothing held out;"
                " pass --val-fraction to hold out the tail"
            )
        return session_from_checkpoint(ckpt, corpus, overrides)
    corpus = load(args.corpus_path, name=args.corpus_name)
    return Session(corpus, Hyperparams().with_(**overrides))

"""The `charrnn-tui` command: the live app, or headless training with a progress bar.

Every hyperparameter has a flag validated by hparams.validate, so a nonsense value gets
argparse's usage line and exit code 2. Problems with the corpus or a checkpoint are one
line on stderr ("charrnn-tui: error: ...") and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path

from . import __version__, catalog
from .hparams import SPECS

PROG = "charrnn-tui"
METRICS_EVERY = 10  # iterations between rows of metrics.csv
REFRESH_S = 0.1  # at most ~10 progress updates a second
AUTOSAVE_S = 300.0  # headless: seconds between checkpoints
EXIT_SIGINT, EXIT_SIGTERM = 130, 143  # 128 + the signal number, as shells report it


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
            return headless(args)
    except (CorpusError, CheckpointError, catalog.CatalogError, UsageError) as e:
        return _error(str(e))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    try:
        from .app import run_app
    except ModuleNotFoundError as e:
        if e.name != f"{__package__}.app":
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


class _StopFlag:
    """SIGINT (Ctrl-C) and SIGTERM set a flag that the loop checks between iterations."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.stop = False
        self.signum: int | None = None
        self._old: dict = {}

    def _handler(self, signum, frame) -> None:
        self.stop = True
        self.signum = self.signum or signum

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self._old[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)


def headless(args: argparse.Namespace) -> int:
    import numpy as np
    from rich.console import Console
    from rich.panel import Panel
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.text import Text

    from .checkpoint import CheckpointError
    from .events import Sample
    from .guard import DivergenceGuard
    from .storage import RunFolder, run_folder_of
    from .validation import Validator, best_in, describe

    console = Console()

    def say(text: str) -> None:  # plain text, never wrapped: paths stay copyable
        console.print(text, soft_wrap=True, markup=False, highlight=False)

    def warn(text: str) -> None:
        print(f"{PROG}: warning: {text}", file=sys.stderr, flush=True)

    # overflow in a diverging step is expected: the guard notices and rolls back
    with _StopFlag() as flag, np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        session = make_session(args)
        for w in args.resume_warnings:
            warn(w)
        hp, corpus = session.hp, session.corpus
        run = RunFolder.create(Path(args.runs_dir), args.corpus_name, keep=args.keep)
        resumed = args.resumed_from
        run.write_settings(
            hp, args.corpus_name, corpus.path, corpus.sha256, resumed.path if resumed else None
        )
        if resumed is not None and (old := run_folder_of(resumed.path)) is not None:
            try:
                run.inherit_history(old, resumed.n)
            except CheckpointError as e:
                warn(f"history not copied: {e}")
        say(
            f"{corpus.name}: {corpus.N:,} characters, {corpus.V} unique; "
            f"hidden {hp.hidden_size}, seq {hp.seq_length}, lr {hp.learning_rate:g}, "
            f"batch {hp.batch_size}, {hp.dtype}; starting at iteration {session.n}"
        )
        validator = Validator(session, best=best_in(run.read_metrics()))
        say(validator.note)
        guard = DivergenceGuard(session)
        samples: list[Sample] = []
        rows: list[tuple] = []
        samples_ok = True
        total = args.iters
        chars_per_iter = hp.seq_length * hp.batch_size
        progress = Progress(
            TextColumn("iter {task.fields[n]:>8,}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:8.3f}  {task.fields[nats]:.3f} nats/char"),
            TextColumn("{task.fields[cps]:>9,.0f} chars/s"),
            TimeElapsedColumn(),
            console=console,
            auto_refresh=False,
        )

        def note(text: str) -> None:
            progress.console.print(text, soft_wrap=True, markup=False, highlight=False)

        def save() -> bool:
            """Checkpoint and metrics; a failure (full disk, read-only...) is reported and
            the previous files stay."""
            nonlocal rows
            try:
                run.save_checkpoint(session)
                if rows:
                    run.append_metrics(rows)
                    rows = []
            except CheckpointError as e:
                note(f"warning: {e}; training continues, the previous checkpoint is kept")
                return False
            return True

        fields = dict(n=session.n, loss=session.smooth_loss, nats=0.0, cps=0.0)
        done = 0
        start = last = last_save = time.perf_counter()
        with progress:
            task = progress.add_task("train", total=total, **fields)
            while (total is None or done < total) and not flag.stop:
                hp = session.hp
                want = session.n % hp.sample_every == 0
                r = session.step(want)
                done += 1
                d = guard.check(r)
                if d is not None:
                    note(d.message())
                    continue
                if r.sample is not None:
                    s = Sample(r.n, r.smooth_loss, hp.temperature, r.sample)
                    samples.append(s)
                    title = f"iteration {s.iteration}  loss {s.loss:.3f}"
                    progress.console.print(Panel(Text(s.text), title=title, title_align="left"))
                    if samples_ok:
                        try:
                            run.append_sample(s)
                        except CheckpointError as e:
                            samples_ok = False
                            note(f"warning: {e}; samples are kept in memory")
                now = time.perf_counter()
                val = validator.check(session, r.n, now - start)
                if val is not None:  # a line of its own: the bar is full at 80 columns
                    note(describe(validator.latest))
                if r.n % METRICS_EVERY == 0:
                    cps = done * chars_per_iter / max(now - start, 1e-9)
                    row = (r.n, r.smooth_loss, r.loss, hp.learning_rate, now - start, cps, val)
                    rows.append(row)
                if args.autosave and now - last_save >= args.autosave:
                    save()
                    last_save = time.perf_counter()
                if now - last >= REFRESH_S or done == total:
                    last = now
                    cps = done * chars_per_iter / max(now - start, 1e-9)
                    nats = r.smooth_loss / hp.seq_length
                    progress.update(
                        task, completed=done, n=r.n, loss=r.smooth_loss, nats=nats, cps=cps
                    )
                    progress.refresh()
        saved = save()
        try:
            run.write_samples(samples, session.hp, args.corpus_name)
        except CheckpointError as e:
            warn(str(e))
        summary = validator.summary(session, time.perf_counter() - start)
    if summary:
        say(summary)
    if not saved:
        print(
            f"{PROG}: error: the final checkpoint could not be saved; the newest one that"
            f" was is in {run.path}",
            file=sys.stderr,
        )
        return 1
    if flag.stop:
        term = flag.signum == signal.SIGTERM
        what = "terminated" if term else "interrupted"
        say(f"{what} at iteration {session.n}; saved the run to {run.path}")
        return EXIT_SIGTERM if term else EXIT_SIGINT
    say(f"trained to iteration {session.n}; saved the run to {run.path}")
    return 0

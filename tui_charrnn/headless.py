"""Headless training (`charrnn-tui --headless`): the loop, its progress bar, the run folder.

Ctrl-C (SIGINT) and SIGTERM stop the loop between iterations; the run is saved and the
exit code is 128 + the signal number, as shells report it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

from .cli import PROG, make_session
from .metrics import METRICS_EVERY

REFRESH_S = 0.1  # at most ~10 progress updates a second
EXIT_SIGINT, EXIT_SIGTERM = 130, 143  # 128 + the signal number, as shells report it


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
        earlier = run.read_metrics()  # a resumed run's history, inherited above
        validator = Validator(session, best=best_in(earlier))
        elapsed0 = earlier[-1].elapsed_s if earlier else 0.0  # training time goes on
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
                if d is not None:  # what the rollback undid never happened (as in the app)
                    note(d.message())
                    rows = [row for row in rows if row[0] < d.rolled_back_to]
                    samples = [s for s in samples if s.iteration < d.rolled_back_to]
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
                    elapsed = elapsed0 + now - start
                    row = (r.n, r.smooth_loss, r.loss, hp.learning_rate, elapsed, cps, val)
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

"""Build the app from the command line's arguments and run it (charrnn-tui without
--headless): the corpus, settings and run to resume come from cli.py's parsing."""

from __future__ import annotations

import sys
from pathlib import Path

from .app import CharRNNApp
from .hparams import Hyperparams
from .session import Session
from .storage import DEFAULT_KEEP, CheckpointError, load_latest_checkpoint


def run_app(args) -> int:
    """Entry point used by cli.main for the interactive mode."""
    from .cli import hp_overrides, make_session

    if not hasattr(args, "hp_overrides"):
        args.hp_overrides = hp_overrides(args)
    if not hasattr(args, "corpus_path"):
        from . import catalog

        args.corpus_name, args.corpus_path = catalog.resolve(args.corpus)
    if getattr(args, "resume", None):  # a bad checkpoint: one line, before the UI starts
        try:
            load_latest_checkpoint(args.resume)
        except CheckpointError as e:
            print(f"charrnn-tui: error: {e}", file=sys.stderr)
            return 2

    def factory() -> Session:  # in the trainer thread
        session = make_session(args)
        app.recorder.resumed(args.resumed_from, args.resume_warnings)
        return session

    hp = Hyperparams().with_(**args.hp_overrides)
    app = CharRNNApp(
        factory,
        hp,
        args.corpus_name,
        Path(getattr(args, "runs_dir", "runs")),
        autosave_s=getattr(args, "autosave", 300.0),
        keep=getattr(args, "keep", DEFAULT_KEEP),
    )
    code = app.run()
    app.trainer.stop()
    app.trainer.stopped.wait(10)  # the final save finishes before the process ends
    return code or 0

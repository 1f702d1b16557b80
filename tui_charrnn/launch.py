"""Run the app on a run opened by the command line (charrnn-tui without --headless)."""

from __future__ import annotations

from pathlib import Path

from .app import CharRNNApp
from .exits import EXIT_OK
from .opening import OpenedRun


def run_app(opened: OpenedRun, runs_dir: Path, autosave_s: float | None, keep: int) -> int:
    """Entry point used by cli.main for the interactive mode."""
    s = opened.session
    app = CharRNNApp(
        lambda: opened, s.hp, s.corpus.name, runs_dir, autosave_s=autosave_s, keep=keep
    )
    app.runs.leave_if_stuck = True  # a stop signal ends this process even if the terminal is gone
    code = app.run()
    app.trainer.stop()
    app.trainer.stopped.wait(10)  # the final save finishes before the process ends
    return code or EXIT_OK

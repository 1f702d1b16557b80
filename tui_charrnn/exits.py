"""The program's name in messages and its exit codes, as shells report them."""

from __future__ import annotations

import contextlib
import signal
import sys

PROG = "charrnn-tui"

EXIT_OK = 0
EXIT_FAILED = 1  # the run could not be saved, or training failed
EXIT_USAGE = 2  # a bad flag, corpus or checkpoint: nothing was run

# Signals that end a run after saving it: Ctrl-C, kill, a closed terminal.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def error(message: str, code: int = EXIT_USAGE) -> int:
    """One line on stderr, `charrnn-tui: error: ...`; returns the exit code."""
    _say("error", message)
    return code


def warn(message: str) -> None:
    """One line on stderr, `charrnn-tui: warning: ...`."""
    _say("warning", message)


def _say(level: str, message: str) -> None:
    with contextlib.suppress(OSError):  # a closed stderr must not end in a traceback
        print(f"{PROG}: {level}: {message}", file=sys.stderr, flush=True)


def signal_exit_code(signum: int) -> int:
    """128 + the signal number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + int(signum)

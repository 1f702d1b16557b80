"""The program's name in messages and its exit codes, as shells report them."""

from __future__ import annotations

import signal

PROG = "charrnn-tui"

EXIT_OK = 0
EXIT_FAILED = 1  # the run could not be saved, or training failed
EXIT_USAGE = 2  # a bad flag, corpus or checkpoint: nothing was run

# Signals that end a run after saving it: Ctrl-C, kill, a closed terminal.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def signal_exit_code(signum: int) -> int:
    """128 + the signal number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + int(signum)

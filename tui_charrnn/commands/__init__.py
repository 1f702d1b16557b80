"""The subcommands that use a trained run (sample, eval, runs) and serve (the app in a
web browser); cli.py dispatches to them, train and the app stay in cli.py. Each module has
main(argv) -> exit code and never imports cli.py."""

from __future__ import annotations

import importlib

MODULES = {"sample": "sample", "eval": "evaluate", "runs": "runs", "serve": "serve"}


def run(name: str, argv: list[str]) -> int:
    """Run subcommand `name` (a key of MODULES) on its arguments."""
    module = importlib.import_module(f"{__name__}.{MODULES[name]}")
    return module.main(argv)

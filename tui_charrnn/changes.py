"""Live setting changes of a run, kept in its folder as changes.jsonl.

No UI library here. One JSON object a line: {"iteration": 12400, "name": "learning_rate",
"old": 0.1, "new": 0.05}, the iteration being the number of iterations trained when the
change took effect. The loss chart marks them; a resumed run inherits the ones made up
to its checkpoint, so its markers survive a restart. Lines that do not parse (a line
cut short by a crash, hand edits) are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from .logfile import append_lines, read_log

FILENAME = "changes.jsonl"


class SettingChange(NamedTuple):
    iteration: int  # iterations trained when it took effect
    name: str
    old: Any
    new: Any


def from_applied(iteration: int, settings: dict, previous: dict) -> list[SettingChange]:
    """The real changes among settings applied live (a value sent again is none)."""
    return [
        SettingChange(iteration, name, previous.get(name), value)
        for name, value in settings.items()
        if previous.get(name) != value
    ]


def append_changes(folder: Path, changes: Iterable[SettingChange]) -> None:
    """Append to folder/changes.jsonl; OSError is the caller's to report."""
    append_lines(Path(folder) / FILENAME, changes_text(changes))


def changes_text(changes: Iterable[SettingChange]) -> str:
    """One JSON object a line."""
    return "".join(json.dumps(c._asdict(), ensure_ascii=False) + "\n" for c in changes)


def read_changes(folder: Path, upto: int | None = None) -> list[SettingChange]:
    """The changes recorded in folder (iteration <= upto if given), oldest first."""
    try:
        raw = read_log(Path(folder) / FILENAME)
    except OSError:
        return []
    out = []
    for line in raw.split("\n"):  # a value may hold any other line break
        try:
            d = json.loads(line)
            c = SettingChange(int(d["iteration"]), str(d["name"]), d["old"], d["new"])
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        if upto is None or c.iteration <= upto:
            out.append(c)
    return out

"""Text fields of the side panes: a bounded length, numbers only where numbers go, and
the footer saying what Enter and Esc do while one has the focus.

A choice (model, optimizer, dtype) is typed or chosen with the arrow keys: the field
selects its text on focus, so typing replaces it; any unique start names a choice
("l": lstm, "ADAM": adam) and the rest is suggested as you type; up and down step
through the choices. So a hurried "lstm", "l" or a press of down all do what was meant.

Outside a field every letter is a command (r, q, s...); inside, the printable keys are
the field's, and the footer shows only the keys that still act: Enter (apply or load),
Esc (leave the field, app binding) and F1 (help; "?" is typed into the field).
"""

from __future__ import annotations

import time
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input

NUMBER_CHARS = r"[0-9eE.+\-_ ]*"  # what float() and int() read; anything else is refused
NUMBER_MAX = 24  # characters: more than any setting needs (1e-300, 4294967295)
CHOICE_MAX = 16
PATH_MAX = 4096  # Linux PATH_MAX
REPORT_GAP_S = 1.0


class Field(Input):
    """An Input whose Enter applies; refused keys are reported, not rung as a bell."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "submit", "Apply")]

    class Refused(Message):
        """A key was left out (not a number character, or the field is full)."""

        def __init__(self, field: Field, full: bool) -> None:
            super().__init__()
            self.field = field
            self.full = full

    _refused_at = -1.0  # (monotonic) when a refused key was last reported

    def restricted(self) -> None:
        # no bell, and one report a second: a flood of refused keys would ring thousands of
        # times and post a message for each
        now = time.monotonic()
        if now - self._refused_at >= REPORT_GAP_S:
            self._refused_at = now
            full = bool(self.max_length) and len(self.value) >= self.max_length
            self.post_message(self.Refused(self, full))


class NumberField(Field):
    def __init__(self, value: str, **kwargs) -> None:
        super().__init__(value, restrict=NUMBER_CHARS, max_length=NUMBER_MAX, **kwargs)


class PathField(Field):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "submit", "Load")]

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=PATH_MAX, **kwargs)


def choose(text: str, choices: tuple[str, ...]) -> str:
    """The choice `text` names: itself or a unique start of one, in any case; else
    ValueError saying which choices it could be."""
    typed = text.strip().lower()
    if typed in choices:
        return typed
    found = [c for c in choices if typed and c.startswith(typed)]
    if len(found) == 1:
        return found[0]
    could = " or ".join(found) if found else f"one of {', '.join(choices)}"
    raise ValueError(f"must be {could} (up/down choose)")


class ChoiceField(Field):
    """A field for one of a few words; up and down step through them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "step(1)", "Choose", key_display="↑↓"),
        Binding("up", "step(-1)", "Previous choice", show=False),  # the ↑↓ above says it
    ]

    def __init__(self, value: str, choices: tuple[str, ...], **kwargs) -> None:
        suggester = SuggestFromList(choices, case_sensitive=False)
        super().__init__(
            value, max_length=CHOICE_MAX, restrict=r"[A-Za-z0-9]*", suggester=suggester, **kwargs
        )
        self.choices = choices

    def action_step(self, step: int) -> None:
        """The next (or previous) choice after the one the field names; the first if none."""
        try:
            at = self.choices.index(choose(self.value, self.choices))
        except ValueError:
            at = -1 if step > 0 else 0
        self.value = self.choices[(at + step) % len(self.choices)]
        self.cursor_position = len(self.value)

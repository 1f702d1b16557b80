"""Textual messages of the app (dataclasses; the trainer's own events are plain dataclasses
in tui_charrnn.events and travel wrapped in TrainerEvent)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from .corpus import Corpus
from .events import Event


@dataclass
class TrainerEvent(Message):
    """An event from the training thread (posted thread-safely with post_message)."""

    event: Event


@dataclass
class CorpusLoaded(Message):
    """The corpus pane loaded a corpus the user chose (in a worker thread)."""

    corpus: Corpus


@dataclass
class CorpusFailed(Message):
    """Loading the chosen corpus failed; message is one line for the user."""

    message: str


@dataclass
class SettingEntered(Message):
    """A valid live setting was entered (Enter or leaving the field)."""

    name: str
    value: Any


@dataclass
class FieldDone(Message):
    """Enter in a field did what it asks: the keys are commands again (the app moves the
    focus to the sample log, whose border shows it)."""

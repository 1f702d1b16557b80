"""Modal screens: a yes/no confirmation and the help screen."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Markdown

HELP = """\
# charrnn-tui: a character RNN learning, live

The network is Karpathy's **min-char-rnn**: a vanilla RNN that reads one character at a
time and predicts the next. Each iteration it reads `seq_length` characters, measures how
surprised it was by each next character (the **loss**), backpropagates through those
steps and nudges every weight with **Adagrad**.

## Reading the numbers

* **loss**: the seed's *smooth loss*, a running average of the loss summed over one
  sequence of `seq_length` characters. Divide by `seq_length` for **nats per character**.
* It starts at `seq_length x ln V` (a uniform guess among the V characters of the
  vocabulary) and falls as the network learns letters, then words, then layout.
* One nat/char below ln V means the network puts e times more probability on the right
  character than a uniform guess.
* **Samples** are generated from the current weights every `sample_every` iterations.
  Watch them go from noise to words. **temperature** below 1 makes them safer and more
  repetitive, above 1 wilder.

## Try this

* Pause (space) and step (n) to watch one update at a time.
* Raise the learning rate to 1 and watch the loss: too high and it jumps around.
* Change `hidden_size` and press **r** to start again with a bigger or smaller brain.
* Pick another corpus: code, arithmetic or logs teach different structure.

## Keys

| key | action |
|---|---|
| space | pause / resume |
| n | one iteration (while paused) |
| g | sample now |
| s | save every sample of the run to the run folder |
| c | save a checkpoint |
| r | reset: start a new run with the settings in the fields |
| tab | move between fields; Enter applies a live setting |
| ? / F1 | this help |
| q | quit |
"""


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Label(self.question, id="question")
            with Horizontal(id="confirm-buttons"):
                yield Button("Yes (y)", variant="warning", id="yes")
                yield Button("No (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "app.pop_screen", "Close")
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Markdown(HELP)

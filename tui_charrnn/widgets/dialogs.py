"""Modal screens: a yes/no confirmation and the help screen.

The help is one scrolling container that has the focus, so the keyboard scrolls it (Up,
Down, PageUp, PageDown, Home, End); bullets and key lines are laid out as two columns, so
a wrapped line keeps its indent at any width.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

HELP_SOURCE = """\
[b $accent]charrnn-tui: a character RNN learning, live[/]

The network is Karpathy's [b]min-char-rnn[/]: a vanilla RNN that reads one character at a
time and predicts the next. Each iteration it reads [b]seq_length[/] characters, measures
how surprised it was by each next character (the [b]loss[/]), backpropagates through
those steps and nudges every weight with [b]Adagrad[/]. The [b]model[/] field swaps the
vanilla cell for a GRU or an LSTM (gated cells that learn far more), [b]layers[/] stacks them.

[b $accent]Reading the numbers[/]
• [b]loss[/] is the smooth loss of the original min-char-rnn: a running average of the
  loss summed over one sequence of seq_length characters. Divided by seq_length it is
  [b]nats per character[/].
• It starts at seq_length × ln V: a uniform guess among the V characters of the
  vocabulary. It falls as the network learns letters, then words, then layout.
• Each nat per character less means e ≈ 2.7 times more probability on the right
  next character.
• [b]Samples[/] are drawn from the network every sample_every iterations: watch noise
  turn into words. [b]temperature[/] below 1 makes them safer, above 1 wilder.
• The chart shows the whole run; [b]w[/] switches to the recent past and back. [b]●[/] is
  the held-out (validation) loss, [b]▲[/] a setting changed while training.
• If a setting makes the loss blow up, the run goes back to just before the change and
  the setting to its old value; the line above the chart says so.

[b $accent]Try this[/]
• Pause (space), then step (n) to watch single updates.
• Set learning_rate to 1 (Enter) and watch the curve: too high and it jumps around.
• Change hidden_size, press [b]r[/]: a new run with a bigger or smaller network.
• Type [b]l[/] in the model field (or press down there), then [b]r[/]: an LSTM, with its own
  defaults in the fields. Then compare the two runs (o, space, c).
• Pick another corpus: code, arithmetic or logs teach different structure.

[b $accent]Keys[/]
  [b]space[/]     pause / resume
  [b]n[/]         one iteration (while paused)
  [b]g[/]         sample now
  [b]i[/]         insight: what the network learned (baselines, surprisal, neurons...);
  1-6 pick a tab, in the neurons tab p picks the part of the state (h1, c1, h2...)
  [b]w[/]         loss chart: the whole run or the recent past
  [b]s[/]         save every sample of the run into the run folder
  [b]c[/]         save a checkpoint into the run folder
  [b]p[/]         picture: the whole run's loss curves as loss.svg in the run folder
  [b]r[/]         reset: a new run with the settings in the fields (asks first; the old
  one is saved)
  [b]o[/]         runs: open a saved run (the current one is saved first); there space
  marks runs and c compares their held-out loss with this run's (x: per character or
  per iteration)
  [b]tab[/]       move between fields; Enter applies a live setting, Esc leaves the field;
  model, optimizer and dtype take a start (l: lstm) or up/down
  [b]End[/]       sample log: follow the newest samples again after scrolling up
  [b]ctrl+p[/]    command palette (all of the above, searchable)
  [b]? / F1[/]    this help (in a field, where ? is typed: F1); escape closes it
  [b]q[/]         quit
"""


def unwrap(text: str) -> str:
    """Join the source's wrapped lines into paragraphs, so the text wraps to the dialog.

    A line continues the previous one unless it is blank, starts a bullet ("•"), is a
    heading ("[b $"), or is a key line (two spaces then markup).
    """
    lines: list[str] = []
    for line in text.splitlines():
        starts_block = not line or line.startswith(("•", "[b $", "  ["))
        if lines and lines[-1] and not starts_block and not lines[-1].startswith("[b $"):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return "\n".join(lines)


HELP = unwrap(HELP_SOURCE)
KEY_LINE = re.compile(r"  (\[b\].*?\[/\])\s+(.*)")


def help_widgets(text: str = HELP) -> list[Static | Horizontal]:
    """The help as widgets: bullets and key lines as two columns (a hanging indent)."""
    out: list[Static | Horizontal] = []
    for line in text.splitlines():
        key = KEY_LINE.fullmatch(line)
        if line.startswith("• "):
            first, rest = Static("•", classes="help-bullet"), line[2:]
        elif key:
            first, rest = Static(key.group(1), classes="help-key"), key.group(2)
        else:
            out.append(Static(line or " ", classes="help-line"))
            continue
        out.append(Horizontal(first, Static(rest, classes="help-text"), classes="help-row"))
    return out


class Dialog(ModalScreen):
    """A modal screen closed once: Screen.dismiss pops whatever screen is on top, so a
    second key (escape escape, typed fast) before the first pop lands would pop the
    screen under the dialog too."""

    _answered = False  # (not _closing: MessagePump uses that name)

    def close(self, result: object = None) -> None:
        if not self._answered and self.app.screen is self:
            self._answered = True
            self.dismiss(result)

    def action_close(self) -> None:
        self.close(None)


class ConfirmScreen(Dialog):
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
        self.close(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.close(yes)

    @classmethod
    def ask(cls, app: App, question: str, on_yes: Callable[[], None]) -> None:
        """Push the question; call on_yes() if the answer is yes."""
        app.push_screen(cls(question), lambda yes: on_yes() if yes else None)


class HelpScreen(Dialog):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "close", "Close")]
    AUTO_FOCUS = "#help"  # the keyboard scrolls it

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help") as scroll:
            scroll.border_subtitle = "↑↓ PgUp PgDn Home End: scroll · esc: close"
            yield from help_widgets()

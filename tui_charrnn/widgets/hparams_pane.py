"""Hyperparameter pane: one field per setting, validated as you type.

Live settings (learning rate, clip, temperature, sample length/every, seq_length) are sent
to the trainer on Enter or when leaving the field, and marked applied when the trainer
confirms; a value far outside what trains (UNUSUAL) is asked about first, on Enter only.
The others change the shape of the model or its initialisation; they are marked "reset"
and take effect when the run is reset (r). After Enter with an invalid value the focus
stays in the field; after a good one it goes back to the sample log (FieldDone).

Values are shown in a form that fits the field (1.39e-08, not a cut 1.3877787): the
exact value behind a shortened text is kept, so leaving it untouched changes nothing.

Choices (model, optimizer, dtype) are ChoiceFields: typed ("l" is lstm) or stepped with
up/down. A new model brings its defaults (hparams.MODEL_DEFAULTS: lstm trains with adam
at 0.01, 128 units, batches of 32...): every field still holding the old model's default
takes the new model's, and a field the user typed something else into is kept. Those
defaults apply with the model, on reset, even for the live settings among them.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from ..hparams import SPECS, Hyperparams, validate
from ..messages import FieldDone, SettingEntered
from .dialogs import ConfirmScreen
from .fields import ChoiceField, Field, NumberField, choose

FIELD_CHARS = 8  # the fields are 9 cells wide at the sidebar's 34 columns, one for the cursor

# Live values far outside what trains: asked about before they are applied.
UNUSUAL = {
    "learning_rate": (
        10,
        "That is far above the usual 0.001 to 1: the loss will likely blow up (the "
        "divergence guard would then undo the change).",
    ),
    "temperature": (10, "Samples at that temperature are close to random characters."),
    "sample_length": (10_000, "Training waits while each sample is drawn."),
}


def unusual(name: str, value: Any) -> str | None:
    """Why a live value deserves a question before it is applied, or None."""
    limit, why = UNUSUAL.get(name, (None, ""))
    return why if limit is not None and value > limit else None


def _text(value: Any, width: int = FIELD_CHARS) -> str:
    """The exact value if it fits in `width` characters, else the closest that does."""
    if (isinstance(value, int) and len(str(value)) <= width) or isinstance(value, str):
        return str(value)
    exact = repr(value) if isinstance(value, float) else str(value)
    for form in (f"{value:g}", exact):
        if len(form) <= width and float(form) == value:
            return form
    for digits in range(6, 0, -1):
        short = f"{value:.{digits}g}"
        if len(short) <= width:
            return short
    return f"{value:.0e}"


def _full(value: Any) -> str:
    """The value in words (status lines): exact, short when exact allows."""
    if not isinstance(value, float):
        return str(value)
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


class HyperparamPane(Vertical):
    def __init__(self, hp: Hyperparams, **kwargs) -> None:
        super().__init__(**kwargs)
        self.running = hp  # the settings in force in the trainer
        self._sent: dict[str, Any] = {}  # live values sent, not yet confirmed
        self._shown: dict[str, tuple[str, Any]] = {}  # name -> (text shown, exact value)
        self._model = hp.model  # the model whose defaults the fields hold
        # fields the model switch set, untouched since: applied on reset, even live ones
        self._from_model: set[str] = set()

    def compose(self) -> ComposeResult:
        for name, spec in SPECS.items():
            with Horizontal(classes="hp-row", id=f"row-{name}"):
                yield Label(name, classes="hp-name")
                text = self._show_text(name, getattr(self.running, name))
                kwargs = dict(id=f"hp-{name}", compact=True, tooltip=spec.help)
                if spec.kind is str:
                    yield ChoiceField(text, spec.choices, **kwargs)
                else:
                    yield NumberField(text, **kwargs)
                yield Label("live" if spec.live else "reset", classes="hp-mark", id=f"mark-{name}")
            yield Static("", classes="hp-reason", id=f"reason-{name}")
        # shown only with something to say: at 80x24 the idle sidebar then fits unscrolled
        yield Static("", id="hp-status").set_styles("display: none;")

    def on_mount(self) -> None:
        self.border_title = "Hyperparameters"
        self.border_subtitle = "Enter applies live ones"
        for name in SPECS:
            self.query_one(f"#reason-{name}").display = False

    def _input(self, name: str) -> Input:
        return self.query_one(f"#hp-{name}", Input)

    def _show_text(self, name: str, value: Any) -> str:
        text = _text(value)
        self._shown[name] = (text, value)
        return text

    def _set_value(self, name: str, value: Any) -> None:
        self._input(name).value = self._show_text(name, value)

    def check(self, name: str) -> tuple[bool, Any]:
        """Validate the field; show or hide its reason. Returns (ok, value)."""
        text = self._input(name).value
        reason = self.query_one(f"#reason-{name}", Static)
        row = self.query_one(f"#row-{name}")
        try:
            shown, exact = self._shown.get(name, (None, None))
            if text == shown:
                value = exact
            elif SPECS[name].kind is str:
                value = validate(name, choose(text, SPECS[name].choices))
            else:
                value = validate(name, text)
        except ValueError as e:
            row.add_class("-invalid")
            reason.update(f"✗ {name} {e}")
            reason.display = True
            return False, None
        row.remove_class("-invalid")
        reason.display = False
        self._mark(name, value)
        if name == "model" and value != self._model:
            self._model_defaults(self._model, value)
        return True, value

    def _model_defaults(self, old: str, new: str) -> None:
        """The model field now names `new`: the fields still holding `old`'s defaults
        take `new`'s (the fields the user typed something else into are kept)."""
        self._model = new
        before, after = Hyperparams.for_model(model=old), Hyperparams.for_model(model=new)
        switched = []
        for name in SPECS:
            was, now = getattr(before, name), getattr(after, name)
            if name == "model" or was == now:
                continue
            ok, value = self.check(name)
            if ok and value == was:
                self._set_value(name, now)
                self._from_model.add(name)
                self.check(name)
                switched.append(f"{name} {_full(now)}")
        # in the notice line: the pane's own status is below the fold at 80x24
        if switched:
            self.notify(f"model {new} brings its defaults: {', '.join(switched)} · r applies them")
        elif new != self.running.model:  # (gru and lstm share theirs)
            self.notify(f"model {new}: r applies it")

    def _mark(self, name: str, value: Any) -> None:
        mark = self.query_one(f"#mark-{name}", Label)
        pending = value != getattr(self.running, name)
        mark.set_class(pending, "-pending")
        if not SPECS[name].live or (pending and name in self._from_model):
            mark.update("reset")
            if pending:
                self.set_status(f"{name} = {_full(value)} applies on reset: press r", "pending")
        elif pending:
            mark.update("Enter")
        else:
            mark.update("live")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("hp-")
        if name in SPECS:
            if event.value != self._shown.get(name, ("",))[0]:  # typed: the user's own now
                self._from_model.discard(name)
            self.check(name)

    @on(Field.Refused)
    def _refused(self, event: Field.Refused) -> None:
        name = (event.field.id or "").removeprefix("hp-")
        if name in SPECS:
            kind = "a word" if SPECS[name].kind is str else "a number"
            why = "the field is full" if event.full else f"{name} takes {kind}"
            text = f"✗ key left out: {why} (F1: help)"
            if self.query_one("#hp-status", Static).content != text:  # once for a flood
                self.set_status(text, "error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = (event.input.id or "").removeprefix("hp-")
        if name not in SPECS:
            return
        ok, value = self.check(name)
        if not ok:  # the focus stays here, to correct it
            self.set_status(f"{name}: not applied (invalid)", "error")
            return
        self._complete(name, value)
        if not self._sendable(name, value):
            self.post_message(FieldDone())
            return
        why = unusual(name, value)
        if why is None:
            self._send(name, value)
            self.post_message(FieldDone())
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._send(name, value)
                self.post_message(FieldDone())
            else:  # the focus comes back to the field
                self.set_status(f"{name} = {_full(value)} not applied", "pending")

        self.app.push_screen(ConfirmScreen(f"Apply {name} = {_full(value)}?\n{why}"), answer)

    @on(Input.Blurred)
    def _left(self, event: Input.Blurred) -> None:
        name = (event.input.id or "").removeprefix("hp-")
        if name not in SPECS:
            return
        ok, value = self.check(name)
        if not ok:
            self.set_status(f"{name}: not applied (invalid)", "error")
            return
        self._complete(name, value)
        if self._sendable(name, value):
            if unusual(name, value) is None:
                self._send(name, value)
            else:  # asked about on Enter only: a dialog must not pop up on a mere tab
                self.set_status(f"{name} = {_full(value)}: press Enter to apply it", "pending")

    def _complete(self, name: str, value: Any) -> None:
        """A choice typed short ("l") shows in full ("lstm") once entered."""
        if SPECS[name].kind is str and self._input(name).value != value:
            self._set_value(name, value)

    def _sendable(self, name: str, value: Any) -> bool:
        """A live value not yet in force nor already sent (Enter, then leaving the field);
        not one the model switch set, which applies with the model, on reset."""
        sent = (getattr(self.running, name), self._sent.get(name))
        return SPECS[name].live and name not in self._from_model and value not in sent

    def _send(self, name: str, value: Any) -> None:
        self._sent[name] = value
        self.post_message(SettingEntered(name, value))

    def set_status(self, text: str, kind: str = "") -> None:
        status = self.query_one("#hp-status", Static)
        for k in ("ok", "pending", "error"):
            status.set_class(k == kind, f"-{k}")
        status.update(text)
        status.display = bool(text)

    def applied(self, settings: dict[str, Any], iteration: int) -> None:
        """The trainer confirmed live settings (the user's, or the divergence guard's)."""
        before = self.running
        self.running = self.running.with_(**settings)
        for name in settings:
            sent = self._sent.pop(name, None)
            ok, typed = self.check(name)
            # a field is left alone only while the user types something new in it; one
            # still showing the old or the sent value (focus just back from a dialog)
            # shows what is now in force
            editing = self._input(name).has_focus and not (
                ok and typed in (getattr(before, name), sent)
            )
            if not editing:
                self._set_value(name, settings[name])
            self.check(name)
            self.query_one(f"#mark-{name}", Label).update("✓")
        shown = ", ".join(f"{k} = {_full(v)}" for k, v in settings.items())
        self.set_status(f"✓ {shown} applied at iter {iteration:,}", "ok")

    def started(self, hp: Hyperparams) -> None:
        """A (new) session runs with hp: show its values."""
        self.running = hp
        self._sent.clear()
        self._from_model.clear()
        self.set_status("")  # "applies on reset" is done; check() says what still differs
        if not self._input("model").has_focus:
            self._model = hp.model  # (the fields below show its values)
        for name in SPECS:
            if not self._input(name).has_focus:
                self._set_value(name, getattr(hp, name))
            self.check(name)

    def wanted(self) -> tuple[Hyperparams | None, list[str]]:
        """The settings in the fields (for a reset), or None and the invalid names."""
        values, bad = {}, []
        for name in SPECS:
            ok, value = self.check(name)
            if ok:
                values[name] = value
            else:
                bad.append(name)
        return (None, bad) if bad else (Hyperparams(**values), [])

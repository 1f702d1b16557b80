"""Hyperparameter pane: one field per setting, validated as you type.

Live settings (learning rate, clip, temperature, sample length/every, seq_length) are sent
to the trainer on Enter or when leaving the field, and marked applied when the trainer
confirms. The others change the shape of the model or its initialisation; they are
marked "reset" and take effect when the run is reset (r).
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from ..hparams import SPECS, Hyperparams, validate
from ..messages import SettingEntered


def _text(value: Any) -> str:
    if not isinstance(value, float):
        return str(value)
    short = f"{value:g}"
    return short if float(short) == value else repr(value)  # e.g. a halved rate, exactly


class HyperparamPane(Vertical):
    def __init__(self, hp: Hyperparams, **kwargs) -> None:
        super().__init__(**kwargs)
        self.running = hp  # the settings in force in the trainer
        self._sent: dict[str, Any] = {}  # live values sent, not yet confirmed

    def compose(self) -> ComposeResult:
        for name, spec in SPECS.items():
            with Horizontal(classes="hp-row", id=f"row-{name}"):
                yield Label(name, classes="hp-name")
                yield Input(
                    _text(getattr(self.running, name)),
                    id=f"hp-{name}",
                    compact=True,
                    tooltip=spec.help,
                )
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

    def check(self, name: str) -> tuple[bool, Any]:
        """Validate the field; show or hide its reason. Returns (ok, value)."""
        text = self._input(name).value
        reason = self.query_one(f"#reason-{name}", Static)
        row = self.query_one(f"#row-{name}")
        try:
            value = validate(name, text)
        except ValueError as e:
            row.add_class("-invalid")
            reason.update(f"✗ {name} {e}")
            reason.display = True
            return False, None
        row.remove_class("-invalid")
        reason.display = False
        self._mark(name, value)
        return True, value

    def _mark(self, name: str, value: Any) -> None:
        mark = self.query_one(f"#mark-{name}", Label)
        pending = value != getattr(self.running, name)
        mark.set_class(pending, "-pending")
        if not SPECS[name].live:
            mark.update("reset")
            if pending:
                self.set_status(f"{name} = {_text(value)} applies on reset: press r", "pending")
        elif pending:
            mark.update("Enter")
        else:
            mark.update("live")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("hp-")
        if name in SPECS:
            self.check(name)

    @on(Input.Submitted)
    @on(Input.Blurred)
    def _entered(self, event: Input.Submitted | Input.Blurred) -> None:
        name = (event.input.id or "").removeprefix("hp-")
        if name not in SPECS:
            return
        ok, value = self.check(name)
        if not ok:
            self.set_status(f"{name}: not applied (invalid)", "error")
        elif SPECS[name].live and value not in (getattr(self.running, name), self._sent.get(name)):
            self._sent[name] = value  # Enter then leaving the field sends it once
            self.post_message(SettingEntered(name, value))

    def set_status(self, text: str, kind: str = "") -> None:
        status = self.query_one("#hp-status", Static)
        for k in ("ok", "pending", "error"):
            status.set_class(k == kind, f"-{k}")
        status.update(text)
        status.display = bool(text)

    def applied(self, settings: dict[str, Any], iteration: int) -> None:
        """The trainer confirmed live settings."""
        self.running = self.running.with_(**settings)
        for name in settings:
            self._sent.pop(name, None)
        for name in settings:
            field = self._input(name)
            if not field.has_focus:  # e.g. the rate the divergence guard halved
                field.value = _text(settings[name])
            self.check(name)
            self.query_one(f"#mark-{name}", Label).update("✓")
        shown = ", ".join(f"{k} = {_text(v)}" for k, v in settings.items())
        self.set_status(f"✓ {shown} applied at iter {iteration:,}", "ok")

    def started(self, hp: Hyperparams) -> None:
        """A (new) session runs with hp: show its values."""
        self.running = hp
        self._sent.clear()
        self.set_status("")  # "applies on reset" is done; check() says what still differs
        for name in SPECS:
            field = self._input(name)
            if not field.has_focus:
                field.value = _text(getattr(hp, name))
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

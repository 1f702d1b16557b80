"""Hyperparameters: defaults (the seed's), validation, and which ones apply live.

One table describes every setting, so the command line, the app's inputs and the
trainer all validate the same way and give the same reasons.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from .models.params import MAX_LAYERS, MODELS
from .optimizers import OPTIMIZERS


@dataclass(frozen=True)
class Spec:
    name: str
    kind: type  # int, float or str
    help: str
    live: bool  # True: applies between iterations; False: applies on reset
    low: float | None = None  # inclusive bounds for numbers
    high: float | None = None
    low_open: bool = False  # True: the low bound itself is not allowed
    high_open: bool = False  # True: the high bound itself is not allowed
    choices: tuple[str, ...] = ()


SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        Spec(
            "model",
            str,
            "the recurrent cell: rnn (the original), gru or lstm",
            False,
            choices=MODELS,
        ),
        Spec("layers", int, "recurrent layers stacked on each other", False, 1, MAX_LAYERS),
        Spec("hidden_size", int, "neurons in each hidden layer (H)", False, 1, 2048),
        Spec("seq_length", int, "steps unrolled per update (truncated BPTT)", True, 1, 1000),
        Spec("learning_rate", float, "the optimiser's step size", True, 0, 1e9, low_open=True),
        Spec(
            "optimizer",
            str,
            "adagrad (the original), rmsprop (char-rnn's, decay 0.95) or adam",
            False,
            choices=OPTIMIZERS,
        ),
        # after each pass through the training text, as char-rnn's -learning_rate_decay
        Spec(
            "lr_decay",
            float,
            "learning rate multiplied by this after each pass through the text (1: never)",
            False,
            0,
            1,
            low_open=True,
        ),
        # at 1 nothing would be left to learn from
        Spec(
            "dropout",
            float,
            "fraction of each layer's outputs zeroed while training (0: none)",
            False,
            0,
            1,
            high_open=True,
        ),
        Spec("batch_size", int, "streams trained side by side (B)", False, 1, 1024),
        Spec("clip", float, "gradients are clipped elementwise to +-clip", True, 0, 1e9, True),
        Spec("seed", int, "random seed for initialisation and sampling", False, 0, 2**32 - 1),
        Spec(
            "temperature", float, "sampling temperature (1 = as trained, 0 = argmax)", True, 0, 100
        ),
        Spec("sample_length", int, "characters per sample", True, 1, 100_000),
        Spec("sample_every", int, "iterations between samples", True, 1, 10**9),
        Spec(
            "dtype",
            str,
            "float64 (exact) or float32 (faster)",
            False,
            choices=("float64", "float32"),
        ),
        # below 0.5: holding out half the text or more leaves too little to learn from
        Spec(
            "val_fraction",
            float,
            "tail of the corpus held out of training for validation (0: none)",
            False,
            0,
            0.5,
            high_open=True,
        ),
    )
}


@dataclass(frozen=True)
class Hyperparams:
    model: str = "rnn"
    layers: int = 1
    hidden_size: int = 100
    seq_length: int = 25
    learning_rate: float = 0.1
    optimizer: str = "adagrad"
    lr_decay: float = 1.0
    dropout: float = 0.0
    batch_size: int = 1
    clip: float = 5.0
    seed: int = 1
    temperature: float = 1.0
    sample_length: int = 200
    sample_every: int = 100
    dtype: str = "float64"
    val_fraction: float = 0.1  # the original script held nothing out: resuming its files uses 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Hyperparams:
        """Known keys only, each validated; unknown keys are ignored (older/newer files)."""
        known = {f.name for f in fields(cls)}
        values = {k: validate(k, v) for k, v in d.items() if k in known}
        return cls(**values)

    def with_(self, **changes: Any) -> Hyperparams:
        return replace(self, **{k: validate(k, v) for k, v in changes.items()})

    @classmethod
    def for_model(cls, **settings: Any) -> Hyperparams:
        """A new run's settings: those given, the rest the defaults of the model given
        (MODEL_DEFAULTS; the rnn's are the original script's)."""
        model = validate("model", settings.get("model", cls.model))
        return cls().with_(**MODEL_DEFAULTS.get(model, {})).with_(**settings)


# The gated cells' defaults, chosen by measurement (README, "Models": held-out loss after
# an equal budget of training characters on fables and on English documentation text;
# batch 32 in float32 for speed; dropout because 128 gated units overfit the 52 k
# characters of fables within minutes). The rnn keeps the original's.
_GATED = {
    "hidden_size": 128,
    "optimizer": "adam",
    "batch_size": 32,
    "seq_length": 50,
    "dtype": "float32",
    "dropout": 0.25,
}
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "gru": {**_GATED, "learning_rate": 0.005},
    "lstm": {**_GATED, "learning_rate": 0.01},
}


def validate(name: str, value: Any) -> Any:
    """Parse and check one setting from text or a number; ValueError says why it is wrong."""
    spec = SPECS.get(name)
    if spec is None:
        raise ValueError(f"unknown setting {name!r}")
    if spec.kind is str:
        text = str(value).strip()
        if text not in spec.choices:
            raise ValueError(f"must be one of {', '.join(spec.choices)}")
        return text
    try:
        x = _number(value, spec.kind)
    except _Overflow as e:  # beyond any bound: say which one
        if e.negative and spec.low is not None:
            raise ValueError(f"too small: must be {_low_rule(spec)}") from None
        if not e.negative and spec.high is not None:
            raise ValueError(f"too large: must be {_high_rule(spec)}") from None
        raise ValueError("too small" if e.negative else "too large") from None
    if spec.low is not None and (x < spec.low or (spec.low_open and x == spec.low)):
        raise ValueError(f"must be {_low_rule(spec)}")
    if spec.high is not None and (x > spec.high or (spec.high_open and x == spec.high)):
        raise ValueError(f"must be {_high_rule(spec)}")
    return x


def _low_rule(spec: Spec) -> str:
    return f"{'>' if spec.low_open else '>='} {_fmt(spec.low)}"


def _high_rule(spec: Spec) -> str:
    return f"{'<' if spec.high_open else '<='} {_fmt(spec.high)}"


class _Overflow(ValueError):
    """A number too large (or too negative) for Python to parse as given: a 5,000-digit
    integer is past Python's digit limit, 1e400 is infinite as a float."""

    def __init__(self, negative: bool) -> None:
        super().__init__("too small" if negative else "too large")
        self.negative = negative


_INTEGER = re.compile(r"[+-]?[0-9][0-9_]*")
_NON_FINITE = re.compile(r"[+-]?(inf|infinity|nan)", re.IGNORECASE)


def parse_int(text: str) -> int:
    """A whole number from text: "12", "1_000", "1e3"; ValueError "too large"/"too small"
    for one past any limit (e.g. 5,000 digits), else "must be a whole number"."""
    return int(_number(text, int))


def _number(value: Any, kind: type) -> int | float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, int):  # from code or JSON: no round trip through text
        if kind is int:
            return value
        try:
            return float(value)
        except OverflowError:
            raise _Overflow(value < 0) from None
    text = str(value).strip()
    if kind is int:
        try:
            return int(text)
        except ValueError:
            if _INTEGER.fullmatch(text):  # digits past int()'s limit (sys.int_info)
                raise _Overflow(text.startswith("-")) from None
        try:
            f = float(text)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if math.isinf(f) and not _NON_FINITE.fullmatch(text):
            raise _Overflow(f < 0)  # 1e400
        if math.isfinite(f) and f == int(f):
            return int(f)
        raise ValueError("must be a whole number")
    try:
        f = float(text)
    except ValueError:
        raise ValueError("must be a number") from None
    if math.isinf(f) and not _NON_FINITE.fullmatch(text):
        raise _Overflow(f < 0)  # 5,000 digits, 1e400
    if not math.isfinite(f):
        raise ValueError("must be a finite number")
    return f


def _fmt(x: float) -> str:
    return f"{x:g}"

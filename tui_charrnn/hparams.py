"""Hyperparameters: defaults (the seed's), validation, and which ones apply live.

One table describes every setting, so the command line, the app's inputs and the
trainer all validate the same way and give the same reasons.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any


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
        Spec("hidden_size", int, "neurons in the hidden layer (H)", False, 1, 2048),
        Spec("seq_length", int, "steps unrolled per update (truncated BPTT)", True, 1, 1000),
        Spec("learning_rate", float, "Adagrad step size", True, 0, 1e9, low_open=True),
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
    hidden_size: int = 100
    seq_length: int = 25
    learning_rate: float = 0.1
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
    x = _number(value, spec.kind)
    if spec.low is not None and (x < spec.low or (spec.low_open and x == spec.low)):
        raise ValueError(f"must be {'>' if spec.low_open else '>='} {_fmt(spec.low)}")
    if spec.high is not None and (x > spec.high or (spec.high_open and x == spec.high)):
        raise ValueError(f"must be {'<' if spec.high_open else '<='} {_fmt(spec.high)}")
    return x


def _number(value: Any, kind: type) -> int | float:
    if isinstance(value, bool):
        raise ValueError("must be a number")
    text = str(value).strip()
    if kind is int:
        try:
            return int(text)
        except ValueError:
            pass
        try:
            f = float(text)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if math.isfinite(f) and f == int(f):
            return int(f)
        raise ValueError("must be a whole number")
    try:
        f = float(text)
    except ValueError:
        raise ValueError("must be a number") from None
    if not math.isfinite(f):
        raise ValueError("must be a finite number")
    return f


def _fmt(x: float) -> str:
    return f"{x:g}"

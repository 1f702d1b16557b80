"""What the subcommands share: one-line errors, argument types, and a trained model
loaded from a checkpoint or run folder without its corpus."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from ..checkpoint import Checkpoint
from ..exits import PROG, warn
from ..files import CheckpointError
from ..hparams import parse_int, validate
from ..models.params import Params
from ..safefile import RefusedFile, read_regular, show_path
from ..storage import load_latest_checkpoint, run_folder_of

TEXT_LIMIT = 64 << 20  # bytes of a --prime-file


class UsageError(Exception):
    """A bad input found after parsing: one line, exit code 2."""


def parser(command: str, description: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=f"{PROG} {command}", description=description)


def add_target(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "target",
        metavar="CKPT_OR_RUN",
        help="a checkpoint .npz, or a run folder (its newest valid checkpoint)",
    )


def int_between(low: int, high: int):
    """An argparse type for a whole number in [low, high] (5,000 digits: "too large")."""

    def parse(text: str) -> int:
        try:
            n = parse_int(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,}")
        return n

    parse.__name__ = "whole number"
    return parse


def hp_type(name: str):
    """An argparse type checking a value as the hyperparameter `name` is checked."""

    def parse(text: str):
        try:
            return validate(name, text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    parse.__name__ = name.replace("_", " ")
    return parse


@dataclass
class Model:
    """A trained network and its vocabulary, read from a checkpoint."""

    params: Params
    chars: list[str]
    checkpoint: Checkpoint

    @property
    def where(self) -> str:
        return show_path(self.checkpoint.path) if self.checkpoint.path else "checkpoint"

    def char_to_ix(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.chars)}


def load_model(target: str) -> Model:
    """The newest valid checkpoint of a run folder, or a checkpoint file. Warnings (an
    older checkpoint used) go to stderr; CheckpointError (one line) if none loads."""
    if not target.strip():
        raise CheckpointError("needs a checkpoint file or a run folder, not an empty name")
    ckpt, warnings = load_latest_checkpoint(Path(target))
    for w in warnings:
        warn(w)
    return Model(ckpt.params(), list(ckpt.chars), ckpt)


def run_settings(model: Model) -> dict | None:
    """settings.json of the run folder holding the checkpoint, if there is one."""
    if model.checkpoint.path is None:
        return None
    folder = run_folder_of(model.checkpoint.path)
    return folder.read_settings() if folder is not None else None


def read_text_file(path: str, what: str) -> str:
    """A UTF-8 text file named by the user, whole; UsageError (one line) otherwise."""
    try:
        raw = read_regular(Path(path).expanduser(), TEXT_LIMIT, what)
    except RefusedFile as e:
        raise UsageError(str(e)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(
            f"{show_path(path)}: not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start})"
        ) from None


def unknown_chars(text: str, vocab: dict[str, int]) -> list[str]:
    return sorted(set(text) - vocab.keys())


def shown_chars(chars: list[str], limit: int = 20) -> str:
    shown = ", ".join(repr(c) for c in chars[:limit])
    return shown + (f" and {len(chars) - limit} more" if len(chars) > limit else "")

"""What the trainer reports, as plain dataclasses (no UI library here).

The app wraps these in Textual messages; the headless command prints them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """One generated sample and the state of training when it was taken."""

    iteration: int
    loss: float  # smooth loss (per sequence, the seed's number) at that iteration
    temperature: float
    text: str

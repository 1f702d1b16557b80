"""How often each gate of a gated network is shut or wide open.

Karpathy, Johnson & Fei-Fei, "Visualizing and Understanding Recurrent Networks" (2015),
section 4.2: a gate is left-saturated when its activation is below 0.1 and
right-saturated above 0.9; per unit, the fraction of time steps spent in each tells an
integrator (forget gate nearly always open) from a unit that resets often. Counted on
text the network never trained on, from a blank state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import forward
from ..models.params import Params

LOW, HIGH = 0.1, 0.9
MOSTLY = 0.5  # a unit saturated more than this share of the time is "mostly" shut / open


@dataclass(frozen=True)
class GateSaturation:
    """One gate of one layer over T steps."""

    left: np.ndarray  # (H,) per unit: share of steps with the gate < LOW
    right: np.ndarray  # (H,) per unit: share of steps with the gate > HIGH

    @property
    def left_fraction(self) -> float:
        """Share of all (step, unit) entries below LOW (every unit has the same T steps)."""
        return float(self.left.mean())

    @property
    def right_fraction(self) -> float:
        return float(self.right.mean())

    @property
    def mostly_left(self) -> int:
        """Units shut more than MOSTLY of the time."""
        return int((self.left > MOSTLY).sum())

    @property
    def mostly_right(self) -> int:
        return int((self.right > MOSTLY).sum())


def gate_saturation(P: Params, ixs: np.ndarray, s0: np.ndarray) -> list[dict[str, GateSaturation]]:
    """One stream over ixs (T,) from state s0 (S,): per layer, {gate name: its saturation}
    in the cell's order; a list of empty dicts for a cell without gates or T = 0."""
    ixs = np.asarray(ixs, dtype=np.intp)
    net = P.net
    if not net.cell.SIGMOID_GATES or len(ixs) == 0:
        return [{} for _ in range(net.layers)]
    trace = forward(P, ixs[:, None], np.reshape(s0, (1, net.state_size)))
    out = []
    for layer in range(net.layers):
        gates = {}
        for name, g in trace.gates(layer).items():  # g (T, 1, H)
            gates[name] = GateSaturation((g < LOW).mean(axis=(0, 1)), (g > HIGH).mean(axis=(0, 1)))
        out.append(gates)
    return out

"""Optimisers: the update of the parameters from their gradient, in place.

No UI library here. Each works on Params.flat, all five arrays in one buffer, so a step
is a handful of numpy calls whatever the model's size.
"""

from __future__ import annotations

import numpy as np

from .model import Params


class Adagrad:
    """The seed's update: mem += g*g; param += -lr * g / sqrt(mem + 1e-8), after clipping.

    Scratch buffers are kept: a fresh 180 KB temporary per call costs more than the
    arithmetic (large allocations go through mmap and page faults).
    """

    def __init__(self, P: Params, mem: Params | None = None):
        self.mem = mem if mem is not None else P.zeros_like()
        self._step = np.empty_like(P.flat)
        self._denom = np.empty_like(P.flat)

    def step(self, P: Params, grads: Params, learning_rate: float, clip: float) -> None:
        g, mem, step, denom = grads.flat, self.mem.flat, self._step, self._denom
        # the seed's np.clip, elementwise; two ufuncs skip np.clip's Python-level wrapper
        np.minimum(g, clip, out=g)
        np.maximum(g, -clip, out=g)
        # the seed's operations in the seed's order, so B = 1 stays bit-for-bit alike
        np.multiply(g, g, out=step)
        mem += step
        np.add(mem, 1e-8, out=denom)
        np.sqrt(denom, out=denom)
        np.multiply(g, -learning_rate, out=step)
        step /= denom
        P.flat += step

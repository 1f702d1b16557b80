"""Optimisers: the update of the parameters from their gradient, in place.

No UI library here. Each works on Params.flat, every array in one buffer, so a step is a
handful of numpy calls whatever the network's size. Every optimiser first clips the
gradient elementwise to +-clip, as the seed does.

    adagrad  the seed's: m += g^2; p -= lr g / sqrt(m + 1e-8)
    rmsprop  char-rnn's: m = 0.95 m + 0.05 g^2; p -= lr g / (sqrt(m) + 1e-8)
    adam     Kingma & Ba: m = 0.9 m + 0.1 g; v = 0.999 v + 0.001 g^2;
             p -= lr m_hat / (sqrt(v_hat) + 1e-8), with the bias corrections m_hat, v_hat

State: named memories (Params each, stored in checkpoints as that letter plus the array's
name: mWxh, vWh2...) and a step count (Adam's bias correction needs it).
"""

from __future__ import annotations

import math

import numpy as np

from .model import Params

OPTIMIZERS = ("adagrad", "rmsprop", "adam")
EPS = 1e-8
RMSPROP_DECAY = 0.95  # char-rnn's default decay_rate
ADAM_BETAS = (0.9, 0.999)


class Optimizer:
    """The memories and step count, scratch buffers kept: a fresh temporary the size of
    the model per call costs more than the arithmetic (large allocations page-fault)."""

    name = ""
    MEMORIES: tuple[str, ...] = ("m",)

    def __init__(self, P: Params, memories: dict[str, Params] | None = None, steps: int = 0):
        self.memories = {k: (memories or {}).get(k) or P.zeros_like() for k in self.MEMORIES}
        self.steps = steps
        self._step = np.empty_like(P.flat)
        self._denom = np.empty_like(P.flat)

    @property
    def mem(self) -> Params:
        """The squared-gradient memory every optimiser here keeps (Adam's is v)."""
        return self.memories[self.MEMORIES[-1]]

    def buffers(self) -> list[np.ndarray]:
        """Every array of the state, for snapshots (the guard's rollback)."""
        return [m.flat for m in self.memories.values()]

    def step(self, P: Params, grads: Params, learning_rate: float, clip: float) -> None:
        g = grads.flat
        # the seed's np.clip, elementwise; two ufuncs skip np.clip's Python-level wrapper
        np.minimum(g, clip, out=g)
        np.maximum(g, -clip, out=g)
        self._update(P.flat, g, learning_rate)
        self.steps += 1

    def _update(self, p: np.ndarray, g: np.ndarray, lr: float) -> None:
        raise NotImplementedError


class Adagrad(Optimizer):
    name = "adagrad"

    def _update(self, p, g, lr):
        mem, step, denom = self.mem.flat, self._step, self._denom
        # the seed's operations in the seed's order, so B = 1 stays bit-for-bit alike
        np.multiply(g, g, out=step)
        mem += step
        np.add(mem, EPS, out=denom)
        np.sqrt(denom, out=denom)
        np.multiply(g, -lr, out=step)
        step /= denom
        p += step


class RMSprop(Optimizer):
    name = "rmsprop"

    def _update(self, p, g, lr):
        mem, step, denom = self.mem.flat, self._step, self._denom
        np.multiply(g, g, out=step)
        step *= 1 - RMSPROP_DECAY
        mem *= RMSPROP_DECAY
        mem += step
        np.sqrt(mem, out=denom)
        denom += EPS
        np.multiply(g, -lr, out=step)
        step /= denom
        p += step


class Adam(Optimizer):
    name = "adam"
    MEMORIES = ("m", "v")

    def _update(self, p, g, lr):
        b1, b2 = ADAM_BETAS
        m, v = self.memories["m"].flat, self.memories["v"].flat
        step, denom = self._step, self._denom
        t = self.steps + 1
        m *= b1
        np.multiply(g, 1 - b1, out=step)
        m += step
        v *= b2
        np.multiply(g, g, out=step)
        step *= 1 - b2
        v += step
        # p -= lr m_hat / (sqrt(v_hat) + eps), the corrections folded into two scalars
        np.sqrt(v, out=denom)
        denom *= 1 / math.sqrt(1 - b2**t)
        denom += EPS
        np.multiply(m, -lr / (1 - b1**t), out=step)
        step /= denom
        p += step


_CLASSES = {cls.name: cls for cls in (Adagrad, RMSprop, Adam)}


def make_optimizer(
    name: str, P: Params, memories: dict[str, Params] | None = None, steps: int = 0
) -> Optimizer:
    return _CLASSES[name](P, memories, steps)


def memory_names(name: str) -> tuple[str, ...]:
    return _CLASSES[name].MEMORIES

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

from .models.params import Params

OPTIMIZERS = ("adagrad", "rmsprop", "adam")
EPS = 1e-8
RMSPROP_DECAY = 0.95  # char-rnn's default decay_rate
ADAM_BETAS = (0.9, 0.999)


class Optimizer:
    """The memories and step count, scratch buffers kept: a fresh temporary the size of
    the model per call costs more than the arithmetic (large allocations page-fault)."""

    name = ""
    MEMORIES: tuple[str, ...] = ("m",)
    RATE = ""  # rates(), written out for labels

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

    def _move(self, p: np.ndarray, x: np.ndarray, scale: float, t: int) -> None:
        """p += scale * x / denominator(t): the end of every update (x: the gradient, or
        Adam's mean of it), in the seed's order of operations."""
        step, denom = self._step, self._denom
        self._denominator(denom, t)
        np.multiply(x, scale, out=step)
        step /= denom
        p += step

    def _denominator(self, out: np.ndarray, t: int) -> np.ndarray:
        """What step t (1 = the first) divides the gradient (Adam: its mean) by, per
        entry, into out: the one formula the update and rates() share."""
        raise NotImplementedError

    def rates(self, learning_rate: float) -> Params:
        """Each entry's learning rate as of the last step: lr / the denominator (Adagrad
        lr / sqrt(m + eps), RMSprop lr / (sqrt(m) + eps), Adam lr / (sqrt(v_hat) + eps)),
        a new Params. What one unit of gradient (Adam: of its running mean) moves a weight."""
        out = self.mem.zeros_like()
        self._denominator(out.flat, max(self.steps, 1))
        np.divide(learning_rate, out.flat, out=out.flat)
        return out


class Adagrad(Optimizer):
    name = "adagrad"
    RATE = "lr/√m"

    def _update(self, p, g, lr):
        mem, step = self.mem.flat, self._step
        # the seed's operations in the seed's order, so B = 1 stays bit-for-bit alike
        np.multiply(g, g, out=step)
        mem += step
        self._move(p, g, -lr, self.steps + 1)

    def _denominator(self, out, t):
        np.add(self.mem.flat, EPS, out=out)
        return np.sqrt(out, out=out)


class RMSprop(Optimizer):
    name = "rmsprop"
    RATE = "lr/√m"

    def _update(self, p, g, lr):
        mem, step = self.mem.flat, self._step
        np.multiply(g, g, out=step)
        step *= 1 - RMSPROP_DECAY
        mem *= RMSPROP_DECAY
        mem += step
        self._move(p, g, -lr, self.steps + 1)

    def _denominator(self, out, t):
        np.sqrt(self.mem.flat, out=out)
        out += EPS
        return out


class Adam(Optimizer):
    name = "adam"
    MEMORIES = ("m", "v")
    RATE = "lr/√v̂"

    def _update(self, p, g, lr):
        b1, b2 = ADAM_BETAS
        m, v = self.memories["m"].flat, self.memories["v"].flat
        step = self._step
        t = self.steps + 1
        m *= b1
        np.multiply(g, 1 - b1, out=step)
        m += step
        v *= b2
        np.multiply(g, g, out=step)
        step *= 1 - b2
        v += step
        # p -= lr m_hat / (sqrt(v_hat) + eps), the corrections folded into two scalars
        self._move(p, m, -lr / (1 - b1**t), t)

    def _denominator(self, out, t):
        np.sqrt(self.memories["v"].flat, out=out)
        out *= 1 / math.sqrt(1 - ADAM_BETAS[1] ** t)
        out += EPS
        return out


_CLASSES = {cls.name: cls for cls in (Adagrad, RMSprop, Adam)}


def make_optimizer(
    name: str, P: Params, memories: dict[str, Params] | None = None, steps: int = 0
) -> Optimizer:
    return _CLASSES[name](P, memories, steps)


def memory_names(name: str) -> tuple[str, ...]:
    return _CLASSES[name].MEMORIES

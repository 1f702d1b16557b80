"""Generating text: the network one character at a time, sampled or argmax.

No UI library here. The session's samples, `charrnn-tui sample`, beam search and the
temperature view all step the network through Stepper, i.e. through each cell's own step
(the same maths as training's forward pass).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .model import logits
from .models.params import Params


class Stepper:
    """The network one character at a time, for one stream (sampling): the cells' own
    step, with the first layer's input columns laid out as rows once."""

    def __init__(self, P: Params):
        self.P, self.net = P, P.net
        cell = self.net.cell
        self.layers = [P.layer(layer) for layer in range(self.net.layers)]
        self.Wx = np.ascontiguousarray(self.layers[0][cell.WX].T)  # (V, GATES*H)

    def step(self, ix: int, s: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The state after character ix from state s (S,), into out (S,) (not s)."""
        net, cell = self.net, self.net.cell
        xw = self.Wx[ix]
        for layer, W in enumerate(self.layers):
            part = net.layer_slice(layer)
            if layer > 0:
                xw = np.dot(W[cell.WX], out[net.layer_slice(layer - 1)][: net.H])
            cell.step(W, xw, s[part], out[part])
        return out

    def logits(self, s: np.ndarray) -> np.ndarray:
        return logits(self.P, self.net.top(s))


def sample(
    P: Params,
    s: np.ndarray,
    seed_ix: int,
    n: int,
    rng: np.random.Generator,
    temperature: float = 1.0,
) -> np.ndarray:
    """Sample n indices (n,), feeding seed_ix first from state s (S,), like the seed's sample().

    temperature 1.0 is the seed's behaviour, 0 takes the argmax at every step. One
    uniform draw per character is inverted through the cumulative distribution, which is
    what np.random.choice does, without its per-call overhead.
    """
    return np.fromiter(sample_iter(P, s, seed_ix, n, rng, temperature), np.int64, count=n)


def sample_iter(
    P: Params,
    s: np.ndarray,
    seed_ix: int | None,
    n: int,
    rng: np.random.Generator,
    temperature: float = 1.0,
) -> Iterator[int]:
    """sample() one index at a time, for output that streams as it is generated. The n
    uniform draws are taken from rng at the first index, so the generator's state moves
    the same whether or not every index is read. seed_ix None: the first character is
    drawn from the prediction of state s itself (nothing is fed first)."""
    net = Stepper(P)
    exp = np.exp
    u = rng.random(n) if temperature > 0 else None
    inv_t = 1.0 / temperature if temperature > 0 else 0.0
    s = np.array(s, dtype=P.dtype).reshape(P.net.state_size)  # (S,) a copy: the caller's is kept
    s_next = np.empty_like(s)
    ix = seed_ix
    for t in range(n):
        if ix is not None:
            net.step(ix, s, s_next)
            s, s_next = s_next, s  # two buffers, swapped: no fresh array per character
        y = net.logits(s)  # (V,)
        if u is None:
            ix = int(y.argmax())
        else:
            if inv_t != 1.0:
                y *= inv_t
            cdf = exp(y).cumsum()
            if not cdf[-1] < np.inf:  # overflow: shift by the max (softmax is shift-invariant)
                cdf = exp(y - y.max()).cumsum()
            ix = min(int(cdf.searchsorted(u[t] * cdf[-1], side="right")), P.V - 1)
        yield ix

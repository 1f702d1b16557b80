"""A character-level network: a recurrent cell stacked in layers, an output layer and
the cross-entropy loss, vectorised over time and a batch of streams.

    s^1_t = cell(Wx^1 x_t, s^1_{t-1})          x_t one-hot, so Wx^1 x_t is a column of Wx^1
    s^l_t = cell(Wx^l h^{l-1}_t, s^l_{t-1})    layers l = 2..L (dropout on h^{l-1} in training)
    y_t = Why h^L_t + by
    p_t = softmax(y_t)
    loss = sum_t -log p_t[target_t]            summed over the T steps of one sequence

The cells (models/: rnn, gru, lstm) each hold one layer's maths. With the rnn cell and one
layer this is min-char-rnn, with the seed's names and shapes (Wxh (H, V), Whh (H, H),
Why (V, H)); its batch-1 loss is the seed's lossFun bit for bit (rnn.seed_loss_and_grads).
States and activations are stored row-wise, one row per stream: a state (B, S), where
S = layers * carries * H holds each layer's h (and an LSTM's c) side by side.

The forward maths is written once per cell (its step) and once here for the stack
(forward): the batched loss, the held-out loss, sampling and the insight views all run
the network through them. Everything that does not depend on the recurrence is one
matmul (or one lookup of columns) over all T * B steps; the loop over t in each cell does
only the recurrent matmul and the nonlinearities.

All parameters live in one flat buffer (the matrices are views into it): clipping and
the optimisers are then a handful of numpy calls whatever the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np

from .models import CELLS
from .models.columns import scatter_columns
from .models.rnn import seed_loss_and_grads

PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")  # the seed's arrays: a 1-layer rnn's
DTYPES = {"float64": np.float64, "float32": np.float32}
MODELS = tuple(CELLS)  # "rnn", "gru", "lstm"
MAX_LAYERS = 3
OUTPUT_NAMES = ("Why", "by")


@dataclass(frozen=True)
class Net:
    """What a network is, without its numbers: cell, vocabulary V, hidden size H, layers."""

    V: int
    H: int
    kind: str = "rnn"
    layers: int = 1

    @property
    def cell(self) -> ModuleType:
        return CELLS[self.kind]

    def name(self, base: str, layer: int) -> str:
        """Layer 0's arrays keep the base name (the seed's, for the rnn); layer l adds l + 1."""
        return base if layer == 0 else f"{base}{layer + 1}"

    def layer_names(self, layer: int) -> dict[str, str]:
        n_in = self.V if layer == 0 else self.H
        return {base: self.name(base, layer) for base in self.cell.layer_shapes(n_in, self.H)}

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Every array's name and shape, in storage order (for the rnn: the seed's order)."""
        out: dict[str, tuple[int, ...]] = {}
        for layer in range(self.layers):
            n_in = self.V if layer == 0 else self.H
            for base, shape in self.cell.layer_shapes(n_in, self.H).items():
                out[self.name(base, layer)] = shape
        out["Why"], out["by"] = (self.V, self.H), (self.V,)
        if self.kind == "rnn" and self.layers == 1:  # the seed's order
            return {k: out[k] for k in PARAM_NAMES}
        return out

    @property
    def layer_state(self) -> int:
        """Width of one layer's state: H, or 2H for [h, c]."""
        return len(self.cell.CARRIES) * self.H

    @property
    def state_size(self) -> int:
        return self.layers * self.layer_state

    def layer_slice(self, layer: int) -> slice:
        return slice(layer * self.layer_state, (layer + 1) * self.layer_state)

    def state_parts(self) -> list[tuple[str, slice]]:
        """Labelled parts of a state vector: ("h", ...) for one layer, ("h1", "c1", "h2"...)."""
        parts = []
        for layer in range(self.layers):
            for k, carry in enumerate(self.cell.CARRIES):
                start = layer * self.layer_state + k * self.H
                label = carry if self.layers == 1 else f"{carry}{layer + 1}"
                parts.append((label, slice(start, start + self.H)))
        return parts

    def hidden(self, states: np.ndarray) -> np.ndarray:
        """Every layer's h from states (..., S): (..., layers * H), without LSTM cells."""
        if len(self.cell.CARRIES) == 1:
            return states
        parts = [states[..., sl] for label, sl in self.state_parts() if label[0] == "h"]
        return np.concatenate(parts, axis=-1)

    def top(self, states: np.ndarray) -> np.ndarray:
        """The top layer's h from states (..., S): (..., H), a view."""
        start = (self.layers - 1) * self.layer_state
        return states[..., start : start + self.H]

    @property
    def size(self) -> int:
        """The number of parameters (Params.flat.size), without allocating them."""
        return sum(int(np.prod(shape)) for shape in self.shapes().values())

    def describe(self) -> str:
        """'lstm 2x128', 'rnn 100': the cell, layers and hidden size, for labels."""
        layers = f"{self.layers}x" if self.layers > 1 else ""
        return f"{self.kind} {layers}{self.H}"


class Params:
    """A network's arrays as views into one contiguous buffer `flat`, each also an
    attribute (P.Wxh, P.Why, P.Wh2...).

    Gradients and optimiser memories use the same class, so one numpy call on `flat`
    touches every array at once.
    """

    def __init__(
        self,
        V: int,
        H: int,
        dtype=np.float64,
        flat: np.ndarray | None = None,
        *,
        kind: str = "rnn",
        layers: int = 1,
    ):
        self.net = Net(V, H, kind, layers)
        self.V, self.H = V, H
        shapes = self.net.shapes()
        size = sum(int(np.prod(s)) for s in shapes.values())
        if flat is None:
            flat = np.zeros(size, dtype=dtype)
        assert flat.shape == (size,) and flat.flags.c_contiguous
        self.flat = flat
        self._arrays: dict[str, np.ndarray] = {}
        offset = 0
        for name, shape in shapes.items():
            n = int(np.prod(shape))
            self._arrays[name] = flat[offset : offset + n].reshape(shape)
            setattr(self, name, self._arrays[name])
            offset += n

    Wxh: np.ndarray  # (H, V) input to hidden (the rnn's layer 1)
    Whh: np.ndarray  # (H, H) hidden to hidden (the rnn's layer 1)
    Why: np.ndarray  # (V, H) hidden to output
    bh: np.ndarray  # (H,)   hidden bias (the rnn's layer 1)
    by: np.ndarray  # (V,)   output bias

    @property
    def dtype(self) -> np.dtype:
        return self.flat.dtype

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._arrays)

    def layer(self, layer: int) -> dict[str, np.ndarray]:
        """One layer's arrays under the cell's base names (Wx, Wh, b...)."""
        return {base: self._arrays[name] for base, name in self.net.layer_names(layer).items()}

    @classmethod
    def of(cls, net: Net, dtype=np.float64, flat: np.ndarray | None = None) -> Params:
        return cls(net.V, net.H, dtype, flat, kind=net.kind, layers=net.layers)

    @classmethod
    def init(
        cls, V: int, H: int, rng: np.random.Generator, dtype=np.float64, kind="rnn", layers=1
    ) -> Params:
        """Layer 1 first, then Why, then the deeper layers: for a 1-layer rnn that is the
        seed's initialisation (randn * 0.01 for Wxh, Whh, Why in that order, zero biases)."""
        P = cls(V, H, np.float64, kind=kind, layers=layers)
        cell = P.net.cell
        cell.init_layer(P.layer(0), rng)
        if kind == "rnn":
            P.Why[...] = rng.standard_normal(P.Why.shape) * 0.01
        else:
            P.Why[...] = rng.uniform(-cell.INIT_RANGE, cell.INIT_RANGE, P.Why.shape)
        for layer in range(1, layers):
            cell.init_layer(P.layer(layer), rng)
        return P.astype(dtype)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], dtype=None, net: Net | None = None):
        """Build from named arrays (biases (n,) or (n, 1)), copying them. Without `net`,
        the seed's five arrays of a 1-layer rnn."""
        if net is None:
            H, V = np.shape(arrays["Wxh"])
            net = Net(V, H)
        shapes = net.shapes()
        dtype = dtype or np.result_type(*(np.asarray(arrays[k]).dtype for k in shapes))
        P = cls.of(net, dtype)
        for name, shape in shapes.items():
            P._arrays[name][...] = np.asarray(arrays[name]).reshape(shape)
        return P

    def arrays(self) -> dict[str, np.ndarray]:
        return dict(self._arrays)

    def zeros_like(self) -> Params:
        return Params.of(self.net, self.dtype)

    def copy(self) -> Params:
        return Params.of(self.net, flat=self.flat.copy())

    def astype(self, dtype) -> Params:
        return Params.of(self.net, flat=self.flat.astype(dtype))

    def zero_state(self, *batch: int) -> np.ndarray:
        """A zero state, (S,) or (B, S)."""
        return np.zeros((*batch, self.net.state_size), dtype=self.dtype)


# --- The forward maths: one copy, used by all but the exact batch-1 loss -----------------


@dataclass
class LayerTrace:
    """One layer's forward pass, kept for its backward pass."""

    x: np.ndarray | None  # (T, B, H) the input from the layer below (None: the characters)
    states: np.ndarray  # (T + 1, B, layer_state): states[0] = the state carried in
    acts: np.ndarray | None  # (T, B, ...) the cell's activations (gates), if it has any
    mask: np.ndarray | None = None  # (T, B, H) dropout on this layer's h, scaled 1/(1-p)


@dataclass
class Trace:
    """A forward pass over T steps of B streams."""

    net: Net
    inputs: np.ndarray  # (T, B) character indices
    layers: list[LayerTrace] = field(default_factory=list)
    top: np.ndarray | None = None  # (T, B, H) what the output layer reads (after dropout)

    def last_state(self) -> np.ndarray:
        """(B, S): the state after the last step, to carry into the next block."""
        return np.concatenate([lt.states[-1] for lt in self.layers], axis=-1)

    def states(self) -> np.ndarray:
        """(T, B, S): the state after each step, every layer's h (and c)."""
        return np.concatenate([lt.states[1:] for lt in self.layers], axis=-1)


def forward(
    P: Params,
    inputs: np.ndarray,
    s0: np.ndarray,
    dropout: float = 0.0,
    rng: np.random.Generator | None = None,
) -> Trace:
    """Run B streams over T steps: inputs (T, B) integer indices, s0 (B, S) -> a Trace.

    dropout > 0 (training only, with rng) zeroes each layer's h going up with that
    probability and scales the rest by 1 / (1 - dropout), so evaluation needs no rescaling.
    """
    net = P.net
    cell, H = net.cell, net.H
    trace = Trace(net, inputs)
    x = None
    for layer in range(net.layers):
        W = P.layer(layer)
        # (T, B, GATES*H): for characters a lookup (Wx @ onehot is a column of Wx), for the
        # layer below's h one matmul over all steps
        xw = W[cell.WX].T[inputs] if x is None else x @ W[cell.WX].T
        ss, acts = cell.run(W, xw, s0[:, net.layer_slice(layer)])
        h = ss[1:, :, :H]  # (T, B, H)
        mask = None
        if dropout > 0 and rng is not None:
            keep = rng.random(h.shape) >= dropout
            mask = keep.astype(P.dtype) * P.dtype.type(1.0 / (1.0 - dropout))
            h = h * mask
        trace.layers.append(LayerTrace(x, ss, acts, mask))
        x = h
    trace.top = x
    return trace


def hidden_states(P: Params, ixs: np.ndarray, s: np.ndarray) -> np.ndarray:
    """One stream: ixs (T,), state s (S,) -> the state after each character (T, S)."""
    ixs = np.asarray(ixs, dtype=np.intp)
    return forward(P, ixs[:, None], np.reshape(s, (1, P.net.state_size))).states()[:, 0]


def logits(P: Params, hs: np.ndarray) -> np.ndarray:
    """The output layer y = Why h + by for top-layer states hs (..., H): new (..., V)."""
    ys = np.dot(P.Why, hs) if hs.ndim == 1 else hs @ P.Why.T  # gemv for one state
    ys += P.by
    return ys


def softmax_(ys: np.ndarray) -> np.ndarray:
    """p = softmax(y) over the last axis, in place in ys (..., V), which it returns.

    Shifted by the max first: softmax is shift-invariant and exp then cannot overflow.
    """
    ys -= ys.max(axis=-1, keepdims=True)
    np.exp(ys, out=ys)
    ys /= ys.sum(axis=-1, keepdims=True)
    return ys


def next_char_probs(P: Params, states: np.ndarray) -> np.ndarray:
    """p = softmax(Why h + by) for full states (..., S) (h: the top layer's): (..., V)."""
    return softmax_(logits(P, P.net.top(states)))


def loss_and_grads(
    P: Params,
    inputs: np.ndarray,
    targets: np.ndarray,
    s0: np.ndarray,
    grads: Params,
    dropout: float = 0.0,
    rng: np.random.Generator | None = None,
) -> tuple[float, np.ndarray]:
    """Forward and backward over a block of T steps for B streams.

    inputs, targets: (T, B) integer indices; s0: (B, S) state carried in from the
    previous block. Writes the gradient into `grads` (unclipped) and returns
    (loss, state (B, S) after the block) where loss is the mean over streams of each
    stream's summed cross-entropy: at B = 1 it is the seed's per-sequence loss, and at
    any B it stays on the same scale. The gradient is that of the returned loss.
    """
    T, B = inputs.shape
    net = P.net
    if B == 1 and net.kind == "rnn" and net.layers == 1 and not (dropout > 0 and rng):
        loss, h = seed_loss_and_grads(P, inputs[:, 0], targets[:, 0], s0[0], grads)
        return loss, h[None, :]
    H, V = net.H, net.V
    trace = forward(P, inputs, s0, dropout, rng)
    hT = trace.top  # (T, B, H)
    ps = softmax_(logits(P, hT))  # (T, B, V)
    t_idx, b_idx = index_grid(T, B)
    loss = -np.log(ps[t_idx, b_idx, targets]).sum() / B

    # backward: dy = p - onehot(target), scaled to the gradient of the mean over streams
    dy = ps
    dy[t_idx, b_idx, targets] -= 1
    dy *= 1.0 / B
    dy2 = dy.reshape(T * B, V)
    np.matmul(dy2.T, hT.reshape(T * B, H), out=grads.Why)
    np.sum(dy2, axis=0, out=grads.by)
    backward(P, trace, dy @ P.Why, grads)
    return float(loss), trace.last_state()


def backward(P: Params, trace: Trace, dtop: np.ndarray, grads: Params) -> None:
    """Gradients of every layer from dL/d(top) (T, B, H), top layer first."""
    net = P.net
    cell = net.cell
    T, B = trace.inputs.shape
    dx = dtop  # dL/d(the input of the layer above), i.e. of this layer's h after dropout
    for layer in range(net.layers - 1, -1, -1):
        lt, W, G = trace.layers[layer], P.layer(layer), grads.layer(layer)
        dh = dx * lt.mask if lt.mask is not None else dx
        dxw = cell.backward(W, lt.states, lt.acts, dh, G)  # (T, B, GATES*H)
        dxw2 = dxw.reshape(T * B, -1)
        if lt.x is None:  # the characters: the column lookup's gradient
            scatter_columns(G[cell.WX], trace.inputs.reshape(-1), dxw2)
        else:
            np.matmul(dxw2.T, lt.x.reshape(T * B, net.H), out=G[cell.WX])
            dx = dxw @ W[cell.WX]  # (T, B, H) into the layer below


_GRIDS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def index_grid(T: int, B: int) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays (T, 1) and (1, B) for picking one entry per (t, b); cached per shape."""
    grid = _GRIDS.get((T, B))
    if grid is None:
        grid = _GRIDS[(T, B)] = (np.arange(T)[:, None], np.arange(B)[None, :])
    return grid


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

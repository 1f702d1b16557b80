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

Net and Params (models/params.py) say what a network is and hold its arrays, all in one
flat buffer, so clipping and the optimisers are a handful of numpy calls whatever the
network. Sampling steps the network one character at a time (sampling.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .models.columns import arange as _arange
from .models.params import Net, Params
from .models.rnn import seed_loss_and_grads

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

    def gates(self, layer: int) -> dict[str, np.ndarray]:
        """Layer `layer`'s sigmoid gates after the sigmoid, {name: (T, B, H) view} in the
        cell's order (cell.SIGMOID_GATES, the first blocks of its activations); {} for a
        cell without gates."""
        acts, H = self.layers[layer].acts, self.net.H
        names = self.net.cell.SIGMOID_GATES
        return {name: acts[..., k * H : (k + 1) * H] for k, name in enumerate(names)}


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
        # (T, B, GATES*H): for characters a lookup (Wx @ onehot is a column of Wx; taken
        # from a contiguous copy of Wx^T, since gathering columns in place reads across
        # the whole matrix for every row), for the layer below's h one matmul over all steps
        xw = np.ascontiguousarray(W[cell.WX].T)[inputs] if x is None else x @ W[cell.WX].T
        ss, acts = cell.run(W, xw, s0[:, net.layer_slice(layer)])
        h = ss[1:, :, :H]  # (T, B, H)
        if not h.flags.c_contiguous:  # an LSTM's [h, c] rows: numpy's matmul runs its own
            h = np.ascontiguousarray(h)  # slow loop, not BLAS, on a strided 3-D stack (30x)
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
    if B == 1 and net.kind == "rnn" and net.layers == 1 and not (dropout > 0 and rng is not None):
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
        if lt.x is None:  # the characters: the column lookup's gradient, dxw^T onehot
            # (a gemm: at B = 32 several times faster than scattering the rows one by one)
            onehot = np.zeros((T * B, net.V), dtype=dxw2.dtype)  # (T*B, V)
            onehot[_arange(T * B), trace.inputs.reshape(-1)] = 1
            np.matmul(dxw2.T, onehot, out=G[cell.WX])
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

"""The vanilla RNN cell of min-char-rnn, with the seed's names:

    h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)

Layer 1 of a 1-layer network is the seed's network exactly: seed_loss_and_grads repeats
the seed's floating-point operations in the seed's order (see its docstring), and
init_layer draws Wxh then Whh as the seed does (model.py draws Why after them).
"""

from __future__ import annotations

import math

import numpy as np

from .columns import arange, scatter_columns
from .gates import recurrent_matmul, run_steps

WX, WH = "Wxh", "Whh"
GATES = 1
CARRIES = ("h",)
SIGMOID_GATES: tuple[str, ...] = ()


def layer_shapes(n_in: int, H: int) -> dict[str, tuple[int, ...]]:
    return {"Wxh": (H, n_in), "Whh": (H, H), "bh": (H,)}


def init_weights(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """The seed's initial weights, randn * 0.01 (its output layer's too)."""
    return rng.standard_normal(shape) * 0.01


def init_layer(W: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """The seed's initialisation: init_weights for the matrices, a zero bias."""
    for name in (WX, WH):
        W[name][...] = init_weights(W[name].shape, rng)


def step(W, xw: np.ndarray, s: np.ndarray, out: np.ndarray, acts=None) -> np.ndarray:
    """h_t = tanh(Wxh x_t + Whh h_{t-1} + bh) into out: s, out (..., H), xw = Wxh x_t."""
    recurrent_matmul(s, W[WH], out)
    out += xw
    out += W["bh"]
    return np.tanh(out, out)


def run(W, xw: np.ndarray, s0: np.ndarray) -> tuple[np.ndarray, None]:
    """xw (T, B, H), s0 (B, H) -> hs (T + 1, B, H) with hs[0] = s0; no other activations."""
    return run_steps(step, W, xw, s0, None)


def backward(W, hs: np.ndarray, acts, dh: np.ndarray, G) -> np.ndarray:
    """dh (T, B, H) = dL/dh_t from above (overwritten) -> dL/d(Wxh x_t) (T, B, H).

    Writes G["Whh"] and G["bh"]; dhnext flows back through Whh within the block.
    """
    T, B, H = dh.shape
    hT = hs[1:]
    dtanh = hT * hT
    np.subtract(1, dtanh, out=dtanh)  # (T, B, H) 1 - h^2, tanh'
    dhraw = dh  # overwritten step by step, t = T-1 .. 0
    Whh = W[WH]
    for t in range(T - 1, 0, -1):
        dhraw[t] *= dtanh[t]
        dh[t - 1] += dhraw[t] @ Whh  # dhnext flows back into h_{t-1}
    dhraw[0] *= dtanh[0]
    dhraw2 = dhraw.reshape(T * B, H)
    np.sum(dhraw2, axis=0, out=G["bh"])
    np.matmul(dhraw2.T, hs[:-1].reshape(T * B, H), out=G[WH])
    return dhraw


def seed_loss_and_grads(P, inputs, targets, hprev, grads):
    """One stream of a 1-layer network, bit for bit the seed's lossFun.

    Training is chaotic: a rounding difference in the last bit grows to O(1) parameter
    differences within ~50 iterations (Adagrad's 1/sqrt(1e-8) amplifies tiny gradients).
    So "exactly the seed's maths" must mean the seed's floating-point operations in the
    seed's order. Every vectorised step below was chosen because it rounds identically:
    a batched matmul of (T, V, H) @ (T, H, 1) runs one gemv per step like np.dot, row sums
    of a (T, V) array use the same pairwise summation as np.sum of one column, and the
    gradient sums over t are sequential, in the seed's reversed order (einsum and
    reductions over a leading axis accumulate sequentially; a gemm would fuse and reorder).
    """
    T = len(inputs)
    H = P.H
    dot, tanh = np.dot, np.tanh  # local names: the loops below are bound by call overhead
    # Time runs backwards in every buffer below (row k holds step t = T-1-k), because the
    # seed accumulates its gradients from t = T-1 down to 0: the sums over t are then
    # reductions over contiguous arrays in their natural order, with no reversed copies.
    xh = P.Wxh.T[inputs]  # (T, H): Wxh @ onehot(x) is exactly a column of Wxh
    hs = np.empty((T + 1, H), dtype=P.dtype)  # hs[k] = h_{T-1-k}, hs[T] = hprev
    rows = list(hs)
    h = rows[T]
    h[...] = hprev
    Whh, bh = P.Whh, P.bh
    for x, h_next in zip(xh, reversed(rows[:T]), strict=True):
        dot(Whh, h, h_next)  # out= given by position: keyword parsing costs ~0.5 us a call
        h_next += x
        h_next += bh
        tanh(h_next, h_next)
        h = h_next
    h_rev = hs[:T]  # (T, H) h_t, newest first
    h_prev_rev = hs[1:]  # (T, H) h_{t-1}, newest first
    targets_rev = targets[::-1]
    ys = np.matmul(P.Why, h_rev[:, :, None])[:, :, 0]  # (T, V), one gemv per step
    ys += P.by
    ps = np.exp(ys)
    ps /= ps.sum(axis=1, keepdims=True)
    steps = arange(T)
    logp = np.log(ps[steps, targets_rev])
    loss = float(-logp[::-1].cumsum()[-1])  # sequential from t = 0, like the seed's loss +=
    if not math.isfinite(loss):  # exp overflowed where the seed would give nan: shift instead
        ys -= ys.max(axis=1, keepdims=True)
        ps = np.exp(ys)
        ps /= ps.sum(axis=1, keepdims=True)
        loss = float(-np.log(ps[steps, targets_rev])[::-1].cumsum()[-1])

    dy = ps  # (T, V), newest first
    dy[steps, targets_rev] -= 1
    dhraw = np.matmul(dy[:, None, :], P.Why)[:, 0, :]  # (T, H) Why.T @ dy per step
    dtanh = h_rev * h_rev
    np.subtract(1, dtanh, out=dtanh)  # (T, H) 1 - h^2
    dhnext = np.zeros(H, dtype=P.dtype)
    for dh, d_tanh in zip(dhraw, dtanh, strict=True):  # dh becomes dhraw_t in place
        dh += dhnext  # dh = Why.T @ dy + dhnext
        dh *= d_tanh  # dhraw = (1 - h^2) * dh
        dot(dh, Whh, dhnext)  # dhnext = Whh.T @ dhraw
    np.einsum("tv,th->vh", dy, h_rev, out=grads.Why)
    np.add.reduce(dy, axis=0, out=grads.by)
    np.add.reduce(dhraw, axis=0, out=grads.bh)
    np.einsum("ti,tj->ij", dhraw, h_prev_rev, out=grads.Whh)
    scatter_columns(grads.Wxh, inputs[::-1], dhraw)
    return loss, hs[0].copy()

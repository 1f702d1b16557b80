"""The vanilla character RNN of min-char-rnn, vectorised over time and a batch of streams.

The maths is the seed's, with the same names:

    h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)      x_t one-hot, so Wxh x_t is a column of Wxh
    y_t = Why h_t + by
    p_t = softmax(y_t)
    loss = sum_t -log p_t[target_t]              summed over the T steps of one sequence

Shapes follow the seed (Wxh (H, V), Whh (H, H), Why (V, H)); states and activations are
stored row-wise, one row per stream: h (B, H), ys (T, B, V). At B = 1 this is exactly the
seed's lossFun; the only changes are where the maths allows them (summation order,
a max-shifted softmax so large logits do not overflow).

The forward maths is written once: hidden_step (one step of the recurrence), forward
(T steps of B streams), logits and softmax_. The batched loss, the held-out loss
(evaluate_loss), sampling and the insight views all run the network through them. The
one exception is the batch-1 training loss, _loss_and_grads_one, which keeps its own loop
because it must repeat the seed's floating-point operations in the seed's order.

Batch-1 speed is bound by the number of numpy calls, not by arithmetic, so all five
parameters live in one flat buffer (the matrices are views into it): clipping and Adagrad
are then a handful of calls, and everything that does not depend on the recurrence is
computed for all T steps at once. Only the two loops over t (tanh recurrence forward,
dh through Whh backward) remain.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")
DTYPES = {"float64": np.float64, "float32": np.float32}


def param_shapes(V: int, H: int) -> dict[str, tuple[int, ...]]:
    """The seed's shapes; biases are kept 1-D inside the engine and (H, 1) in files."""
    return {"Wxh": (H, V), "Whh": (H, H), "Why": (V, H), "bh": (H,), "by": (V,)}


class Params:
    """Wxh, Whh, Why, bh, by as views into one contiguous buffer `flat`.

    Gradients and Adagrad memories use the same class, so one numpy call on `flat`
    touches all five arrays at once.
    """

    def __init__(self, V: int, H: int, dtype=np.float64, flat: np.ndarray | None = None):
        self.V, self.H = V, H
        shapes = param_shapes(V, H)
        size = sum(int(np.prod(s)) for s in shapes.values())
        if flat is None:
            flat = np.zeros(size, dtype=dtype)
        assert flat.shape == (size,) and flat.flags.c_contiguous
        self.flat = flat
        offset = 0
        for name, shape in shapes.items():
            n = int(np.prod(shape))
            setattr(self, name, flat[offset : offset + n].reshape(shape))
            offset += n

    Wxh: np.ndarray  # (H, V) input to hidden
    Whh: np.ndarray  # (H, H) hidden to hidden
    Why: np.ndarray  # (V, H) hidden to output
    bh: np.ndarray  # (H,)   hidden bias
    by: np.ndarray  # (V,)   output bias

    @property
    def dtype(self) -> np.dtype:
        return self.flat.dtype

    @classmethod
    def init(cls, V: int, H: int, rng: np.random.Generator, dtype=np.float64) -> Params:
        """The seed's initialisation: randn * 0.01 for the matrices, zero biases."""
        P = cls(V, H, np.float64)
        for name in ("Wxh", "Whh", "Why"):
            arr = getattr(P, name)
            arr[...] = rng.standard_normal(arr.shape) * 0.01
        return P.astype(dtype)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], dtype=None) -> Params:
        """Build from the five named arrays (biases (H,) or (H, 1)), copying them."""
        H, V = np.shape(arrays["Wxh"])
        dtype = dtype or np.result_type(*(np.asarray(arrays[k]).dtype for k in PARAM_NAMES))
        P = cls(V, H, dtype)
        for name, shape in param_shapes(V, H).items():
            getattr(P, name)[...] = np.asarray(arrays[name]).reshape(shape)
        return P

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in PARAM_NAMES}

    def zeros_like(self) -> Params:
        return Params(self.V, self.H, self.dtype)

    def copy(self) -> Params:
        return Params(self.V, self.H, flat=self.flat.copy())

    def astype(self, dtype) -> Params:
        return Params(self.V, self.H, flat=self.flat.astype(dtype))


# --- The forward maths: one copy, used by all but the exact batch-1 loss below ----------


def hidden_step(P: Params, wx: np.ndarray, h: np.ndarray, out: np.ndarray) -> np.ndarray:
    """One step of the recurrence, h_t = tanh(Wxh x_t + Whh h_{t-1} + bh), into `out`.

    wx (..., H) is Wxh x_t, i.e. the column of Wxh for the input character (looked up by
    the caller, for all steps at once where it can); h (..., H) is h_{t-1}, one row per
    stream or a single (H,) state; out has h's shape and must not be h. Returns out.
    """
    if h.ndim == 1:  # one state (sampling): Whh @ h is a faster gemv than h @ Whh.T
        np.dot(P.Whh, h, out)
    else:
        np.matmul(h, P.Whh.T, out)  # into out: no fresh (B, H) array per step
    out += wx
    out += P.bh
    return np.tanh(out, out)


def forward(P: Params, inputs: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """Hidden states of B streams over T steps: inputs (T, B) integer indices, h0 (B, H)
    -> hs (T + 1, B, H) with hs[0] = h0 and hs[t + 1] = h_t, the state after inputs[t].

    The input projection of all T * B characters is one lookup of columns of Wxh; the loop
    over t does only what depends on the previous state.
    """
    T, B = inputs.shape
    wx = P.Wxh.T[inputs]  # (T, B, H)
    hs = np.empty((T + 1, B, P.H), dtype=P.dtype)
    hs[0] = h0
    for t in range(T):
        hidden_step(P, wx[t], hs[t], hs[t + 1])
    return hs


def hidden_states(P: Params, ixs: np.ndarray, h: np.ndarray) -> np.ndarray:
    """One stream: ixs (T,), h (H,) -> the state after each character (T, H)."""
    ixs = np.asarray(ixs, dtype=np.intp)
    return forward(P, ixs[:, None], np.reshape(h, (1, P.H)))[1:, 0]


def logits(P: Params, hs: np.ndarray) -> np.ndarray:
    """The output layer y = Why h + by for states hs (..., H): a new array (..., V)."""
    ys = np.dot(P.Why, hs) if hs.ndim == 1 else hs @ P.Why.T  # as in hidden_step
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


def next_char_probs(P: Params, hs: np.ndarray) -> np.ndarray:
    """p = softmax(Why h + by) for states hs (..., H): (..., V)."""
    return softmax_(logits(P, hs))


def loss_and_grads(
    P: Params, inputs: np.ndarray, targets: np.ndarray, hprev: np.ndarray, grads: Params
) -> tuple[float, np.ndarray]:
    """Forward and backward over a block of T steps for B streams.

    inputs, targets: (T, B) integer indices; hprev: (B, H) state carried in from the
    previous block. Writes the gradient into `grads` (unclipped) and returns
    (loss, h_last (B, H)) where loss is the mean over streams of each stream's summed
    cross-entropy: at B = 1 it is the seed's per-sequence loss, and at any B it stays on
    the same scale. The gradient is that of the returned loss, i.e. the batch sum / B.
    """
    if inputs.shape[1] == 1:
        loss, h = _loss_and_grads_one(P, inputs[:, 0], targets[:, 0], hprev[0], grads)
        return loss, h[None, :]
    return _loss_and_grads_batch(P, inputs, targets, hprev, grads)


def _loss_and_grads_one(P, inputs, targets, hprev, grads):
    """One stream, bit for bit the seed's lossFun.

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
    steps = _arange(T)
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
    _scatter_columns(grads.Wxh, inputs[::-1], dhraw)
    return loss, hs[0].copy()


def _loss_and_grads_batch(P, inputs, targets, hprev, grads):
    """B > 1 streams: everything but the recurrence is one large matmul over (T*B)."""
    T, B = inputs.shape
    H, V = P.H, P.V
    hs = forward(P, inputs, hprev)  # (T + 1, B, H): hs[0] = hprev, hs[t + 1] = h_t
    hT = hs[1:]  # (T, B, H)
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
    dh_out = dy @ P.Why  # (T, B, H) gradient reaching h_t from the output at step t
    dtanh = hT * hT
    np.subtract(1, dtanh, out=dtanh)  # 1 - h^2, tanh'
    dhraw = dh_out  # overwritten step by step, t = T-1 .. 0
    Whh = P.Whh
    for t in range(T - 1, 0, -1):
        dhraw[t] *= dtanh[t]
        dh_out[t - 1] += dhraw[t] @ Whh  # dhnext flows back into h_{t-1}
    dhraw[0] *= dtanh[0]
    dhraw2 = dhraw.reshape(T * B, H)
    np.sum(dhraw2, axis=0, out=grads.bh)
    np.matmul(dhraw2.T, hs[:-1].reshape(T * B, H), out=grads.Whh)
    _scatter_columns(grads.Wxh, inputs.reshape(-1), dhraw2)  # the column lookup's gradient
    return float(loss), hs[T].copy()


def _scatter_columns(out: np.ndarray, columns: np.ndarray, rows: np.ndarray) -> None:
    """out (H, V) = 0, then out[:, columns[k]] += rows[k] for k = 0, 1, ... in that order.

    This is the seed's dWxh += dot(dhraw, x.T) over its steps: np.bincount adds its weights
    one by one in input order starting from 0.0, so each column's sum is sequential in
    the order given (exactly the seed's, signed zeros included), and it is one pass where
    np.add.at was several times slower.
    """
    H, V = out.shape
    flat_index = np.add.outer(columns, _arange(H) * V)  # (K, H): [k, i] -> i * V + column
    out[...] = np.bincount(flat_index.ravel(), rows.ravel(), H * V).reshape(H, V)


_ARANGES: dict[int, np.ndarray] = {}


def _arange(n: int) -> np.ndarray:
    a = _ARANGES.get(n)
    if a is None:
        a = _ARANGES[n] = np.arange(n)
    return a


_GRIDS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def index_grid(T: int, B: int) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays (T, 1) and (1, B) for picking one entry per (t, b); cached per shape."""
    grid = _GRIDS.get((T, B))
    if grid is None:
        grid = _GRIDS[(T, B)] = (np.arange(T)[:, None], np.arange(B)[None, :])
    return grid


def sample(
    P: Params,
    h: np.ndarray,
    seed_ix: int,
    n: int,
    rng: np.random.Generator,
    temperature: float = 1.0,
) -> np.ndarray:
    """Sample n indices (n,), feeding seed_ix first from state h (H,), like the seed's sample().

    temperature 1.0 is the seed's behaviour, 0 takes the argmax at every step. One
    uniform draw per character is inverted through the cumulative distribution, which is
    what np.random.choice does, without its per-call overhead.
    """
    return np.fromiter(sample_iter(P, h, seed_ix, n, rng, temperature), np.int64, count=n)


def sample_iter(
    P: Params,
    h: np.ndarray,
    seed_ix: int | None,
    n: int,
    rng: np.random.Generator,
    temperature: float = 1.0,
) -> Iterator[int]:
    """sample() one index at a time, for output that streams as it is generated. The n
    uniform draws are taken from rng at the first index, so the generator's state moves
    the same whether or not every index is read. seed_ix None: the first character is
    drawn from the prediction of state h itself (nothing is fed first)."""
    Wx = np.ascontiguousarray(P.Wxh.T)  # (V, H): row ix is Wxh x for x = onehot(ix)
    exp = np.exp
    u = rng.random(n) if temperature > 0 else None
    inv_t = 1.0 / temperature if temperature > 0 else 0.0
    h = np.array(h, dtype=P.dtype).reshape(P.H)  # (H,) a copy: the caller's h is kept
    h_next = np.empty_like(h)
    ix = seed_ix
    for t in range(n):
        if ix is not None:
            hidden_step(P, Wx[ix], h, h_next)
            h, h_next = h_next, h  # two buffers, swapped: no fresh array per character
        y = logits(P, h)  # (V,)
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


# --- The held-out loss ---------------------------------------------------------------------

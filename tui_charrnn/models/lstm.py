"""The LSTM cell (Hochreiter & Schmidhuber 1997, with a forget gate), gates fused:

    a_t = Wx x_t + Wh h_{t-1} + b                    (4H,), blocks in the order i, f, o, g
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o)
    g = tanh(a_g)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Wx (4H, inputs), Wh (4H, H), b (4H,): one (B, H) x (H, 4H) matmul per step for all four
gates. The forget gate's bias starts at 1, as in char-rnn, so early on the cell keeps
what it holds. A layer's state is [h, c], (..., 2H).
"""

from __future__ import annotations

import numpy as np

from .gates import recurrent_matmul, run_steps, uniform_weights

WX, WH = "Wx", "Wh"
GATES = 4
CARRIES = ("h", "c")
SIGMOID_GATES = ("input", "forget", "output")
init_weights = uniform_weights  # for this cell's matrices and the output layer's


def layer_shapes(n_in: int, H: int) -> dict[str, tuple[int, ...]]:
    return {"Wx": (4 * H, n_in), "Wh": (4 * H, H), "b": (4 * H,)}


def init_layer(W: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    for name in (WX, WH):
        W[name][...] = init_weights(W[name].shape, rng)
    H = W["b"].shape[0] // 4
    W["b"][...] = 0
    W["b"][H : 2 * H] = 1.0  # the forget gate


def step(W, xw: np.ndarray, s: np.ndarray, out: np.ndarray, acts=None) -> np.ndarray:
    """s, out (..., 2H) = [h, c]; xw (..., 4H) = Wx x_t; acts (..., 4H) receives i, f, o, g
    (contiguous: numpy's elementwise passes over strided blocks cost 2-7 times more)."""
    H = s.shape[-1] // 2
    a = np.empty_like(xw) if acts is None else acts
    recurrent_matmul(s[..., :H], W[WH], a)
    a += xw
    a += W["b"]
    # sigmoid(x) = 0.5 + 0.5 tanh(x / 2): one tanh over all four blocks, g's included
    # (tanh is most of a step's cost beside the matmul, and one call on (B, 4H) is the
    # cheapest way numpy has to take it)
    ifo = a[..., : 3 * H]
    ifo *= 0.5
    np.tanh(a, out=a)
    ifo *= 0.5
    ifo += 0.5
    i, f, o, g = a[..., :H], a[..., H : 2 * H], a[..., 2 * H : 3 * H], a[..., 3 * H :]
    h, c = out[..., :H], out[..., H:]
    np.multiply(f, s[..., H:], out=c)
    np.multiply(i, g, out=h)  # h as scratch: c = f c + i g
    c += h
    np.tanh(c, out=h)
    h *= o
    return out


def run(W, xw: np.ndarray, s0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """xw (T, B, 4H), s0 (B, 2H) -> states (T + 1, B, 2H), gate activations (T, B, 4H)."""
    return run_steps(step, W, xw, s0, np.empty_like(xw))


def backward(W, ss: np.ndarray, acts: np.ndarray, dh: np.ndarray, G) -> np.ndarray:
    """dh (T, B, H) = dL/dh_t from above (overwritten) -> dL/da_t (T, B, 4H); acts from run.

    Everything that does not depend on the recursion (the gates' derivatives times what
    they multiply) is computed for all T at once; the loop carries dc and dh back.
    """
    T, B, H = dh.shape
    i, f, o, g = acts[..., :H], acts[..., H : 2 * H], acts[..., 2 * H : 3 * H], acts[..., 3 * H :]
    c_prev = ss[:-1, :, H:]
    tc = np.tanh(ss[1:, :, H:])  # (T, B, H) tanh(c_t), again: cheaper than keeping it
    dc_dh = tc * tc
    np.subtract(1, dc_dh, out=dc_dh)
    dc_dh *= o  # dL/dc_t from dL/dh_t: o tanh'(c)
    # da = K * [dc, dc, dh, dc] blockwise: sigmoid' = s (1 - s), tanh' = 1 - g^2
    K = np.subtract(1, acts)  # (T, B, 4H)
    K *= acts  # act (1 - act); g's block is redone below
    K[..., :H] *= g
    K[..., H : 2 * H] *= c_prev
    K[..., 2 * H : 3 * H] *= tc
    np.multiply(g, g, out=K[..., 3 * H :])
    np.subtract(1, K[..., 3 * H :], out=K[..., 3 * H :])
    K[..., 3 * H :] *= i
    K4 = K.reshape(T, B, 4, H)
    da = np.empty((T, B, 4 * H), dtype=dh.dtype)
    da4 = da.reshape(T, B, 4, H)
    dc = np.zeros((B, H), dtype=dh.dtype)  # dL/dc_t, carried back
    tmp = np.empty_like(dc)
    Wh = W[WH]
    for t in range(T - 1, -1, -1):
        dht = dh[t]
        np.multiply(dht, dc_dh[t], out=tmp)
        dc += tmp
        np.multiply(dc[:, None, :], K4[t], out=da4[t])  # i, f, g blocks (o's redone)
        np.multiply(dht, K4[t, :, 2], out=da4[t, :, 2])
        dc *= f[t]  # dL/dc_{t-1} through c_t = f c_{t-1} + ...
        if t > 0:
            np.matmul(da[t], Wh, out=tmp)  # dL/dh_{t-1} through the recurrent matmul
            dh[t - 1] += tmp
    da2 = da.reshape(T * B, 4 * H)
    np.sum(da2, axis=0, out=G["b"])
    np.matmul(da2.T, ss[:-1, :, :H].reshape(T * B, H), out=G[WH])
    return da

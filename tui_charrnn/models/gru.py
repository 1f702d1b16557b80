"""The GRU cell (Cho et al. 2014), in the form cuDNN and PyTorch use, gates fused:

    r = sigmoid(Wx_r x_t + Wh_r h_{t-1} + b_r)           reset gate
    z = sigmoid(Wx_z x_t + Wh_z h_{t-1} + b_z)           update gate
    n = tanh(Wx_n x_t + b_n + r * (Wh_n h_{t-1} + bn))   candidate
    h_t = (1 - z) * n + z * h_{t-1}

Wx (3H, inputs) and Wh (3H, H) hold the blocks r, z, n in that order, b (3H,) the input
side's biases and bn (H,) the recurrent side's bias of the candidate. The reset gate
multiplies Wh_n h after the matmul, so one (B, H) x (H, 3H) matmul per step serves all
three blocks. The activations kept per step are r, z, n and Wh_n h + bn: (..., 4H).
"""

from __future__ import annotations

import numpy as np

from .gates import recurrent_matmul, run_steps, sigmoid_, uniform_weights

WX, WH = "Wx", "Wh"
GATES = 3
CARRIES = ("h",)
SIGMOID_GATES = ("reset", "update")
init_weights = uniform_weights  # for this cell's matrices and the output layer's


def layer_shapes(n_in: int, H: int) -> dict[str, tuple[int, ...]]:
    return {"Wx": (3 * H, n_in), "Wh": (3 * H, H), "b": (3 * H,), "bn": (H,)}


def init_layer(W: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    for name in (WX, WH):
        W[name][...] = init_weights(W[name].shape, rng)
    W["b"][...] = 0
    W["bn"][...] = 0


def new_acts(xw: np.ndarray) -> np.ndarray:
    H = xw.shape[-1] // 3
    return np.empty((*xw.shape[:-1], 4 * H), dtype=xw.dtype)


def step(W, xw: np.ndarray, s: np.ndarray, out: np.ndarray, acts=None) -> np.ndarray:
    """s, out (..., H); xw (..., 3H) = Wx x_t; acts (..., 4H) receives r, z, n, Wh_n h + bn."""
    H = s.shape[-1]
    a = new_acts(xw) if acts is None else acts
    recurrent_matmul(s, W[WH], a[..., : 3 * H])  # [Wh_r h, Wh_z h, Wh_n h]
    hn = a[..., 3 * H :]
    np.add(a[..., 2 * H : 3 * H], W["bn"], out=hn)
    rz = a[..., : 2 * H]
    rz += xw[..., : 2 * H]
    rz += W["b"][: 2 * H]
    sigmoid_(rz)
    n = a[..., 2 * H : 3 * H]
    np.multiply(a[..., :H], hn, out=n)
    n += xw[..., 2 * H :]
    n += W["b"][2 * H :]
    np.tanh(n, out=n)
    np.subtract(s, n, out=out)  # h = n + z (h_prev - n)
    out *= a[..., H : 2 * H]
    out += n
    return out


def run(W, xw: np.ndarray, s0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """xw (T, B, 3H), s0 (B, H) -> states (T + 1, B, H), activations (T, B, 4H)."""
    return run_steps(step, W, xw, s0, new_acts(xw))


def backward(W, ss: np.ndarray, acts: np.ndarray, dh: np.ndarray, G) -> np.ndarray:
    """dh (T, B, H) = dL/dh_t from above (overwritten) -> dL/d(Wx x_t) (T, B, 3H).

    Every gradient of step t is dL/dh_t times a factor that does not depend on the
    recursion; the factors are computed for all T at once, so the loop only carries
    dL/dh back (through z and through the recurrent matmul).
    """
    T, B, H = dh.shape
    r, z, n, hn = (acts[..., k * H : (k + 1) * H] for k in range(4))
    h_prev = ss[:-1]
    # dL/d(pre-activations) = dh * K: candidate, then update and reset gates
    K_n = (1 - z) * (1 - n * n)
    K = np.empty((T, B, 3 * H), dtype=dh.dtype)  # for the input side: r, z, n blocks
    np.multiply(K_n * hn, r * (1 - r), out=K[..., :H])
    np.multiply((h_prev - n) * z, 1 - z, out=K[..., H : 2 * H])
    K[..., 2 * H :] = K_n
    K_h = K.copy()  # the recurrent side: the candidate's block goes through r
    K_h[..., 2 * H :] *= r
    dhw = np.empty_like(K)  # dL/d(Wh h_{t-1}) per step
    Wh = W[WH]
    for t in range(T - 1, -1, -1):
        dht = dh[t]
        np.multiply(dht[:, None, :], K_h[t].reshape(B, 3, H), out=dhw[t].reshape(B, 3, H))
        if t > 0:
            dh[t - 1] += dht * z[t]  # through h_t = ... + z h_{t-1}
            dh[t - 1] += dhw[t] @ Wh
    K.reshape(T, B, 3, H)[...] *= dh[:, :, None, :]  # now dL/d(Wx x_t): every block at once
    dhw2 = dhw.reshape(T * B, 3 * H)
    np.matmul(dhw2.T, h_prev.reshape(T * B, H), out=G[WH])
    np.sum(dhw2[:, 2 * H :], axis=0, out=G["bn"])
    np.sum(K.reshape(T * B, 3 * H), axis=0, out=G["b"])
    return K

"""Plain per-timestep transcriptions of the GRU and LSTM maths (any number of layers), the
oracle for the engine's vectorised cells: column vectors, one step and one layer at a time,
a dict per step, the textbook backward pass through time. Written for clarity, not speed.

Parameter names follow the engine's (README, "Checkpoints"): layer 1 Wx, Wh, b (and the
GRU's bn), deeper layers Wx2, Wh2...; the output layer Why, by. Gate blocks: LSTM i, f, o, g;
GRU r, z, n.
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def name(base, layer):
    return base if layer == 0 else f"{base}{layer + 1}"


def lstm_step(p, layer, x, h, c):
    H = h.shape[0]
    a = p[name("Wx", layer)] @ x + p[name("Wh", layer)] @ h + p[name("b", layer)][:, None]
    i, f, o = sigmoid(a[:H]), sigmoid(a[H : 2 * H]), sigmoid(a[2 * H : 3 * H])
    g = np.tanh(a[3 * H :])
    c2 = f * c + i * g
    return o * np.tanh(c2), c2, (i, f, o, g)


def gru_step(p, layer, x, h):
    H = h.shape[0]
    Wx, Wh = p[name("Wx", layer)], p[name("Wh", layer)]
    b, bn = p[name("b", layer)][:, None], p[name("bn", layer)][:, None]
    ax, ah = Wx @ x + b, Wh @ h
    r = sigmoid(ax[:H] + ah[:H])
    z = sigmoid(ax[H : 2 * H] + ah[H : 2 * H])
    hn = ah[2 * H :] + bn
    n = np.tanh(ax[2 * H :] + r * hn)
    return (1 - z) * n + z * h, (r, z, n, hn)


def loss_fun(kind, p, inputs, targets, state, layers, H):
    """Loss summed over the steps of one stream, gradients (dict), final state.

    state: a list per layer of (h, c) column vectors for the LSTM, (h,) for the GRU.
    """
    V = p["Why"].shape[0]
    T = len(inputs)
    st = {-1: [tuple(s.copy() for s in layer) for layer in state]}
    cache, xs, ps = {}, {}, {}
    loss = 0.0
    for t in range(T):
        x = np.zeros((V, 1))
        x[inputs[t]] = 1
        st[t] = []
        for layer in range(layers):
            xs[t, layer] = x
            if kind == "lstm":
                h, c = st[t - 1][layer]
                h2, c2, cache[t, layer] = lstm_step(p, layer, x, h, c)
                st[t].append((h2, c2))
            else:
                (h,) = st[t - 1][layer]
                h2, cache[t, layer] = gru_step(p, layer, x, h)
                st[t].append((h2,))
            x = h2
        y = p["Why"] @ x + p["by"][:, None]
        ps[t] = np.exp(y) / np.exp(y).sum()
        loss += -np.log(ps[t][targets[t], 0])

    g = {k: np.zeros_like(v) for k, v in p.items()}
    dnext = [[np.zeros((H, 1)) for _ in st[-1][0]] for _ in range(layers)]  # per layer dh, (dc)
    for t in reversed(range(T)):
        dy = ps[t].copy()
        dy[targets[t]] -= 1
        top = st[t][layers - 1][0]
        g["Why"] += dy @ top.T
        g["by"] += dy[:, 0]
        dx = p["Why"].T @ dy  # into the top layer's h
        for layer in reversed(range(layers)):
            dh = dx + dnext[layer][0]
            x = xs[t, layer]
            h_prev = st[t - 1][layer][0]
            if kind == "lstm":
                i, f, o, gg = cache[t, layer]
                c, c_prev = st[t][layer][1], st[t - 1][layer][1]
                tc = np.tanh(c)
                dc = dnext[layer][1] + dh * o * (1 - tc * tc)
                da = np.vstack(
                    [dc * gg * i * (1 - i), dc * c_prev * f * (1 - f), dh * tc * o * (1 - o),
                     dc * i * (1 - gg * gg)]
                )  # fmt: skip
                dWh_in = da
                dnext[layer] = [p[name("Wh", layer)].T @ da, dc * f]
                g[name("b", layer)] += da[:, 0]
                dax = da
            else:
                r, z, n, hn = cache[t, layer]
                dn = dh * (1 - z) * (1 - n * n)
                dz = dh * (h_prev - n) * z * (1 - z)
                dr = dn * hn * r * (1 - r)
                dax = np.vstack([dr, dz, dn])
                dWh_in = np.vstack([dr, dz, dn * r])
                g[name("bn", layer)] += (dn * r)[:, 0]
                g[name("b", layer)] += dax[:, 0]
                dnext[layer] = [dh * z + p[name("Wh", layer)].T @ dWh_in]
            g[name("Wx", layer)] += dax @ x.T
            g[name("Wh", layer)] += dWh_in @ h_prev.T
            dx = p[name("Wx", layer)].T @ dax  # into the layer below's h
    return loss, g, st[T - 1]


def adam(p, g, m, v, t, lr, clip, b1=0.9, b2=0.999, eps=1e-8):
    """One Adam step (Kingma & Ba) on every array, after clipping to +-clip; t counts from 1."""
    for k in p:
        gk = np.clip(g[k], -clip, clip)
        m[k] = b1 * m[k] + (1 - b1) * gk
        v[k] = b2 * v[k] + (1 - b2) * gk * gk
        m_hat = m[k] / (1 - b1**t)
        v_hat = v[k] / (1 - b2**t)
        p[k] = p[k] - lr * m_hat / (np.sqrt(v_hat) + eps)

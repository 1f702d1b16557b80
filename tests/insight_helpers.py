"""Shared by the insight computation tests: random parameters and a slow, obvious
forward pass to check against."""

import math

import numpy as np

from tui_charrnn.models.params import Params


def random_params(V=7, H=6, seed=0, scale=0.5):
    rng = np.random.default_rng(seed)
    P = Params(V, H)
    P.flat[...] = rng.standard_normal(P.flat.shape) * scale
    return P


def slow_logprobs(P, ixs, h):
    """log p(ixs[t] | ixs[:t]) for t >= 1, one step at a time with Python lists."""
    out = []
    for t in range(len(ixs) - 1):
        x = np.zeros(P.V)
        x[ixs[t]] = 1
        h = np.tanh(P.Wxh @ x + P.Whh @ h + P.bh)
        y = P.Why @ h + P.by
        p = np.exp(y) / np.exp(y).sum()
        out.append(math.log(p[ixs[t + 1]]))
    return out


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def slow_lstm(P, ixs, s0):
    """Per layer (gates {"input", "forget", "output": (T, H)}, h (T, H), c (T, H)) after each
    character, one step at a time from the LSTM equations (not the model's code)."""
    H, out = P.H, []
    xs = [np.eye(P.V)[ix] for ix in ixs]  # one-hot inputs of layer 1
    for layer in range(P.net.layers):
        W = P.layer(layer)
        h = s0[layer * 2 * H : layer * 2 * H + H]
        c = s0[layer * 2 * H + H : (layer + 1) * 2 * H]
        gates, hs, cs = {"input": [], "forget": [], "output": []}, [], []
        for x in xs:
            a = W["Wx"] @ x + W["Wh"] @ h + W["b"]
            i, f, o = sigmoid(a[:H]), sigmoid(a[H : 2 * H]), sigmoid(a[2 * H : 3 * H])
            c = f * c + i * np.tanh(a[3 * H :])
            h = o * np.tanh(c)
            for name, g in zip(gates, (i, f, o), strict=True):
                gates[name].append(g)
            hs.append(h)
            cs.append(c)
        out.append(({k: np.array(g) for k, g in gates.items()}, np.array(hs), np.array(cs)))
        xs = hs
    return out

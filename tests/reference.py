"""A plain, per-timestep transcription of min-char-rnn's maths, used as the test oracle.

Written for clarity, not speed: one-hot column vectors, a dict of states per step, the
seed's loop order. The engine must agree with it at batch size 1.
"""

import numpy as np


def loss_fun(params, inputs, targets, hprev):
    Wxh, Whh, Why, bh, by = (params[k] for k in ("Wxh", "Whh", "Why", "bh", "by"))
    V = Why.shape[0]
    xs, hs, ps = {}, {-1: hprev.copy()}, {}
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((V, 1))
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
        y = Why @ hs[t] + by
        ps[t] = np.exp(y) / np.sum(np.exp(y))
        loss += -np.log(ps[t][targets[t], 0])
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = ps[t].copy()
        dy[targets[t]] -= 1
        grads["Why"] += dy @ hs[t].T
        grads["by"] += dy
        dh = Why.T @ dy + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        grads["bh"] += dhraw
        grads["Wxh"] += dhraw @ xs[t].T
        grads["Whh"] += dhraw @ hs[t - 1].T
        dhnext = Whh.T @ dhraw
    return loss, grads, hs[len(inputs) - 1]


def train(params, data, iters, seq_length=25, learning_rate=0.1, clip=5.0):
    """The seed's main loop (without sampling) on a list of indices; mutates params."""
    params = {k: v.copy() for k, v in params.items()}
    mem = {k: np.zeros_like(v) for k, v in params.items()}
    H, V = params["Wxh"].shape
    smooth_loss = -np.log(1.0 / V) * seq_length
    n = p = 0
    hprev = np.zeros((H, 1))
    losses = []
    while n < iters:
        if p + seq_length + 1 >= len(data) or n == 0:
            hprev = np.zeros((H, 1))
            p = 0
        inputs = data[p : p + seq_length]
        targets = data[p + 1 : p + seq_length + 1]
        loss, grads, hprev = loss_fun(params, inputs, targets, hprev)
        smooth_loss = smooth_loss * 0.999 + loss * 0.001
        losses.append(loss)
        for k in params:
            np.clip(grads[k], -clip, clip, out=grads[k])
            mem[k] += grads[k] * grads[k]
            params[k] += -learning_rate * grads[k] / np.sqrt(mem[k] + 1e-8)
        p += seq_length
        n += 1
    return params, mem, hprev, smooth_loss, losses

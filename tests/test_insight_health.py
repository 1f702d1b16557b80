"""Gradient health figures and the optimisers' rates against Python loops."""

import math
import statistics

import numpy as np
import pytest

from tui_charrnn.insight.health import health, layer_groups
from tui_charrnn.models.params import Net, Params
from tui_charrnn.optimizers import make_optimizer

# the arrays of each layer, written out by hand (the names Net gives them)
GROUPS = {
    Net(7, 5): {"layer 1": ["Wxh", "Whh", "bh"], "output": ["Why", "by"]},
    Net(7, 5, "lstm", 2): {
        "layer 1": ["Wx", "Wh", "b"],
        "layer 2": ["Wx2", "Wh2", "b2"],
        "output": ["Why", "by"],
    },
    Net(7, 5, "gru", 3): {
        "layer 1": ["Wx", "Wh", "b", "bn"],
        "layer 2": ["Wx2", "Wh2", "b2", "bn2"],
        "layer 3": ["Wx3", "Wh3", "b3", "bn3"],
        "output": ["Why", "by"],
    },
}


def slow_rate(name, mem, v, steps, lr):
    """One entry's learning rate, from the update rules in optimizers.py's docstring."""
    if name == "adagrad":
        return lr / math.sqrt(mem + 1e-8)
    if name == "rmsprop":
        return lr / (math.sqrt(mem) + 1e-8)
    return lr / (math.sqrt(v / (1 - 0.999**steps)) + 1e-8)


def slow_health(net, named_grads, clip, named_rates, hs_rows):
    out = {"grad_norm": {}, "clipped_fraction": {}, "step_median": {}}
    flat = {name: [float(v) for v in np.ravel(named_grads[name])] for name in named_grads}
    rates = {name: [float(v) for v in np.ravel(named_rates[name])] for name in named_rates}
    keys = {name: [name] for name in named_grads} | GROUPS[net]
    keys["all"] = list(named_grads)
    for key, names in keys.items():
        g = [v for name in names for v in flat[name]]
        r = [v for name in names for v in rates[name]]
        out["grad_norm"][key] = math.sqrt(sum(v * v for v in g))
        out["clipped_fraction"][key] = sum(abs(v) >= clip for v in g) / len(g)
        out["step_median"][key] = statistics.median(r)
    cells = [abs(v) > 0.95 for row in hs_rows for v in row]
    out["saturated_fraction"] = sum(cells) / len(cells) if cells else float("nan")
    return out


def check_health(got, want):
    for group in ("grad_norm", "clipped_fraction", "step_median"):
        assert got[group].keys() == want[group].keys()
        for k in want[group]:
            assert got[group][k] == pytest.approx(want[group][k], rel=1e-12), (group, k)
    assert got["saturated_fraction"] == pytest.approx(want["saturated_fraction"], nan_ok=True)


def optimizer_with(name, P, rng, steps):
    """An optimiser whose memories are random positive numbers, `steps` steps taken."""
    opt = make_optimizer(name, P, steps=steps)
    for mem in opt.memories.values():
        mem.flat[...] = rng.random(mem.flat.shape) * 10
    return opt


@pytest.mark.parametrize("net", list(GROUPS), ids=Net.describe)
@pytest.mark.parametrize("opt_name", ["adagrad", "rmsprop", "adam"])
def test_health_matches_loops_per_array_and_layer(net, opt_name):
    rng = np.random.default_rng(14)
    G = Params.of(net)
    G.flat[...] = rng.standard_normal(G.flat.shape) * 4
    opt = optimizer_with(opt_name, G, rng, steps=3)
    lr = 0.1
    mem, v = opt.memories["m"].arrays(), opt.mem.arrays()
    rates = {
        name: [
            slow_rate(opt_name, a, b, 3, lr)
            for a, b in zip(mem[name].ravel(), v[name].ravel(), strict=True)
        ]
        for name in G.names
    }
    hs = np.tanh(rng.standard_normal((6, 3, net.H)) * 2)  # (T, B, H)
    want = slow_health(net, G.arrays(), 5.0, rates, hs.reshape(-1, net.H))
    assert 0 < want["clipped_fraction"]["all"] < 1 and 0 < want["saturated_fraction"] < 1
    got = health(G, 5.0, opt, hs, lr)
    check_health(got, want)
    assert got["optimizer"] == opt_name and got["rate"].startswith("lr/√")
    assert layer_groups(net) == {k: tuple(v) for k, v in GROUPS[net].items()}
    one = health(G, 5.0, opt, hs[:, 0], lr)
    check_health(one, slow_health(net, G.arrays(), 5.0, rates, hs[:, 0]))


@pytest.mark.parametrize("opt_name", ["adagrad", "rmsprop", "adam"])
def test_rates_are_what_the_last_step_moved_each_weight_per_unit(opt_name):
    """Independent of the formula: after a step, each weight moved by -rate * g (Adagrad,
    RMSprop) or -rate * m_hat (Adam, m_hat = m / (1 - 0.9^t))."""
    rng = np.random.default_rng(3)
    P = Params.init(5, 4, rng, kind="gru", layers=2)
    opt = make_optimizer(opt_name, P)
    G = P.zeros_like()
    for _ in range(3):
        G.flat[...] = rng.standard_normal(G.flat.shape)  # inside the clip: not clipped
        before = P.flat.copy()
        opt.step(P, G, 0.01, clip=100.0)
    moved = P.flat - before
    rates = opt.rates(0.01).flat
    pushed = G.flat if opt_name != "adam" else opt.memories["m"].flat / (1 - 0.9**3)
    np.testing.assert_allclose(moved, -rates * pushed, rtol=1e-9, atol=1e-15)


def test_health_after_in_place_clipping_still_counts_clipped_entries():
    G = Params(4, 3)
    G.flat[...] = np.linspace(-10, 10, G.flat.size)
    opt = make_optimizer("adagrad", G)
    before = health(G.copy(), 5.0, opt, None, 0.1)["clipped_fraction"]["all"]
    np.clip(G.flat, -5, 5, out=G.flat)  # what the optimiser's step does
    after = health(G, 5.0, opt, None, 0.1)
    assert after["clipped_fraction"]["all"] == before > 0
    assert math.isnan(after["saturated_fraction"])
    # no step taken yet: Adagrad's memory is 0, its rate lr / sqrt(1e-8)
    assert after["step_median"]["all"] == pytest.approx(0.1 / 1e-4)

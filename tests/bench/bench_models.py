"""Gated-model speed against numpy's own matmul throughput (and PyTorch's nn.LSTM if it is
installed), measured side by side in one run on one core.

    python tests/bench/bench_models.py [--hidden 256] [--batch 32] [--seq 50] [--rounds 5]

One training iteration of the engine (model.loss_and_grads + Adam) at the given shapes,
float32, against:

- "same matmuls": numpy doing only the matrix products that iteration needs, with the same
  shapes (per step (B, H) x (H, GH) forward and (B, GH) x (GH, H) backward, then the
  weight gradients and the output layer over all T * B rows). The ratio is the share of
  numpy's matmul throughput the whole iteration keeps: time(matmuls) / time(iteration).
- "square gemm": the same FLOPs as one large (N, N) x (N, N) product, numpy's best rate.
- PyTorch (torch.set_num_threads(1)): nn.LSTM + nn.Linear + cross-entropy + backward +
  Adam at the same shapes, one-hot inputs; skipped when torch is not installed (it is never
  a dependency).

FLOPs per iteration (multiply-adds x 2): forward recurrence 2 T B H GH, backward into h
2 T B GH H, recurrent weight gradient 2 T B GH H, output layer, its input gradient and its
weight gradient 3 x 2 T B H V, deeper layers' input matmuls 3 x 2 T B H GH each. The
first layer's input is a column lookup, no FLOPs. Rounds are interleaved; medians and the
range of the per-round ratios are printed, because the machine is shared and noisy.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, before numpy loads BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")  # and before torch, if it is installed

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tui_charrnn.model import loss_and_grads
from tui_charrnn.models.params import Params
from tui_charrnn.optimizers import make_optimizer

V = 65  # tiny-shakespeare's vocabulary


def flops(kind: str, layers: int, H: int, B: int, T: int) -> float:
    G = {"rnn": 1, "gru": 3, "lstm": 4}[kind] * H
    per_layer = 3 * 2 * T * B * H * G  # recurrence forward, backward into h, weight gradient
    deeper_inputs = (layers - 1) * 3 * 2 * T * B * H * G
    return layers * per_layer + deeper_inputs + 3 * 2 * T * B * H * V


def engine_iteration(kind, layers, H, B, T, rng):
    P = Params.init(V, H, rng, np.float32, kind=kind, layers=layers)
    grads = P.zeros_like()
    opt = make_optimizer("adam", P)
    inputs, targets = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
    s = P.zero_state(B)

    def run():
        nonlocal s
        _, s = loss_and_grads(P, inputs, targets, s, grads)
        opt.step(P, grads, 0.002, 5.0)

    return run


def same_matmuls(kind, layers, H, B, T, rng):
    G = {"rnn": 1, "gru": 3, "lstm": 4}[kind] * H
    f32 = np.float32
    Wh = rng.standard_normal((G, H)).astype(f32)
    Wx = rng.standard_normal((G, H)).astype(f32)
    Why = rng.standard_normal((V, H)).astype(f32)
    h = rng.standard_normal((B, H)).astype(f32)
    a = rng.standard_normal((B, G)).astype(f32)
    out_g, out_h = np.empty((B, G), f32), np.empty((B, H), f32)
    hs = rng.standard_normal((T * B, H)).astype(f32)
    das = rng.standard_normal((T * B, G)).astype(f32)
    dy = rng.standard_normal((T * B, V)).astype(f32)

    def run():
        for layer in range(layers):
            for _ in range(T):
                np.matmul(h, Wh.T, out=out_g)
            for _ in range(T):
                np.matmul(a, Wh, out=out_h)
            das.T @ hs  # recurrent weight gradient
            if layer > 0:
                hs @ Wx.T, das @ Wx, das.T @ hs  # input matmuls of a deeper layer
        hs @ Why.T, dy @ Why, dy.T @ hs

    return run


def square_gemm(total_flops, rng):
    N = max(64, round((total_flops / 2) ** (1 / 3)))
    A = rng.standard_normal((N, N)).astype(np.float32)
    Bm = rng.standard_normal((N, N)).astype(np.float32)
    scale = total_flops / (2 * N**3)  # time of exactly total_flops at this gemm's rate

    def run():
        A @ Bm

    return run, scale


def torch_iteration(H, B, T):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    lstm, head = torch.nn.LSTM(V, H), torch.nn.Linear(H, V)
    params = [*lstm.parameters(), *head.parameters()]
    opt = torch.optim.Adam(params, lr=0.002)
    idx = torch.randint(0, V, (T, B))
    x = torch.nn.functional.one_hot(idx, V).float()
    y = torch.randint(0, V, (T, B))
    state = [torch.zeros(1, B, H), torch.zeros(1, B, H)]

    def run():
        out, (hn, cn) = lstm(x, tuple(s.detach() for s in state))
        state[:] = [hn, cn]
        loss = torch.nn.functional.cross_entropy(head(out).reshape(T * B, V), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_value_(params, 5.0)
        opt.step()

    return run


def seconds(run, reps: int) -> float:
    run()  # warm up: allocations, BLAS threads
    t = time.perf_counter()
    for _ in range(reps):
        run()
    return (time.perf_counter() - t) / reps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", default="lstm", choices=("rnn", "gru", "lstm"))
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=50)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    kind, L, H, B, T = args.kind, args.layers, args.hidden, args.batch, args.seq
    rng = np.random.default_rng(0)
    total = flops(kind, L, H, B, T)
    engine = engine_iteration(kind, L, H, B, T, rng)
    matmuls = same_matmuls(kind, L, H, B, T, rng)
    gemm, gemm_scale = square_gemm(total, rng)
    torch_run = torch_iteration(H, B, T) if kind == "lstm" and L == 1 else None
    rows: dict[str, list[float]] = {"engine": [], "same matmuls": [], "square gemm": []}
    if torch_run is not None:
        rows["pytorch nn.LSTM"] = []
    for _ in range(args.rounds):  # interleaved, so load changes hit every row alike
        rows["engine"].append(seconds(engine, args.reps))
        rows["same matmuls"].append(seconds(matmuls, args.reps))
        rows["square gemm"].append(seconds(gemm, args.reps * 5) * gemm_scale)
        if torch_run is not None:
            rows["pytorch nn.LSTM"].append(seconds(torch_run, args.reps))
    chars = T * B
    print(f"{kind} x{L}  H={H} B={B} T={T} V={V} float32, one thread")
    print(f"FLOPs per iteration: {total / 1e6:,.1f} M ({total / chars / 1e3:,.1f} k per character)")
    print(f"{'':18} {'ms/iter':>9} {'chars/s':>10} {'GFLOP/s':>8}   engine's share (range)")
    for name, times in rows.items():
        t = statistics.median(times)
        share = [e / x for e, x in zip(rows["engine"], times, strict=True)]
        shown = (
            ""
            if name == "engine"
            else (
                f"{statistics.median([1 / s for s in share]):6.1%} "
                f"({min(1 / s for s in share):.1%}..{max(1 / s for s in share):.1%})"
            )
        )
        print(f"{name:18} {t * 1e3:9.2f} {chars / t:10,.0f} {total / t / 1e9:8.2f}   {shown}")
    print("engine's share = time of the row / time of the engine: the fraction of that")
    print("row's throughput the whole engine iteration reaches for the same FLOPs.")
    if torch_run is None and kind == "lstm" and L == 1:
        print("pytorch nn.LSTM: skipped (torch is not installed)")


if __name__ == "__main__":
    main()

"""Count-based n-gram baselines: what loss does "no memory beyond k characters" reach?

Each model is p(x | context) = (c(context, x) + k) / (c(context) + k V) with counts from
the training data and add-k smoothing (k = 1, Laplace, by default; a smaller k such as
0.1 usually suits the sparse trigram counts of a small corpus better). All orders are
scored on the same targets, val[2:] (every target has two characters of context), as the
mean -ln p in nats/char, so the numbers compare directly with the RNN's held-out loss.
When val is shorter than 3 characters (e.g. val_fraction 0) the training data itself is
scored, which is then an optimistic, in-sample number.

N-grams are coded as integers i V^2 + j V + k (int64) and counted with np.bincount when
the key space is small, with np.unique + searchsorted otherwise. If a key could exceed
KEY_LIMIT (only for V beyond ~2 million at trigram order, i.e. never for Unicode text),
the context keys are first renumbered densely with np.unique so nothing overflows.
"""

from __future__ import annotations

import numpy as np

KEY_LIMIT = 2**62  # keys stay below this; above it contexts are renumbered densely
DENSE_LIMIT = 2**24  # key spaces up to this size are counted with np.bincount


def ngram_losses(train: np.ndarray, val: np.ndarray, V: int, k: float = 1.0) -> dict:
    """{"uniform", "unigram", "bigram", "trigram"}: held-out nats/char of each model."""
    train = np.asarray(train, dtype=np.int64)  # (N,)
    val = np.asarray(val, dtype=np.int64)  # (M,)
    if len(val) < 3:
        val = train
    if len(train) < 3:
        raise ValueError("need at least 3 training characters")
    out = {"uniform": float(np.log(V))}
    for order, name in ((1, "unigram"), (2, "bigram"), (3, "trigram")):
        ((ctx_tr, key_tr), (ctx_va, key_va)), space = _ngram_keys([train, val], order, V)
        ctx_va, key_va = ctx_va[3 - order :], key_va[3 - order :]  # (M - 2,) targets val[2:]
        c_full = _counts_at(key_tr, key_va, space * V)  # (M - 2,)
        c_ctx = _counts_at(ctx_tr, ctx_va, space)  # (M - 2,)
        p = (c_full + k) / (c_ctx + k * V)
        out[name] = float(-np.log(p).mean())
    return out


def _ngram_keys(seqs: list[np.ndarray], order: int, V: int):
    """For each sequence, (context key, n-gram key) of every n-gram of the given order,
    coded consistently across the sequences; also the size of the context key space."""
    ctx = [np.zeros(len(s) - order + 1, np.int64) for s in seqs]  # empty context: key 0
    space = 1
    for j in range(order - 1):
        if space * V >= KEY_LIMIT:  # renumber the contexts seen so far densely
            uniq, inv = np.unique(np.concatenate(ctx), return_inverse=True)
            ctx = np.split(inv.astype(np.int64), np.cumsum([len(c) for c in ctx])[:-1])
            space = len(uniq)
        ctx = [c * V + s[j : j + len(c)] for c, s in zip(ctx, seqs, strict=True)]
        space *= V
    full = [c * V + s[order - 1 :] for c, s in zip(ctx, seqs, strict=True)]
    return list(zip(ctx, full, strict=True)), space


def _counts_at(keys: np.ndarray, queries: np.ndarray, space: int) -> np.ndarray:
    """How often each query key occurs among keys (vectorised, no Python loop)."""
    if space <= max(DENSE_LIMIT, 4 * len(keys)):
        return np.bincount(keys, minlength=space)[queries]
    uniq, counts = np.unique(keys, return_counts=True)
    pos = np.minimum(np.searchsorted(uniq, queries), len(uniq) - 1)
    return np.where(uniq[pos] == queries, counts[pos], 0)

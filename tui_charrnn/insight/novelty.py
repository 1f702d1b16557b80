"""Which parts of a sample are copied verbatim from the corpus?

Every n-gram of the encoded corpus is hashed once with a polynomial hash mod 2**64
(h = sum_j (x[t+j] + 1) B^(n-1-j), B a fixed odd 64-bit base; uint64 arithmetic wraps),
built by doubling: the hash of a window of length a + b is h_a[t] B^b + h_b[t+a], so a
chunk of windows costs ~2 log2(n) vectorised passes. Chunks of CHUNK windows keep the
temporaries in cache and out of fresh (page-faulting) memory.

The index is ONE sorted uint64 array: each key is the window's hash with its low P bits
replaced by the window's corpus position (P = bits needed for a position), so a plain
in-place np.sort (much faster than argsort) sorts by hash and keeps the positions.
Lookups compare the top 64 - P hash bits (41 bits for 5 MB), then every candidate is
verified against the corpus characters: hits are exact, and a collision (expected
N / 2**(64 - P) per lookup, ~2e-6 for 5 MB) only costs one more comparison.
"""

from __future__ import annotations

import numpy as np

BASE = 0x9E3779B97F4A7C15  # odd, "random" (the 64-bit golden ratio)
CHUNK = 1 << 16  # windows hashed per chunk


def window_hashes(x: np.ndarray, n: int) -> np.ndarray:
    """Hash of x[t : t + n] for t in 0 .. len(x) - n: (len(x) - n + 1,) uint64."""
    blk, blk_len = np.asarray(x).astype(np.uint64) + np.uint64(1), 1  # (N,) windows of 1
    res, res_len = None, 0
    m = n
    while True:
        if m & 1:  # append a block of blk_len characters to the result windows
            if res is None:
                res, res_len = blk, blk_len
            else:
                count = len(x) - res_len - blk_len + 1
                res = res[:count] * _power(blk_len) + blk[res_len : res_len + count]
                res_len += blk_len
        m >>= 1
        if not m:
            return res
        blk = blk[:-blk_len] * _power(blk_len) + blk[blk_len:]  # windows of 2 * blk_len
        blk_len *= 2


def _power(k: int) -> np.uint64:
    return np.uint64(pow(BASE, k, 2**64))


class NoveltyIndex:
    """All n-grams of data (N,), hashed and sorted, for verbatim-copy lookups."""

    def __init__(self, data: np.ndarray, n: int):
        if n < 1:
            raise ValueError("n must be >= 1")
        self.data, self.n = np.asarray(data), n
        W = max(len(self.data) - n + 1, 0)  # number of windows
        self.pos_bits = max(W - 1, 1).bit_length()
        self.pos_mask = np.uint64((1 << self.pos_bits) - 1)
        keys = np.empty(W, np.uint64)  # (W,) hash prefix | position
        for s in range(0, W, CHUNK):
            e = min(s + CHUNK, W)
            h = window_hashes(self.data[s : e + n - 1], n)  # (e - s,)
            np.bitwise_and(h, ~self.pos_mask, out=keys[s:e])
            keys[s:e] |= np.arange(s, e, dtype=np.uint64)
        keys.sort()
        self.keys = keys

    def hits(self, ixs: np.ndarray) -> np.ndarray:
        """(T - n + 1,) bool: does ixs[t : t + n] occur in the corpus?"""
        ixs = np.asarray(ixs)
        n = self.n
        if len(ixs) < n or not len(self.keys):
            return np.zeros(max(len(ixs) - n + 1, 0), bool)
        prefix = window_hashes(ixs, n) & ~self.pos_mask  # (W,)
        lo = np.searchsorted(self.keys, prefix, side="left")
        hi = np.searchsorted(self.keys, prefix | self.pos_mask, side="right")
        hit = np.zeros(len(prefix), bool)
        cand = np.flatnonzero(lo < hi)  # windows whose hash prefix is present
        if not len(cand):
            return hit
        offs = np.arange(n)
        starts = (self.keys[lo[cand]] & self.pos_mask).astype(np.int64)  # first candidates
        same = (self.data[starts[:, None] + offs] == ixs[cand[:, None] + offs]).all(axis=1)
        hit[cand[same]] = True
        for t in cand[~same]:  # hash collision: try the other positions with this prefix
            for key in self.keys[lo[t] + 1 : hi[t]]:
                p = int(key & self.pos_mask)
                if np.array_equal(self.data[p : p + n], ixs[t : t + n]):
                    hit[t] = True
                    break
        return hit

    def verbatim_spans(self, ixs: np.ndarray) -> list[tuple[int, int]]:
        """Maximal [start, end) spans of ixs that are unions of overlapping n-grams found
        in the corpus. Every n-character window inside a span starting at a hit occurs
        verbatim; the whole span need not occur in one piece. Spans are >= n long;
        windows that only touch (no overlap) stay separate spans."""
        starts = np.flatnonzero(self.hits(ixs))  # (K,) sorted
        if not len(starts):
            return []
        breaks = np.flatnonzero(np.diff(starts) >= self.n)  # next window does not overlap
        first = starts[np.concatenate([[0], breaks + 1])]  # (S,) span starts
        last = starts[np.concatenate([breaks, [len(starts) - 1]])]  # (S,) last hit of each
        return list(zip(first.tolist(), (last + self.n).tolist(), strict=True))


# Benchmark (not a test; 2-core container, numpy 2.4, n = 8 and 20): building the index for a
# 5,000,000-character corpus takes 0.15-0.3 s (random V = 65 text and a tiled fable text
# alike) and 40 MB; looking up a 500-character sample takes ~1 ms.

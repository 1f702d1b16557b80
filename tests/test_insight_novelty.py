"""Verbatim spans (novelty index) against brute-force substring search."""

import numpy as np
import pytest

from tui_charrnn.insight import novelty
from tui_charrnn.insight.novelty import NoveltyIndex, window_hashes


def brute_spans(corpus: str, sample: str, n: int):
    hits = [t for t in range(len(sample) - n + 1) if corpus.find(sample[t : t + n]) >= 0]
    spans = []
    for t in hits:
        if spans and t < spans[-1][1]:  # overlaps the previous span: extend it
            spans[-1] = (spans[-1][0], t + n)
        else:
            spans.append((t, t + n))
    return spans


def encode(text, alphabet):
    return np.array([alphabet.index(c) for c in text], dtype=np.uint8)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 13])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_verbatim_spans_match_brute_force(n, seed):
    rng = np.random.default_rng(seed)
    alphabet = "abc d"
    corpus = "".join(rng.choice(list(alphabet), 300))
    pieces = []
    for _ in range(8):  # a sample mixing fresh text and pieces copied from the corpus
        if rng.random() < 0.5:
            s = rng.integers(0, 280)
            pieces.append(corpus[s : s + rng.integers(1, 20)])
        else:
            pieces.append("".join(rng.choice(list(alphabet), rng.integers(1, 10))))
    sample = "".join(pieces)
    index = NoveltyIndex(encode(corpus, alphabet), n)
    got = index.verbatim_spans(encode(sample, alphabet))
    assert got == brute_spans(corpus, sample, n)


def test_window_hashes_are_the_polynomial():
    x = np.random.default_rng(3).integers(0, 200, 40)
    for n in (1, 2, 3, 6, 11, 40):
        want = []
        for t in range(len(x) - n + 1):
            h = 0
            for c in x[t : t + n]:
                h = (h * novelty.BASE + int(c) + 1) % 2**64
            want.append(h)
        assert window_hashes(x, n).tolist() == want


def test_novelty_collisions_are_verified(monkeypatch):
    monkeypatch.setattr(novelty, "BASE", 256)  # mod 2**64 only the last 8 chars count
    rng = np.random.default_rng(4)
    corpus = rng.integers(0, 2, 400).astype(np.uint8)
    sample = np.concatenate([rng.integers(0, 2, 30), corpus[100:130], rng.integers(0, 2, 30)])
    index = NoveltyIndex(corpus, 12)
    windows = {tuple(corpus[t : t + 12]) for t in range(len(corpus) - 11)}
    prefixes = np.unique(index.keys & ~index.pos_mask)
    assert len(prefixes) < len(windows)  # there are collisions
    got = index.verbatim_spans(sample)
    as_text = "".join(map(str, corpus)), "".join(map(str, sample))
    assert got == brute_spans(*as_text, 12)
    assert any(a <= 30 and b >= 60 for a, b in got)


def test_novelty_edge_cases():
    index = NoveltyIndex(np.array([1, 2, 3], np.uint8), 5)
    assert index.verbatim_spans(np.array([1, 2, 3, 1, 2, 3])) == []
    index = NoveltyIndex(np.array([1, 2, 3, 4], np.uint8), 2)
    assert index.verbatim_spans(np.array([9])) == []
    assert index.verbatim_spans(np.array([1, 2, 9, 3, 4, 2, 3])) == [(0, 2), (3, 5), (5, 7)]
    with pytest.raises(ValueError):
        NoveltyIndex(np.array([1]), 0)


def test_novelty_chunked_build_matches(monkeypatch):
    rng = np.random.default_rng(5)
    corpus = rng.integers(0, 3, 500).astype(np.uint8)
    sample = np.concatenate([rng.integers(0, 3, 20), corpus[200:260], corpus[0:9]])
    want = NoveltyIndex(corpus, 9).verbatim_spans(sample)
    monkeypatch.setattr(novelty, "CHUNK", 7)
    index = NoveltyIndex(corpus, 9)
    assert np.all(np.diff(index.keys.astype(np.float64)) >= 0)
    assert index.verbatim_spans(sample) == want
    as_text = "".join(map(str, corpus)), "".join(map(str, sample))
    assert want == brute_spans(*as_text, 9)
